"""Web push: VAPID keys, sending to a real (local) push service, subscriptions, their API, and the installable app.

The push service is an `http.server` on 127.0.0.1 in a thread: it records what
it receives and answers the status a test sets. The test plays the browser: it
holds the subscription's P-256 key pair and auth secret, and decrypts what the
push service received with them.
"""

import binascii
import json
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from coworklib.accounts.models import User
from coworklib.core.errors import InvalidInput
from coworklib.notifications import push
from coworklib.notifications.models import PushSubscription
from coworklib.notifications.tests.conftest import Browser, PushService, b64url, b64url_decode
from coworklib.workspaces.tests.factories import call

PAYLOAD: push.PushPayload = {
    "title": "Session planifiée à Lyon",
    "body": "Alice Arnaud sera à Lyon jeudi 3 décembre, 09:00–17:00.",
    "url": "/sessions/12",
    "tag": "session-12",
}


def subscription_of(user: User, subscriber: Browser, endpoint: str) -> PushSubscription:
    return PushSubscription.objects.create(user=user, endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth)


def verify_vapid(authorization: str, audience: str) -> dict[str, Any]:
    """Checks `vapid t=<JWT>,k=<key>` (RFC 8292) against our public key and returns the JWT's claims."""
    scheme, _, parameters = authorization.partition(" ")
    assert scheme == "vapid"
    values = dict(part.split("=", 1) for part in parameters.split(","))
    public_key = push.vapid_keys().public_key
    assert values["k"] == public_key
    header, claims, signature = values["t"].split(".")
    raw_signature = b64url_decode(signature)
    assert len(raw_signature) == 64
    verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(public_key))
    verifier.verify(
        encode_dss_signature(int.from_bytes(raw_signature[:32]), int.from_bytes(raw_signature[32:])),
        f"{header}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    assert json.loads(b64url_decode(header)) == {"typ": "JWT", "alg": "ES256"}
    decoded: dict[str, Any] = json.loads(b64url_decode(claims))
    assert decoded["aud"] == audience
    return decoded


# --- Sending ------------------------------------------------------------------------------------------------------


def test_a_push_arrives_encrypted_for_the_browser_and_signed_with_our_vapid_key(
    bob: User, subscriber: Browser, push_service: PushService
) -> None:
    subscription = subscription_of(bob, subscriber, push_service.endpoint("bob-phone"))

    result = push.send_push(subscription, PAYLOAD)

    assert result == push.PushResult(push.PushOutcome.SENT)
    [received] = push_service.received
    assert received.path == "/push/bob-phone"
    assert subscriber.decrypt(received.body) == PAYLOAD
    assert received.headers["content-encoding"] == "aes128gcm"
    assert received.headers["ttl"] == "86400"
    assert received.headers["urgency"] == "normal"
    claims = verify_vapid(received.headers["authorization"], audience=push_service.origin)
    assert claims["sub"] == "mailto:noreply@coworklib.test"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    subscription.refresh_from_db()
    assert subscription.last_used_at is not None


def test_the_vapid_signature_does_not_verify_with_another_key(
    bob: User, subscriber: Browser, push_service: PushService
) -> None:
    push.send_push(subscription_of(bob, subscriber, push_service.endpoint()), PAYLOAD)
    values = dict(part.split("=", 1) for part in push_service.received[0].headers["authorization"][6:].split(","))
    header, claims, signature = values["t"].split(".")
    raw_signature = b64url_decode(signature)
    other = ec.generate_private_key(ec.SECP256R1()).public_key()

    with pytest.raises(InvalidSignature):
        other.verify(
            encode_dss_signature(int.from_bytes(raw_signature[:32]), int.from_bytes(raw_signature[32:])),
            f"{header}.{claims}".encode(),
            ec.ECDSA(hashes.SHA256()),
        )


def test_a_long_body_is_shortened_to_fit_one_push_message(
    bob: User, subscriber: Browser, push_service: PushService
) -> None:
    long_message: push.PushPayload = {**PAYLOAD, "body": "é" * 5000}

    result = push.send_push(subscription_of(bob, subscriber, push_service.endpoint()), long_message)

    assert result.outcome == push.PushOutcome.SENT
    delivered = subscriber.decrypt(push_service.received[0].body)
    assert delivered["body"].endswith("…")
    assert len(json.dumps(delivered, ensure_ascii=False, separators=(",", ":")).encode()) <= push.MAX_PAYLOAD_BYTES
    # RFC 8030: a push service need not accept more than 4096 bytes.
    assert len(push_service.received[0].body) <= 4096
    assert delivered["title"] == PAYLOAD["title"]


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_no_longer_knows_is_gone(
    bob: User, subscriber: Browser, push_service: PushService, status: int
) -> None:
    push_service.status = status
    subscription = subscription_of(bob, subscriber, push_service.endpoint())

    result = push.send_push(subscription, PAYLOAD)

    assert result.outcome == push.PushOutcome.GONE
    assert str(status) in result.error
    subscription.refresh_from_db()
    assert subscription.last_used_at is None


@pytest.mark.parametrize("status", [500, 503, 429, 413])
def test_a_refusal_of_the_push_service_is_retried_with_its_error(
    bob: User, subscriber: Browser, push_service: PushService, status: int
) -> None:
    push_service.status = status
    push_service.extra_headers = {"Retry-After": "120"}

    result = push.send_push(subscription_of(bob, subscriber, push_service.endpoint()), PAYLOAD)

    assert result.outcome == push.PushOutcome.RETRY
    assert str(status) in result.error
    assert result.retry_after == "120"


def test_an_unreachable_push_service_is_retried(bob: User, subscriber: Browser, push_service: PushService) -> None:
    endpoint = push_service.endpoint()
    push_service.server.shutdown()
    push_service.server.server_close()

    result = push.send_push(subscription_of(bob, subscriber, endpoint), PAYLOAD)

    assert result.outcome == push.PushOutcome.RETRY
    assert "ConnectionError" in result.error


# --- VAPID keys -------------------------------------------------------------------------------------------------


def test_the_key_pair_is_generated_once_into_a_private_file_and_reused(own_vapid_keys: Path) -> None:
    keys = push.vapid_keys()

    key_file = own_vapid_keys / "vapid_private.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    content = key_file.read_bytes()
    assert content.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert [path.name for path in own_vapid_keys.iterdir()] == ["vapid_private.pem"]
    push._load_keys.cache_clear()
    assert push.vapid_keys().public_key == keys.public_key
    assert key_file.read_bytes() == content


def test_the_public_key_is_the_uncompressed_point_browsers_take(own_vapid_keys: Path) -> None:
    public_key = push.vapid_keys().public_key

    raw = b64url_decode(public_key)
    assert "=" not in public_key
    assert len(raw) == 65
    assert raw[0] == 4
    stored = serialization.load_pem_private_key((own_vapid_keys / "vapid_private.pem").read_bytes(), password=None)
    assert isinstance(stored, ec.EllipticCurvePrivateKey)
    assert (
        stored.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        == raw
    )


def test_processes_creating_the_key_at_once_all_end_up_with_the_same_one(own_vapid_keys: Path) -> None:
    key_file = own_vapid_keys / "vapid_private.pem"
    start = threading.Barrier(8)
    public_keys: list[bytes] = []

    def create() -> None:
        start.wait()
        key = push._stored_private_key(key_file)
        public_keys.append(
            key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(public_keys) == 8
    assert len(set(public_keys)) == 1
    assert [path.name for path in own_vapid_keys.iterdir()] == ["vapid_private.pem"]


def test_a_configured_pem_key_is_used_and_nothing_is_written(
    own_vapid_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    monkeypatch.setenv("VAPID_PRIVATE_KEY", pem)

    public_key = push.vapid_keys().public_key

    assert public_key == b64url(
        key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    assert not (own_vapid_keys / "vapid_private.pem").exists()


def test_a_configured_raw_base64url_key_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    monkeypatch.setenv("VAPID_PRIVATE_KEY", b64url(key.private_numbers().private_value.to_bytes(32, "big")))

    public_key = push.vapid_keys().public_key

    assert public_key == b64url(
        key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


@pytest.mark.parametrize("configured", ["not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"])
def test_an_unreadable_configured_key_stops_loudly(monkeypatch: pytest.MonkeyPatch, configured: str) -> None:
    monkeypatch.setenv("VAPID_PRIVATE_KEY", configured)

    with pytest.raises(ImproperlyConfigured, match="VAPID"):
        push.vapid_keys()


def test_a_configured_key_on_another_curve_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    pem = (
        ec.generate_private_key(ec.SECP384R1())
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    monkeypatch.setenv("VAPID_PRIVATE_KEY", pem)

    with pytest.raises(ImproperlyConfigured, match="P-256"):
        push.vapid_keys()


# --- Subscriptions ------------------------------------------------------------------------------------------------


def test_subscribing_records_the_browser(bob: User, subscriber: Browser) -> None:
    subscription, created = push.subscribe(
        user=bob,
        endpoint="https://push.example.net/send/abc",
        p256dh=subscriber.p256dh,
        auth=subscriber.auth,
        user_agent="Firefox " + "x" * 300,
    )

    assert created is True
    assert PushSubscription.objects.get() == subscription
    assert (subscription.user, subscription.p256dh, subscription.auth) == (bob, subscriber.p256dh, subscriber.auth)
    assert len(subscription.user_agent) == 200


def test_subscribing_again_renews_the_keys_without_a_second_row(bob: User, subscriber: Browser) -> None:
    endpoint = "https://push.example.net/send/abc"
    push.subscribe(user=bob, endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth, user_agent="")
    renewed = Browser()

    subscription, created = push.subscribe(
        user=bob, endpoint=endpoint, p256dh=renewed.p256dh, auth=renewed.auth, user_agent=""
    )

    assert created is False
    assert PushSubscription.objects.count() == 1
    assert (subscription.p256dh, subscription.auth) == (renewed.p256dh, renewed.auth)


def test_a_browser_subscribed_by_someone_else_moves_to_the_new_user(
    bob: User, alice: User, subscriber: Browser
) -> None:
    endpoint = "https://push.example.net/send/shared-computer"
    push.subscribe(user=bob, endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth, user_agent="")

    subscription, created = push.subscribe(
        user=alice, endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth, user_agent=""
    )

    assert created is True
    assert list(PushSubscription.objects.values_list("user", flat=True)) == [alice.pk]
    assert subscription.user == alice


def test_a_user_keeps_at_most_a_bounded_number_of_browsers(bob: User, subscriber: Browser) -> None:
    for index in range(push.MAX_SUBSCRIPTIONS_PER_USER + 3):
        push.subscribe(
            user=bob,
            endpoint=f"https://push.example.net/send/{index}",
            p256dh=subscriber.p256dh,
            auth=subscriber.auth,
            user_agent="",
        )

    endpoints = set(PushSubscription.objects.filter(user=bob).values_list("endpoint", flat=True))
    assert len(endpoints) == push.MAX_SUBSCRIPTIONS_PER_USER
    assert f"https://push.example.net/send/{push.MAX_SUBSCRIPTIONS_PER_USER + 2}" in endpoints
    assert "https://push.example.net/send/0" not in endpoints


@pytest.mark.parametrize(
    "endpoint",
    [
        "",
        "push.example.net/send/abc",
        "ftp://push.example.net/send/abc",
        "http://push.example.net/send/abc",
        "https://user:secret@push.example.net/send/abc",
        "https://push.example.net:99999/send/abc",
        "https://10.0.0.5/send/abc",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00::1]/send",
        "https://push.example.net/send/a b",
        "https://push.example.net/" + "a" * 1000,
        "https:///send/abc",
    ],
)
def test_an_endpoint_that_is_not_a_push_service_is_refused(bob: User, subscriber: Browser, endpoint: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        push.subscribe(user=bob, endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth, user_agent="")

    assert refused.value.code == "invalid_endpoint"
    assert "https://" in refused.value.detail
    assert not PushSubscription.objects.exists()


def test_a_local_plain_http_endpoint_is_refused_outside_development(
    settings: Any, bob: User, subscriber: Browser
) -> None:
    settings.DEBUG = False
    settings.TESTING = False

    for endpoint in ("http://127.0.0.1:8080/push/abc", "https://127.0.0.1/push/abc", "https://localhost/push/abc"):
        with pytest.raises(InvalidInput):
            push.subscribe(user=bob, endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth, user_agent="")

    assert not PushSubscription.objects.exists()


def test_a_local_plain_http_endpoint_is_accepted_in_development(settings: Any, bob: User, subscriber: Browser) -> None:
    settings.DEBUG = True
    settings.TESTING = False

    _subscription, created = push.subscribe(
        user=bob,
        endpoint="http://localhost:8080/push/abc",
        p256dh=subscriber.p256dh,
        auth=subscriber.auth,
        user_agent="",
    )

    assert created is True


def _not_on_the_curve() -> str:
    # 0x04 then 64 bytes: the right shape, but (1, 1) is not a point of P-256.
    return b64url(b"\x04" + (1).to_bytes(32, "big") + (1).to_bytes(32, "big"))


@pytest.mark.parametrize(
    ("p256dh", "auth"),
    [
        # Fixed bytes, not random ones: pytest-xdist's workers must collect the same test ids.
        ("not base64!", None),
        (b64url(b"\x07" * 64), None),
        (b64url(b"\x07" * 66), None),
        (_not_on_the_curve(), None),
        ("", None),
        (None, "not+base64/"),
        (None, b64url(b"\x07" * 15)),
        (None, b64url(b"\x07" * 32)),
        (None, ""),
    ],
)
def test_keys_of_the_wrong_size_or_alphabet_are_refused(
    bob: User, subscriber: Browser, p256dh: str | None, auth: str | None
) -> None:
    with pytest.raises(InvalidInput) as refused:
        push.subscribe(
            user=bob,
            endpoint="https://push.example.net/send/abc",
            p256dh=subscriber.p256dh if p256dh is None else p256dh,
            auth=subscriber.auth if auth is None else auth,
            user_agent="",
        )

    assert refused.value.code == "invalid_keys"
    assert not PushSubscription.objects.exists()


def test_padded_base64url_keys_are_accepted(bob: User, subscriber: Browser) -> None:
    _subscription, created = push.subscribe(
        user=bob,
        endpoint="https://push.example.net/send/abc",
        p256dh=subscriber.p256dh + "=",
        auth=subscriber.auth + "==",
        user_agent="",
    )

    assert created is True


def test_unsubscribing_forgets_only_ones_own_browser(bob: User, alice: User, subscriber: Browser) -> None:
    subscription_of(bob, subscriber, "https://push.example.net/send/bob")
    subscription_of(alice, subscriber, "https://push.example.net/send/alice")

    push.unsubscribe(user=bob, endpoint="https://push.example.net/send/alice")
    push.unsubscribe(user=bob, endpoint="https://push.example.net/send/bob")
    push.unsubscribe(user=bob, endpoint="https://push.example.net/send/bob")

    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == ["https://push.example.net/send/alice"]


# --- API ------------------------------------------------------------------------------------------------------------


def subscription_body(subscriber: Browser, endpoint: str = "https://push.example.net/send/abc") -> dict[str, Any]:
    # What PushSubscription.toJSON() gives.
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": subscriber.p256dh, "auth": subscriber.auth},
    }


def test_the_public_key_is_served_to_anyone(db: Any, client: Client) -> None:
    response = client.get("/api/v1/push/key")

    assert response.status_code == 200
    assert response.json() == {"public_key": push.vapid_keys().public_key}
    assert reverse("api:push_key") == "/api/v1/push/key"


def test_posting_a_subscription_answers_201_then_200(client: Client, bob: User, subscriber: Browser) -> None:
    first = call(
        client, "POST", "/me/push-subscriptions", bob, subscription_body(subscriber), HTTP_USER_AGENT="Firefox"
    )
    again = call(client, "POST", "/me/push-subscriptions", bob, subscription_body(subscriber))

    assert first.status_code == 201
    body = first.json()
    assert (body["endpoint"], body["user_agent"], body["last_used_at"]) == (
        "https://push.example.net/send/abc",
        "Firefox",
        None,
    )
    assert again.status_code == 200
    subscription = PushSubscription.objects.get()
    assert (subscription.user, subscription.p256dh, subscription.auth) == (bob, subscriber.p256dh, subscriber.auth)


def test_posting_bad_keys_is_a_422_in_the_error_shape(client: Client, bob: User, subscriber: Browser) -> None:
    body = subscription_body(subscriber)
    body["keys"]["auth"] = b64url(os.urandom(8))

    response = call(client, "POST", "/me/push-subscriptions", bob, body)

    assert response.status_code == 422
    assert response.json() == {"detail": response.json()["detail"], "code": "invalid_keys"}
    assert "auth" in response.json()["detail"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"endpoint": "https://push.example.net/send/abc"},
        {"endpoint": 12, "keys": {"p256dh": "x", "auth": "y"}},
        {"endpoint": "https://push.example.net/send/abc", "keys": {"p256dh": ["x"], "auth": "y"}},
        {"endpoint": "https://push.example.net/send/abc", "keys": {"p256dh": "a/b+c", "auth": "y"}},
        {"endpoint": "http://push.example.net/send/abc", "keys": None},
        [],
    ],
)
def test_a_malformed_subscription_is_a_422(client: Client, bob: User, body: Any) -> None:
    response = call(client, "POST", "/me/push-subscriptions", bob, body)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert not PushSubscription.objects.exists()


def test_an_http_endpoint_is_a_422(client: Client, bob: User, subscriber: Browser) -> None:
    response = call(
        client, "POST", "/me/push-subscriptions", bob, subscription_body(subscriber, "http://push.example.net/x")
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_endpoint"


def test_subscriptions_need_a_logged_in_caller(db: Any, client: Client, subscriber: Browser) -> None:
    posted = call(client, "POST", "/me/push-subscriptions", None, subscription_body(subscriber))
    deleted = call(client, "DELETE", "/me/push-subscriptions", None, {"endpoint": "https://push.example.net/send/abc"})

    assert (posted.status_code, deleted.status_code) == (401, 401)
    assert posted.json()["code"] == "not_authenticated"
    assert not PushSubscription.objects.exists()


def test_a_session_caller_needs_the_csrf_token(bob: User, subscriber: Browser) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)

    response = client.post(
        "/api/v1/me/push-subscriptions", data=json.dumps(subscription_body(subscriber)), content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not PushSubscription.objects.exists()


def test_deleting_a_subscription_answers_204_and_forgets_it(client: Client, bob: User, subscriber: Browser) -> None:
    subscription_of(bob, subscriber, "https://push.example.net/send/abc")

    response = call(client, "DELETE", "/me/push-subscriptions", bob, {"endpoint": "https://push.example.net/send/abc"})

    assert response.status_code == 204
    assert not PushSubscription.objects.exists()


def test_deleting_someone_elses_subscription_changes_nothing(
    client: Client, bob: User, olivia: User, subscriber: Browser
) -> None:
    subscription_of(olivia, subscriber, "https://push.example.net/send/olivia")

    response = call(
        client, "DELETE", "/me/push-subscriptions", bob, {"endpoint": "https://push.example.net/send/olivia"}
    )

    assert response.status_code == 204
    assert PushSubscription.objects.get().user == olivia


def test_deleting_without_an_endpoint_is_a_422(client: Client, bob: User) -> None:
    response = call(client, "DELETE", "/me/push-subscriptions", bob, {})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_a_subscription_made_through_the_api_receives_pushes(
    client: Client, bob: User, subscriber: Browser, push_service: PushService
) -> None:
    response = call(
        client, "POST", "/me/push-subscriptions", bob, subscription_body(subscriber, push_service.endpoint())
    )
    assert response.status_code == 201

    result = push.send_push(PushSubscription.objects.get(user=bob), PAYLOAD)

    assert result.outcome == push.PushOutcome.SENT
    assert subscriber.decrypt(push_service.received[0].body) == PAYLOAD


# --- The installable app ---------------------------------------------------------------------------------------------


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(db: Any, client: Client) -> None:
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    for listener in ('addEventListener("push"', 'addEventListener("notificationclick"', 'addEventListener("fetch"'):
        assert listener in script
    assert "/static/icons/icon-192.png" in script
    assert reverse("notifications:service_worker") == "/sw.js"


def test_the_service_worker_offline_page_speaks_the_request_language(db: Any, client: Client) -> None:
    french = client.get("/sw.js", headers={"Accept-Language": "fr"}).content.decode()
    english = client.get("/sw.js", headers={"Accept-Language": "en"}).content.decode()

    assert "Vous êtes hors ligne" in js_string(french, "OFFLINE_PAGE")
    assert "You are offline" in js_string(english, "OFFLINE_PAGE") or 'lang: "en"' in english


def js_string(script: str, name: str) -> str:
    """The value of `const NAME = "…";` in a script, its escapejs escapes undone."""
    start = script.index(f'const {name} = "') + len(f'const {name} = "')
    value: str = json.loads('"' + script[start : script.index('";', start)] + '"')
    return value


def test_the_manifest_makes_the_app_installable(db: Any, client: Client) -> None:
    response = client.get("/manifest.webmanifest", headers={"Accept-Language": "fr"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = response.json()
    assert (manifest["name"], manifest["short_name"], manifest["start_url"], manifest["display"]) == (
        "Coworklib",
        "Coworklib",
        "/",
        "standalone",
    )
    assert manifest["lang"] == "fr"
    assert (manifest["theme_color"], manifest["background_color"]) == ("#b23c0a", "#faf8f5")
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/icons/")
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]
    assert reverse("notifications:manifest") == "/manifest.webmanifest"


def test_the_manifest_follows_the_request_language(db: Any, client: Client) -> None:
    french = client.get("/manifest.webmanifest", headers={"Accept-Language": "fr"}).json()
    english = client.get("/manifest.webmanifest", headers={"Accept-Language": "en"}).json()

    assert english["lang"] == "en"
    assert "Accept-Language" in client.get("/manifest.webmanifest")["Vary"]
    assert french["description"]


def test_the_png_icons_have_the_sizes_they_claim(db: Any) -> None:
    from PIL import Image

    for name, size in [("icon-192.png", 192), ("icon-512.png", 512), ("icon-maskable-512.png", 512)]:
        path = finders.find(f"icons/{name}")
        assert isinstance(path, str)
        with Image.open(path) as image:
            assert image.size == (size, size)


def test_the_push_controls_point_the_script_at_the_api(bob: User) -> None:
    request = RequestFactory().get("/settings")
    request.user = bob

    html = render_to_string("notifications/_push_controls.html", request=request)

    assert 'data-key-url="/api/v1/push/key"' in html
    assert 'data-subscriptions-url="/api/v1/me/push-subscriptions"' in html
    assert "data-push-subscribe" in html
    assert "data-push-unsubscribe" in html
    assert "/static/js/push.js" in html
    assert 'data-csrf-token="' in html


def test_b64_helpers_agree_with_the_module(subscriber: Browser) -> None:
    assert push._b64url_decode(subscriber.p256dh) == b64url_decode(subscriber.p256dh)
    with pytest.raises(binascii.Error):
        push._b64url_decode("a+b/")


# --- In a real browser ------------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_service_worker_shows_a_pushed_message_with_its_page(phone_page: Any, live_server: Any) -> None:
    page = phone_page
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    controls = render_to_string("notifications/_push_controls.html")
    # No page of the app shows the controls yet: a same-origin page made of them alone, served by the browser.
    page.route(
        f"{live_server.url}/push-controls-test",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body=f"<!DOCTYPE html><html lang='fr'><body>{controls}</body></html>",
        ),
    )
    page.goto("/push-controls-test")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("document.querySelector('[data-push-state]').textContent.includes('pas activées')")
    assert page.locator("[data-push-subscribe]").is_visible()
    assert not page.locator("[data-push-unsubscribe]").is_visible()

    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(500)
    [registration] = {r["registrationId"]: r for r in registrations if r["scopeURL"] == f"{live_server.url}/"}.values()
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": registration["registrationId"], "data": json.dumps(PAYLOAD)},
    )
    shown: Any = None
    for _attempt in range(50):
        shown = page.evaluate(
            """async () => (await (await navigator.serviceWorker.ready).getNotifications()).map(
              (n) => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url, icon: n.icon}))"""
        )
        if shown:
            break
        page.wait_for_timeout(100)

    assert shown == [
        {
            "title": PAYLOAD["title"],
            "body": PAYLOAD["body"],
            "tag": PAYLOAD["tag"],
            "url": f"{live_server.url}/sessions/12",
            "icon": f"{live_server.url}/static/icons/icon-192.png",
        }
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_subscription_the_browser_refuses_says_so_and_keeps_the_button(phone_page: Any, live_server: Any) -> None:
    # Headless chromium has no push service to register with: subscribe() fails, as it does when one is down.
    page = phone_page
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    controls = render_to_string("notifications/_push_controls.html")
    page.route(
        f"{live_server.url}/push-controls-test",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body=f"<!DOCTYPE html><html lang='fr'><body>{controls}</body></html>",
        ),
    )
    page.goto("/push-controls-test")
    page.wait_for_function("document.querySelector('[data-push-state]').textContent.includes('pas activées')")

    page.locator("[data-push-subscribe]").click()
    page.wait_for_function(
        "document.querySelector('[data-push-state]').textContent.startsWith('Cela n’a pas fonctionné')", timeout=20000
    )

    subscribe_button = page.locator("[data-push-subscribe]")
    assert subscribe_button.is_visible()
    assert subscribe_button.is_enabled()
    assert not PushSubscription.objects.exists()
