"""Web push endpoints under /api/v1: the server's public key, and the caller's browser subscriptions.

The body of `POST /me/push-subscriptions` is what the browser's
`PushSubscription.toJSON()` gives (`expirationTime` and other members are
ignored). An endpoint or keys that could never receive a message are a 422.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from coworklib.accounts.models import User
from coworklib.api.schemas import WRITE_ERRORS, ErrorOut
from coworklib.core import outgoing_http
from coworklib.notifications import push
from coworklib.notifications.models import PushSubscription

router = Router(tags=["push"])

# base64url, padding optional: what browsers give for the two keys.
BASE64URL = r"^[A-Za-z0-9_-]+={0,2}$"


class PushKeyOut(Schema):
    public_key: str = Field(description="VAPID public key, base64url: the `applicationServerKey` of `subscribe()`")


class PushKeysIn(Schema):
    p256dh: str = Field(min_length=1, max_length=200, pattern=BASE64URL, description="P-256 point, 65 bytes")
    auth: str = Field(min_length=1, max_length=100, pattern=BASE64URL, description="auth secret, 16 bytes")


class PushSubscriptionIn(Schema):
    endpoint: str = Field(
        max_length=push.ENDPOINT_MAX_LENGTH,
        pattern=outgoing_http.URL_PATTERN,
        description=(
            "The push service's https:// URL: a host name (two labels or more, the last starting with a letter)"
            " or a dotted-quad IPv4 address, an optional port, then a path and a query in RFC 3986 characters."
            " No user info, fragment, IPv6 literal, trailing dot, percent-encoded or non-ASCII host. A URL of this"
            " form is still a 422 `invalid_endpoint` when its port is 0 or over 65535, its host name is over 253"
            " characters or is (under) `localhost`, its IPv4 address is not public, or it is plain http"
        ),
    )
    keys: PushKeysIn


class PushEndpointIn(Schema):
    endpoint: str = Field(min_length=1, max_length=push.ENDPOINT_MAX_LENGTH)


class PushSubscriptionOut(Schema):
    endpoint: str
    user_agent: str
    created_at: datetime
    last_used_at: datetime | None


def _caller(request: HttpRequest) -> User:
    # Set by coworklib.api.auth (bearer token or session cookie) before any endpoint runs.
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _subscription_out(subscription: PushSubscription) -> dict[str, Any]:
    return {
        "endpoint": subscription.endpoint,
        "user_agent": subscription.user_agent,
        "created_at": subscription.created_at,
        "last_used_at": subscription.last_used_at,
    }


@router.get("/push/key", auth=None, response={200: PushKeyOut, 429: ErrorOut}, url_name="push_key")
def push_key(request: HttpRequest) -> Any:
    """The server's VAPID public key (public: browsers need it before they subscribe)."""
    return {"public_key": push.vapid_keys().public_key}


@router.post(
    "/me/push-subscriptions",
    response={200: PushSubscriptionOut, 201: PushSubscriptionOut, **WRITE_ERRORS},
    url_name="push_subscriptions",
)
def create_push_subscription(request: HttpRequest, data: PushSubscriptionIn) -> Any:
    """Receive web push on this browser: 201 when new for the caller, 200 when it already was theirs (keys renewed).

    422 `invalid` when the body does not match the schema (the endpoint's pattern included), `invalid_endpoint`
    (not an https:// URL of a push service on a public address) or `invalid_keys` (`p256dh` not a 65-byte
    P-256 point, `auth` not 16 bytes, in base64url). The host name is not resolved here: a name whose
    addresses are not public is refused when sending, and the subscription is deleted then.
    """
    subscription, created = push.subscribe(
        user=_caller(request),
        endpoint=data.endpoint,
        p256dh=data.keys.p256dh,
        auth=data.keys.auth,
        user_agent=request.headers.get("User-Agent", ""),
    )
    return Status(201 if created else 200, _subscription_out(subscription))


@router.delete("/me/push-subscriptions", response={204: None, **WRITE_ERRORS})
def delete_push_subscription(request: HttpRequest, data: PushEndpointIn) -> Any:
    """Stop web push on this browser. 204 also when the endpoint was not (or no longer) the caller's."""
    push.unsubscribe(user=_caller(request), endpoint=data.endpoint)
    return Status(204, None)
