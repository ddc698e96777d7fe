"""E-mail domains: normalising what people type, and telling public webmail apart.

A verified domain lets everyone with a verified address there join an
organization, so a public webmail domain must never be claimed: it would
let any stranger with a free mailbox in.
"""

import re

# Exact domains of public mailbox providers, most common in France first.
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "outlook.fr", "hotmail.com", "hotmail.fr",
        "live.com", "live.fr", "msn.com", "yahoo.com", "yahoo.fr", "ymail.com", "orange.fr",
        "wanadoo.fr", "free.fr", "sfr.fr", "neuf.fr", "laposte.net", "bbox.fr", "aliceadsl.fr",
        "club-internet.fr", "numericable.fr", "icloud.com", "me.com", "mac.com", "proton.me",
        "protonmail.com", "protonmail.ch", "pm.me", "tutanota.com", "tuta.io", "aol.com",
        "aol.fr", "mail.com", "zoho.com", "yandex.com", "yandex.ru", "mail.ru", "hey.com",
        "fastmail.com", "posteo.de", "web.de", "t-online.de", "libero.it", "qq.com", "163.com",
    }
)  # fmt: skip

# Providers that run the same service under many country domains (gmx.de,
# gmx.fr, yahoo.co.uk, hotmail.it…): the name followed only by a public suffix.
PUBLIC_EMAIL_PROVIDER_NAMES = frozenset(
    {"gmx", "yahoo", "ymail", "hotmail", "outlook", "live", "msn", "gmail", "aol", "proton", "protonmail", "yandex"}
)

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN_RE = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")
# Public suffix parts are short ("fr", "co", "uk", "com"); a company's own
# subdomain such as "live.acme.com" has a longer label after the provider name.
_SUFFIX_LABEL_MAX = 3


def normalize_domain(raw: str) -> str | None:
    """The domain in canonical form (lower case, ASCII), or None if it is not a domain name.

    Accepts what people paste: "@acme.fr", "Acme.FR.", "alice@acme.fr" and
    internationalised names (stored in their ASCII "xn--" form).
    """
    value = raw.strip().lower()
    if "@" in value:
        value = value.rsplit("@", 1)[1]
    value = value.strip(".")
    if not value or len(value) > 253:
        return None
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if not _DOMAIN_RE.fullmatch(value):
        return None
    return value


def domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def is_public_email_domain(domain: str) -> bool:
    if domain in PUBLIC_EMAIL_DOMAINS:
        return True
    name, _, suffix = domain.partition(".")
    return name in PUBLIC_EMAIL_PROVIDER_NAMES and all(len(label) <= _SUFFIX_LABEL_MAX for label in suffix.split("."))
