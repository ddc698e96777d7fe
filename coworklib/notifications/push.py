"""Web push: the VAPID key pair, a browser's subscription, and sending one message to it.

The VAPID private key signs every message; the browser subscribed with the
matching public key (`applicationServerKey`), so the key must be the same in
every process and must not change, or every subscription stops working. It
comes from `VAPID_PRIVATE_KEY` when set (several machines: give them all the
same value), else it is generated once into `<data dir>/vapid_private.pem`.

An endpoint is a URL the browser gives, hence anyone: it must never make the
server post into its own network. Subscribing checks its form strictly
(`coworklib.core.outgoing_http.checked_url`: https, a host name or a public
dotted-quad IPv4 address; no numeric, octal, hex or short IPv4 forms, no
trailing dot, no user info, no IPv6 literal) without resolving the name, which
could answer differently later and would tell a caller which internal names
exist. Sending goes through `outgoing_http.post`: the name is resolved once,
every address must be public, and the connection goes to that very address (no
DNS rebinding, no redirect followed). A subscription whose endpoint is refused
then is unusable, like one the push service says is gone: `REFUSED`, and the
outbox deletes it. Plain http is accepted only to `localhost` or 127.x.x.x and
only when `DEBUG` or `TESTING` is on (a local test push server).
"""

import base64
import binascii
import json
import logging
import os
import secrets
import time
from dataclasses import dataclass
from email.utils import parseaddr
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Final, NamedTuple, TypedDict

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from py_vapid import Vapid
from pywebpush import WebPusher, WebPushException

from coworklib.accounts.models import User
from coworklib.core import outgoing_http
from coworklib.core.env import envstr
from coworklib.core.errors import InvalidInput
from coworklib.notifications.models import PushSubscription

logger = logging.getLogger(__name__)

KEY_FILE_NAME: Final = "vapid_private.pem"
# A message waits at most a day at the push service for a browser that is offline.
TIME_TO_LIVE_SECONDS: Final = 24 * 3600
TIMEOUT_SECONDS: Final = 10
# RFC 8292 caps a VAPID token's life at 24 hours; 12 leaves room for clocks that disagree.
VAPID_TOKEN_SECONDS: Final = 12 * 3600
# A push service answers a few hundred bytes at most (an error's JSON); more is kept from memory.
MAX_RESPONSE_BYTES: Final = 64 * 1024
# RFC 8291: a push message holds 4096 bytes; aes128gcm takes 103 of them (header, tag, padding delimiter).
MAX_PAYLOAD_BYTES: Final = 3800
# A member has a handful of browsers; past this many, the least recently used subscription is dropped.
MAX_SUBSCRIPTIONS_PER_USER: Final = 20
P256DH_BYTES: Final = 65
AUTH_BYTES: Final = 16
ENDPOINT_MAX_LENGTH: Final = PushSubscription._meta.get_field("endpoint").max_length or 1000
USER_AGENT_MAX_LENGTH: Final = PushSubscription._meta.get_field("user_agent").max_length or 200


# --- VAPID keys ---------------------------------------------------------------------------------------------


class VapidKeys(NamedTuple):
    private: Vapid
    # The uncompressed P-256 point, base64url without padding: what `pushManager.subscribe()` takes.
    public_key: str


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


_B64URL_ALPHABET: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _b64url_decode(text: str) -> bytes:
    """Strict base64url (padding optional): any other character is a `binascii.Error`."""
    if not text or any(char not in _B64URL_ALPHABET for char in text.rstrip("=")):
        raise binascii.Error("not base64url")
    bare = text.rstrip("=")
    return base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))


def _private_key_from_text(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key in PEM, or base64url of the raw 32-byte scalar or of its DER encoding."""
    try:
        if "-----BEGIN" in text:
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        else:
            raw = _b64url_decode("".join(text.split()))
            if len(raw) == 32:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(raw, password=None)
    except (ValueError, TypeError, binascii.Error, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(f"VAPID private key is not a readable P-256 key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ImproperlyConfigured("VAPID private key must be an elliptic-curve P-256 (prime256v1) key")
    return key


def _stored_private_key(key_file: Path) -> ec.EllipticCurvePrivateKey:
    """The key in `key_file`, created there first if there is none.

    Creation is first-writer-wins: the key is written to a private temporary
    file, then hard-linked to its name, which fails if another process got
    there first; the loser then reads the winner's key. A reader therefore
    never sees a half-written file, and two processes never keep two keys.
    """
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        )
        temporary = key_file.with_name(f".{key_file.name}.{secrets.token_hex(8)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(descriptor, 0o600)
            os.write(descriptor, pem)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        try:
            os.link(temporary, key_file)
            logger.info("Generated the VAPID key pair in %s", key_file)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return _private_key_from_text(key_file.read_text())


@lru_cache(maxsize=4)
def _load_keys(configured: str, key_file: Path) -> VapidKeys:
    key = _private_key_from_text(configured) if configured else _stored_private_key(key_file)
    public_point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return VapidKeys(private=Vapid(key), public_key=_b64url(public_point))


def vapid_keys() -> VapidKeys:
    """The server's VAPID key pair: `VAPID_PRIVATE_KEY` if set, else the data folder's, generated on first use.

    The public key is always derived from the private one, so the two cannot disagree.
    Raises `ImproperlyConfigured` for a key that is not P-256.
    """
    return _load_keys(envstr("VAPID_PRIVATE_KEY").strip(), Path(settings.DATA_DIR) / KEY_FILE_NAME)


def vapid_subject() -> str:
    """The contact push services see in every message (RFC 8292 `sub`): the sender address of our e-mails."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return f"mailto:{address or settings.DEFAULT_FROM_EMAIL}"


# --- Sending ----------------------------------------------------------------------------------------------


class PushPayload(TypedDict):
    """What the service worker shows: `url` is the page a tap opens; `tag` makes a newer message replace older ones."""

    title: str
    body: str
    url: str
    tag: str


class PushOutcome(StrEnum):
    SENT = "sent"
    # The push service answered 404 or 410: the browser dropped the subscription; the caller deletes it.
    GONE = "gone"
    # A network error, 429, 5xx or any other refusal: try again later (the outbox's backoff ends it).
    RETRY = "retry"
    # The endpoint's URL or an address its name resolves to is not one we send to (nothing was sent);
    # the caller deletes the subscription, as for GONE.
    REFUSED = "refused"


@dataclass(frozen=True)
class PushResult:
    outcome: PushOutcome
    error: str = ""
    # The push service's Retry-After (seconds or an HTTP date), when it gave one.
    retry_after: str | None = None


def _encoded(payload: PushPayload) -> str:
    """The payload as JSON, its body shortened (with an ellipsis) until it fits in one push message."""
    message = {"title": payload["title"], "body": payload["body"], "url": payload["url"], "tag": payload["tag"]}
    body = message["body"].encode()
    budget = len(body)
    encoded = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    while len(encoded.encode()) > MAX_PAYLOAD_BYTES and budget > 0:
        # Cut in bytes (a character may take up to four), never in the middle of a character.
        budget = max(0, budget - (len(encoded.encode()) - MAX_PAYLOAD_BYTES) - len("…".encode()))
        shortened = body[:budget].decode(errors="ignore").rstrip()
        message["body"] = f"{shortened}…" if shortened else ""
        encoded = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    return encoded


def send_push(subscription: PushSubscription, payload: PushPayload) -> PushResult:
    """Encrypt `payload` for the subscription's browser and post it to its push service (one try, 10 s at most).

    Side effect: on success, the subscription's `last_used_at` is set to now.
    Never raises for what the push service, the network or the endpoint's DNS does; the caller
    decides from the result (delete the subscription when GONE or REFUSED, back off when RETRY).
    """
    keys = vapid_keys()
    subscription_info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    try:
        destination = outgoing_http.checked_url(subscription.endpoint)
        body = WebPusher(subscription_info).encode(_encoded(payload).encode(), "aes128gcm")["body"]
    except outgoing_http.DestinationRefused as exc:
        return PushResult(PushOutcome.REFUSED, error=str(exc)[:1000])
    except WebPushException as exc:
        return PushResult(PushOutcome.RETRY, error=str(exc)[:1000])
    # RFC 8292: the token is for the push service's origin.
    audience = f"{destination.scheme}://{destination.host_header}"
    claims = {"sub": vapid_subject(), "aud": audience, "exp": int(time.time()) + VAPID_TOKEN_SECONDS}
    headers = {
        **keys.private.sign(claims),
        "Content-Encoding": "aes128gcm",
        "TTL": str(TIME_TO_LIVE_SECONDS),
        "Urgency": "normal",
    }
    try:
        response = outgoing_http.post(
            subscription.endpoint,
            body=body,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            max_response_bytes=MAX_RESPONSE_BYTES,
        )
    except outgoing_http.DestinationRefused as exc:
        return PushResult(PushOutcome.REFUSED, error=str(exc)[:1000])
    except outgoing_http.OutgoingHTTPError as exc:
        return PushResult(PushOutcome.RETRY, error=f"{type(exc).__name__}: {exc}"[:1000])
    if response.status in {404, 410}:
        return PushResult(PushOutcome.GONE, error=_failure(response))
    # 201 Created is the answer of RFC 8030; a redirect is not followed, so it is a failure like any other.
    if not 200 <= response.status <= 202:
        return PushResult(PushOutcome.RETRY, error=_failure(response), retry_after=response.headers.get("retry-after"))
    PushSubscription.objects.filter(pk=subscription.pk).update(last_used_at=timezone.now())
    return PushResult(PushOutcome.SENT)


def _failure(response: outgoing_http.Response) -> str:
    text = response.body.decode(errors="replace")
    return f"Push failed: {response.status} {response.reason}: {text}"[:1000]


# --- Subscriptions ----------------------------------------------------------------------------------------------


def _validated_endpoint(endpoint: str) -> str:
    refused = InvalidInput(
        _("L'adresse d'abonnement push n'est pas valide : il faut l'adresse https:// d'un service push public."),
        code="invalid_endpoint",
    )
    if len(endpoint) > ENDPOINT_MAX_LENGTH:
        raise refused
    try:
        outgoing_http.checked_url(endpoint)
    except outgoing_http.DestinationRefused:
        raise refused from None
    return endpoint


def _validated_key(value: str, *, length: int, detail: str) -> str:
    try:
        raw = _b64url_decode(value)
    except (binascii.Error, ValueError):
        raise InvalidInput(detail, code="invalid_keys") from None
    if len(raw) != length:
        raise InvalidInput(detail, code="invalid_keys")
    return value


def _validated_p256dh(value: str) -> str:
    detail = _("La clé p256dh de l'abonnement push n'est pas valide (65 octets en base64url attendus).")
    _validated_key(value, length=P256DH_BYTES, detail=detail)
    try:
        # The browser's key must be a point on P-256, or nothing could ever be encrypted for it.
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64url_decode(value))
    except ValueError:
        raise InvalidInput(detail, code="invalid_keys") from None
    return value


def subscribe(*, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str) -> tuple[PushSubscription, bool]:
    """Record the browser subscription of `user`; `created` is False when it was already theirs.

    The endpoint identifies one browser: subscribed again by another user (a
    shared computer), it moves to them, keys renewed. Past
    MAX_SUBSCRIPTIONS_PER_USER, the user's least recently used ones are deleted.
    Raises `InvalidInput` (422) for an endpoint or keys that cannot work.
    """
    endpoint = _validated_endpoint(endpoint)
    p256dh = _validated_p256dh(p256dh)
    auth = _validated_key(
        auth,
        length=AUTH_BYTES,
        detail=_("La clé auth de l'abonnement push n'est pas valide (16 octets en base64url attendus)."),
    )
    with transaction.atomic():
        existing = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
        created = existing is None or existing.user_id != user.pk
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=endpoint,
            defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:USER_AGENT_MAX_LENGTH]},
        )
        surplus = (
            PushSubscription.objects.filter(user=user)
            .exclude(pk=subscription.pk)
            .order_by(Coalesce("last_used_at", "created_at").desc(), "-id")
            .values_list("pk", flat=True)[MAX_SUBSCRIPTIONS_PER_USER - 1 :]
        )
        surplus_ids = list(surplus)
        if surplus_ids:
            PushSubscription.objects.filter(pk__in=surplus_ids).delete()
    return subscription, created


def unsubscribe(*, user: User, endpoint: str) -> None:
    """Forget `user`'s subscription at `endpoint`; nothing happens for an endpoint that is not theirs (idempotent)."""
    PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
