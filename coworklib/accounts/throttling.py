"""Failed-login throttling shared by the web login form and ``POST /auth/token``.

Two counters live in the Django cache (shared by every process, see
docs/decisions/0001-shared-cache.md):

- per e-mail address (normalised to lower case): ``LOGIN_THROTTLE_MAX_FAILURES``
  failures within ``LOGIN_THROTTLE_WINDOW_SECONDS`` refuse further attempts for
  that address until the window that started with the first failure is over;
- per client IP: failures for ``LOGIN_THROTTLE_MAX_EMAILS_PER_IP`` *different*
  addresses within the same window refuse every attempt from that IP. Counting
  distinct addresses (not attempts) stops password spraying without locking out
  a whole office behind one NAT because one person mistyped their password.

Attempts refused while throttled are not checked and not counted, so the real
owner of an address is never locked out for longer than one window. A successful
login clears the counter of its address but not the IP's, otherwise an attacker
could interleave logins to their own account to keep spraying.

The read-modify-write of a counter is not atomic (the database cache has no
atomic increment that keeps the expiry): concurrent requests can each get a few
attempts past the limit, which bounds the overshoot by the number of workers.
"""

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest

_KEY_PREFIX = "accounts:login-throttle"


@dataclass(frozen=True)
class ThrottleState:
    throttled: bool
    retry_after: int = 0  # whole seconds until attempts are accepted again


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _digest(value: str) -> str:
    # Hashed so that cache keys stay short, safe for any backend, and do not
    # store the addresses themselves.
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _email_key(email: str) -> str:
    return f"{_KEY_PREFIX}:email:{_digest(normalise_email(email))}"


def _ip_key(ip: str) -> str:
    return f"{_KEY_PREFIX}:ip:{_digest(ip)}"


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's IP, honouring allauth's trusted proxy settings (ALLAUTH_TRUSTED_PROXY_COUNT)."""
    if request is None:
        return None
    try:
        return get_adapter(request).get_client_ip(request)
    except (ImproperlyConfigured, PermissionDenied):
        # A forged or truncated X-Forwarded-For must not turn into a 500: fall
        # back to the address of whoever connected to us.
        return request.META.get("REMOTE_ADDR") or None


def _window() -> int:
    return int(settings.LOGIN_THROTTLE_WINDOW_SECONDS)


def _live_entry(key: str, now: float) -> dict[str, Any] | None:
    entry = cache.get(key)
    if not isinstance(entry, dict) or entry.get("ends_at", 0) <= now:
        return None
    return entry


def _state(entry: dict[str, Any] | None, *, count: int, limit: int, now: float) -> ThrottleState:
    if entry is None or count < limit:
        return ThrottleState(throttled=False)
    return ThrottleState(throttled=True, retry_after=max(1, math.ceil(entry["ends_at"] - now)))


def check_login_throttle(*, email: str, ip: str | None) -> ThrottleState:
    """Whether a login attempt for ``email`` from ``ip`` must be refused now."""
    now = time.time()
    email_entry = _live_entry(_email_key(email), now)
    email_state = _state(
        email_entry,
        count=email_entry["failures"] if email_entry else 0,
        limit=settings.LOGIN_THROTTLE_MAX_FAILURES,
        now=now,
    )
    ip_state = ThrottleState(throttled=False)
    if ip:
        ip_entry = _live_entry(_ip_key(ip), now)
        ip_state = _state(
            ip_entry,
            count=len(ip_entry["emails"]) if ip_entry else 0,
            limit=settings.LOGIN_THROTTLE_MAX_EMAILS_PER_IP,
            now=now,
        )
    if email_state.throttled or ip_state.throttled:
        return ThrottleState(throttled=True, retry_after=max(email_state.retry_after, ip_state.retry_after))
    return ThrottleState(throttled=False)


def record_login_failure(*, email: str, ip: str | None) -> None:
    now = time.time()
    window = _window()

    email_key = _email_key(email)
    entry = _live_entry(email_key, now) or {"ends_at": now + window, "failures": 0}
    entry["failures"] += 1
    cache.set(email_key, entry, timeout=max(1, math.ceil(entry["ends_at"] - now)))

    if ip:
        ip_key = _ip_key(ip)
        ip_entry = _live_entry(ip_key, now) or {"ends_at": now + window, "emails": []}
        email_digest = _digest(normalise_email(email))
        # Capped: once the limit is reached more addresses change nothing.
        if (
            email_digest not in ip_entry["emails"]
            and len(ip_entry["emails"]) < settings.LOGIN_THROTTLE_MAX_EMAILS_PER_IP
        ):
            ip_entry["emails"].append(email_digest)
        cache.set(ip_key, ip_entry, timeout=max(1, math.ceil(ip_entry["ends_at"] - now)))


def clear_login_failures(*, email: str) -> None:
    cache.delete(_email_key(email))
