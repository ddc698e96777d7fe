"""E-mail domains: normalising what people type, telling public webmail apart, and
looking up the DNS record that proves an organization controls a domain.

A verified domain lets everyone with a verified address there join an
organization, so a public webmail domain must never be claimed: it would
let any stranger with a free mailbox in.
"""

import re
import secrets
import socket
import struct
import time
from pathlib import Path

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


# --- Proving control of a domain: one TXT lookup -------------------------------------
#
# A minimal stub resolver (RFC 1035) over UDP, so that verifying a domain needs
# no package beyond the standard library: ask the system's recursive resolver
# (the first "nameserver" of /etc/resolv.conf) for the TXT records of one name
# and read the answer section. The recursive resolver does the real work
# (following CNAMEs, DNSSEC if it validates); we only parse its reply.

RESOLV_CONF = Path("/etc/resolv.conf")
# What the C library's resolver uses when resolv.conf names no server.
DEFAULT_NAMESERVER = "127.0.0.1"
DNS_PORT = 53
DNS_TIMEOUT_SECONDS = 3.0
_TYPE_TXT = 16
_CLASS_IN = 1
_FLAG_RESPONSE = 0x8000
_FLAG_TRUNCATED = 0x0200
_FLAG_RECURSION_DESIRED = 0x0100
_RCODE_NAME_ERROR = 3  # NXDOMAIN: the name does not exist, so it has no records
_HEADER = struct.Struct("!6H")  # id, flags, then the counts of the four sections
_RECORD = struct.Struct("!HHIH")  # type, class, TTL, length of the data
# Without EDNS a UDP answer is at most 512 bytes; read more in case a server sends it anyway.
_MAX_DATAGRAM = 65535


class DnsLookupError(Exception):
    """The name server gave no usable answer: timeout, failure, or a malformed or truncated reply."""


def system_nameserver(resolv_conf: Path = RESOLV_CONF) -> str:
    try:
        lines = resolv_conf.read_text().splitlines()
    except OSError:
        return DEFAULT_NAMESERVER
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            return fields[1]
    return DEFAULT_NAMESERVER


def encode_txt_question(name: str) -> bytes:
    """The question section asking for the TXT records of `name`; ValueError if it is no DNS name."""
    labels = name.rstrip(".").encode("ascii").split(b".")
    if any(not 1 <= len(label) <= 63 for label in labels):
        raise ValueError(name)
    encoded = b"".join(bytes([len(label)]) + label for label in labels) + b"\x00"
    if len(encoded) > 255:
        raise ValueError(name)
    return encoded + struct.pack("!HH", _TYPE_TXT, _CLASS_IN)


def _skip_name(message: bytes, offset: int) -> int:
    """The offset just after the (possibly compressed) name starting at `offset`."""
    while True:
        length = message[offset]
        if length >= 0xC0:  # a pointer to a name elsewhere: it ends this one
            return offset + 2
        if length > 63:
            raise DnsLookupError("bad label")
        offset += 1 + length
        if length == 0:
            return offset


def parse_txt_response(message: bytes, *, query_id: int, question: bytes) -> list[str]:
    """The TXT records of a reply to our query, each one's strings joined (RFC 7208 §3.3)."""
    try:
        reply_id, flags, question_count, answer_count, _authority, _additional = _HEADER.unpack_from(message)
        if reply_id != query_id or not flags & _FLAG_RESPONSE:
            raise DnsLookupError("not a reply to our query")
        # Name servers echo the question as it was sent: anything else answers another query.
        if question_count != 1 or message[_HEADER.size : _HEADER.size + len(question)].lower() != question.lower():
            raise DnsLookupError("the reply is for another question")
        if flags & _FLAG_TRUNCATED:
            raise DnsLookupError("truncated reply")
        rcode = flags & 0x000F
        if rcode == _RCODE_NAME_ERROR:
            return []
        if rcode != 0:
            raise DnsLookupError(f"name server error {rcode}")
        offset = _HEADER.size + len(question)
        records = []
        for _answer in range(answer_count):
            offset = _skip_name(message, offset)
            record_type, record_class, _ttl, data_length = _RECORD.unpack_from(message, offset)
            offset += _RECORD.size
            end = offset + data_length
            if end > len(message):
                raise DnsLookupError("record overruns the reply")
            # The answer may also hold the CNAMEs that led to the records: skip them.
            if record_type == _TYPE_TXT and record_class == _CLASS_IN:
                strings, position = [], offset
                while position < end:
                    length = message[position]
                    if position + 1 + length > end:
                        raise DnsLookupError("string overruns its record")
                    strings.append(message[position + 1 : position + 1 + length])
                    position += 1 + length
                records.append(b"".join(strings).decode("utf-8", errors="replace"))
            offset = end
    except (IndexError, struct.error):
        raise DnsLookupError("malformed reply") from None
    return records


def lookup_txt_records(
    name: str, *, nameserver: str | None = None, port: int = DNS_PORT, timeout: float = DNS_TIMEOUT_SECONDS
) -> list[str]:
    """The TXT records of `name`, asked of the system's name server (or `nameserver`).

    An empty list when the name does not exist or has no TXT record;
    DnsLookupError when no usable answer came within `timeout` seconds.
    """
    try:
        question = encode_txt_question(name)
    except (ValueError, UnicodeError):
        return []  # a name DNS cannot even hold has no records
    server = nameserver or system_nameserver()
    try:
        family, _type, _proto, _canonical, address = socket.getaddrinfo(
            server, port, type=socket.SOCK_DGRAM, flags=socket.AI_NUMERICHOST
        )[0]
    except socket.gaierror as exc:
        raise DnsLookupError(f"bad name server address {server!r}") from exc
    # A random id and the random source port the kernel picks are what stop
    # someone off-path from slipping in a forged answer.
    query_id = secrets.randbits(16)
    query = _HEADER.pack(query_id, _FLAG_RECURSION_DESIRED, 1, 0, 0, 0) + question
    deadline = time.monotonic() + timeout
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        try:
            # Connected, the socket only receives datagrams from the server's address.
            sock.connect(address)
            sock.send(query)
            while (remaining := deadline - time.monotonic()) > 0:
                sock.settimeout(remaining)
                reply = sock.recv(_MAX_DATAGRAM)
                # A late reply to an earlier query (same port reused) is not ours: keep waiting.
                if reply[:2] == query[:2]:
                    return parse_txt_response(reply, query_id=query_id, question=question)
        except OSError as exc:  # a timeout, or "connection refused" reported by ICMP
            raise DnsLookupError(f"no answer from {server}") from exc
    raise DnsLookupError(f"no answer from {server}")
