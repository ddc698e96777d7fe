"""Cookie consent: reading the visitor's choice, recording it, and what it allows.

The choice lives in one strictly necessary cookie, ``cwl_consent``, signed so
that nobody can forge it into "accepted"; every choice is also written as a
``ConsentRecord``, the proof of consent the CNIL asks operators to keep.
"""

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import Morsel
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.utils import timezone

from coworklib.privacy.models import ConsentCategory, ConsentRecord, new_visitor_id

CONSENT_COOKIE_NAME = "cwl_consent"
# The CNIL recommends asking again after six months: the cookie, and its signature, last that long.
CONSENT_COOKIE_MAX_AGE = 182 * 24 * 3600
_SIGNING_SALT = "coworklib.privacy.consent"
# Google Analytics 4 keeps its visitor id in _ga and its session state in _ga_<container>.
_MEASUREMENT_COOKIE_PREFIX = "_ga_"
_MEASUREMENT_COOKIE = "_ga"
_REQUEST_CACHE = "_coworklib_consent_choice"


@dataclass(frozen=True)
class ConsentChoice:
    """What a visitor chose in the banner: the categories accepted, every other one refused."""

    version: str
    categories: frozenset[str]
    visitor_id: str
    chosen_at: datetime

    def accepts(self, category: str) -> bool:
        return category in self.categories

    @property
    def is_current(self) -> bool:
        return self.version == settings.COOKIE_POLICY_VERSION


def known_categories(values: Any) -> frozenset[str]:
    """The values that name a real category; anything else (forged, removed since) is dropped."""
    if not isinstance(values, list | tuple | set | frozenset):
        return frozenset()
    return frozenset(value for value in values if value in ConsentCategory.values)


def _choice_from_cookie(request: HttpRequest) -> ConsentChoice | None:
    """The signed cookie's choice, whatever its version; None when missing, forged, expired or malformed."""
    raw = request.COOKIES.get(CONSENT_COOKIE_NAME)
    if not raw:
        return None
    try:
        payload = signing.loads(raw, salt=_SIGNING_SALT, max_age=CONSENT_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    version, visitor_id, timestamp = payload.get("v"), payload.get("id"), payload.get("at")
    if not isinstance(version, str) or not isinstance(visitor_id, str) or not isinstance(timestamp, int):
        return None
    return ConsentChoice(
        version=version,
        categories=known_categories(payload.get("c")),
        visitor_id=visitor_id[:32],
        chosen_at=datetime.fromtimestamp(timestamp, tz=UTC),
    )


def _choice_from_records(user: Any) -> ConsentChoice | None:
    record = ConsentRecord.objects.filter(user=user, version=settings.COOKIE_POLICY_VERSION).first()
    if record is None:
        return None
    return ConsentChoice(
        version=record.version,
        categories=known_categories(record.categories),
        visitor_id=record.visitor_id,
        chosen_at=record.created_at,
    )


def current_choice(request: HttpRequest) -> ConsentChoice | None:
    """The visitor's choice for the current cookie policy version, or None while they have not chosen.

    The browser's signed cookie comes first (no query). A signed-in user
    without one (a new browser, cleared cookies) is held to their latest
    record for this version: they chose as themselves, and the settings page
    says their choice follows their account. That costs one indexed query on
    their pages until they choose again in that browser. Cached on the request.
    """
    if hasattr(request, _REQUEST_CACHE):
        cached: ConsentChoice | None = getattr(request, _REQUEST_CACHE)
        return cached
    choice = _choice_from_cookie(request)
    if choice is not None and not choice.is_current:
        choice = None
    if choice is None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            choice = _choice_from_records(user)
    setattr(request, _REQUEST_CACHE, choice)
    return choice


def measurement_allowed(request: HttpRequest) -> bool:
    """Whether this page may load the audience measurement tag.

    Only with a measurement id configured, a current choice accepting the
    category, and never for a user who asked for restriction of processing,
    whatever their cookie choice.
    """
    if not settings.AUDIENCE_MEASUREMENT_ID:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "processing_restricted_at", None) is not None:
        return False
    choice = current_choice(request)
    return choice is not None and choice.accepts(ConsentCategory.AUDIENCE)


def record_consent(
    *, request: HttpRequest, categories: frozenset[str], now: datetime | None = None
) -> tuple[ConsentRecord, ConsentChoice]:
    """Store the visitor's choice as a ``ConsentRecord`` (tied to the account when signed in).

    The browser keeps its random visitor id from one choice to the next, so
    the records of one browser can be told apart from another's; the caller
    puts the returned choice in the cookie (``set_consent_cookie``).
    """
    previous = _choice_from_cookie(request)
    visitor_id = previous.visitor_id if previous is not None else new_visitor_id()
    user = getattr(request, "user", None)
    record = ConsentRecord.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        visitor_id=visitor_id,
        version=settings.COOKIE_POLICY_VERSION,
        categories=sorted(known_categories(categories)),
        created_at=now or timezone.now(),
    )
    choice = ConsentChoice(
        version=record.version,
        categories=known_categories(record.categories),
        visitor_id=record.visitor_id,
        chosen_at=record.created_at,
    )
    setattr(request, _REQUEST_CACHE, choice)
    return record, choice


def set_consent_cookie(response: HttpResponse, choice: ConsentChoice) -> None:
    value = signing.dumps(
        {
            "v": choice.version,
            "c": sorted(choice.categories),
            "id": choice.visitor_id,
            "at": int(choice.chosen_at.timestamp()),
        },
        salt=_SIGNING_SALT,
        compress=True,
    )
    response.set_cookie(
        CONSENT_COOKIE_NAME,
        value,
        max_age=CONSENT_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _cookie_domains(host: str) -> list[str | None]:
    """Where a measurement cookie may have been set: host-only, the host, and each parent domain.

    gtag.js puts its cookies on the highest domain the browser accepts
    (``example.com`` for ``app.example.com``); an expired cookie must name the
    same domain to replace it. IP addresses and single-label hosts (localhost)
    only have host-only cookies.
    """
    domains: list[str | None] = [None]
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        labels = host.split(".")
        domains += [".".join(labels[index:]) for index in range(len(labels) - 1)]
    return domains


def expire_measurement_cookies(request: HttpRequest, response: HttpResponse) -> None:
    """Tell the browser to drop the Google Analytics cookies it sent (after a refusal or a withdrawal)."""
    names = [
        name for name in request.COOKIES if name == _MEASUREMENT_COOKIE or name.startswith(_MEASUREMENT_COOKIE_PREFIX)
    ]
    if not names:
        return
    host, _port = split_domain_port(request.get_host())
    for name in names:
        for domain in _cookie_domains(host):
            expired: Morsel[str] = Morsel()
            expired.set(name, "", "")
            expired.update({"max-age": "0", "expires": "Thu, 01 Jan 1970 00:00:00 GMT", "path": "/", "samesite": "Lax"})
            if domain:
                expired["domain"] = domain
            # A response keeps one cookie per key, but one name must be expired
            # for several domains: each morsel goes under its own key and keeps
            # its real name, which is what the Set-Cookie header carries.
            response.cookies[f"{name}|{domain or ''}"] = expired
