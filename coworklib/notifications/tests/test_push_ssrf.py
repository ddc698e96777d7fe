"""A push subscription cannot make the server connect to itself or its network (issue 14 §3).

Subscribing refuses every other notation of a local address; sending resolves the endpoint's name once,
connects only to a public address, and drops the subscription otherwise, in one log line. The push
services and the listening sockets are real, on loopback; only DNS answers are made up.
"""

import json
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from coworklib.accounts.models import User
from coworklib.core import outgoing_http
from coworklib.core.tests.network import Listener, Resolver
from coworklib.notifications import push
from coworklib.notifications.models import Channel, Delivery, DeliveryStatus, PushSubscription
from coworklib.notifications.tests.conftest import Browser, PushService
from coworklib.organizations.models import Organization
from coworklib.planning import services as planning_services
from coworklib.workspaces.tests.factories import call, make_workspace, membership_of

PAYLOAD: push.PushPayload = {"title": "Session", "body": "Alice sera à Lyon.", "url": "/sessions/1", "tag": "s-1"}

# Accepted with a 201 before this fix: each names this machine, in a notation the old check did not know.
BYPASSES = [
    "https://127.1/x",
    "https://0x7f000001/x",
    "https://2130706433/x",
    "https://0177.0.0.1/x",
    "https://localhost./x",
    "https://127.0.1/x",
    "https://0x7f.0.0.1/x",
    "https://127.000.000.001/x",
    "https://push.localhost/x",
    "https://push.example.net.0x7f/x",
    "https://push.example.net./x",
    "https://push..example.net/x",
    "https://" + "a" * 64 + ".example.net/x",
    "https://" + "a." * 127 + "net/x",
    "https://pûsh.example.net/x",
    "https://push%2eexample.net/x",
    "https://intranet/x",
    "https://push.example.net/x#fragment",
]


@pytest.fixture
def production(settings: Any) -> None:
    settings.DEBUG = False
    settings.TESTING = False


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    return Resolver(monkeypatch)


@pytest.fixture
def listener() -> Iterator[Listener]:
    recorder = Listener()
    yield recorder
    recorder.close()


def subscription_body(subscriber: Browser, endpoint: str) -> dict[str, Any]:
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": subscriber.p256dh, "auth": subscriber.auth},
    }


# --- Subscribing ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", BYPASSES)
def test_an_endpoint_in_another_notation_of_a_local_host_is_a_422_and_nothing_is_stored(
    production: None, client: Client, bob: User, subscriber: Browser, endpoint: str
) -> None:
    response = call(client, "POST", "/me/push-subscriptions", bob, subscription_body(subscriber, endpoint))

    assert response.status_code == 422
    # `invalid`: refused by the schema's pattern; `invalid_endpoint`: by the service.
    assert response.json()["code"] in {"invalid", "invalid_endpoint"}
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1/x",
        "https://localhost/x",
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.5/x",
        "https://100.64.0.1/x",
        "https://0.0.0.0/x",
        "https://224.0.0.1/x",
        "https://push.example.net@127.0.0.1/x",
        "https://push.example.net\\@127.0.0.1/x",
        "https://push.example.net:0/x",
        "https://push.example.net:65536/x",
        "http://push.example.net/x",
        "http://127.0.0.1:8080/x",
    ],
)
def test_an_endpoint_on_a_local_address_stays_a_422(
    production: None, client: Client, bob: User, subscriber: Browser, endpoint: str
) -> None:
    response = call(client, "POST", "/me/push-subscriptions", bob, subscription_body(subscriber, endpoint))

    assert response.status_code == 422
    assert response.json()["code"] in {"invalid", "invalid_endpoint"}
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("endpoint", ["https://127.1/x", "https://0x7f000001/x", "https://localhost./x"])
def test_the_settings_page_way_of_subscribing_refuses_them_too(
    production: None, bob: User, subscriber: Browser, endpoint: str
) -> None:
    # What static/js/push.js does: the session cookie and the CSRF token the settings page carries.
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    page = client.get("/notifications/settings/")
    token = re.search(r'data-csrf-token="([^"]+)"', page.content.decode())
    assert token is not None

    response = client.post(
        "/api/v1/me/push-subscriptions",
        data=json.dumps(subscription_body(subscriber, endpoint)),
        content_type="application/json",
        headers={"X-CSRFToken": token.group(1)},
    )

    assert response.status_code == 422
    assert not PushSubscription.objects.exists()
    accepted = client.post(
        "/api/v1/me/push-subscriptions",
        data=json.dumps(subscription_body(subscriber, "https://fcm.googleapis.com/fcm/send/abc")),
        content_type="application/json",
        headers={"X-CSRFToken": token.group(1)},
    )
    assert accepted.status_code == 201


def test_the_schema_declares_the_endpoint_pattern_and_length_the_server_enforces(
    production: None, client: Client
) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    endpoint = schema["components"]["schemas"]["PushSubscriptionIn"]["properties"]["endpoint"]

    assert endpoint["pattern"] == outgoing_http.URL_PATTERN
    assert endpoint["maxLength"] == push.ENDPOINT_MAX_LENGTH
    # What the pattern lets through, the server still refuses when it is not a public host.
    through_the_pattern = [bypass for bypass in BYPASSES if re.search(endpoint["pattern"], bypass)]
    assert "https://push.localhost/x" in through_the_pattern
    for bypass in through_the_pattern:
        with pytest.raises(outgoing_http.DestinationRefused):
            outgoing_http.checked_url(bypass)


# --- Sending ------------------------------------------------------------------------------------------------------


def test_a_stored_endpoint_in_a_numeric_notation_is_refused_at_send_time_without_connecting(
    production: None, bob: User, subscriber: Browser, listener: Listener
) -> None:
    # A row saved before subscribing checked this form: the sender checks again.
    subscription = PushSubscription.objects.create(
        user=bob, endpoint=f"https://127.1:{listener.port}/x", p256dh=subscriber.p256dh, auth=subscriber.auth
    )

    result = push.send_push(subscription, PAYLOAD)

    assert listener.connections() == 0
    assert result.outcome == push.PushOutcome.REFUSED


def test_a_push_service_redirect_is_not_followed(
    bob: User, subscriber: Browser, push_service: PushService, settings: Any
) -> None:
    settings.TESTING = True  # the local push service is plain http on 127.0.0.1
    elsewhere = PushService()
    elsewhere.thread.start()
    try:
        push_service.status = 307
        push_service.extra_headers = {"Location": f"{elsewhere.origin}/latest/meta-data"}
        subscription = PushSubscription.objects.create(
            user=bob, endpoint=push_service.endpoint(), p256dh=subscriber.p256dh, auth=subscriber.auth
        )

        result = push.send_push(subscription, PAYLOAD)

        assert result.outcome == push.PushOutcome.RETRY
        assert "307" in result.error
        assert len(push_service.received) == 1
        assert elsewhere.received == []
    finally:
        elsewhere.server.shutdown()
        elsewhere.server.server_close()


@pytest.mark.django_db(transaction=True)
def test_the_worker_drops_a_subscription_whose_name_resolves_to_this_machine_without_connecting(
    production: None,
    alice: User,
    bob: User,
    acme: Organization,
    subscriber: Browser,
    resolver: Resolver,
    listener: Listener,
    caplog: pytest.LogCaptureFixture,
) -> None:
    endpoint = f"https://push.rebound.test:{listener.port}/send/bob"
    resolver.answer("push.rebound.test", ["127.0.0.1"])
    # Any name is accepted when subscribing: it is not resolved then (its answers may change before sending).
    subscribed = call(Client(), "POST", "/me/push-subscriptions", bob, subscription_body(subscriber, endpoint))
    assert subscribed.status_code == 201
    workspace = make_workspace(alice, acme, "Lyon")
    start = (timezone.now() + timedelta(days=2)).replace(hour=8, minute=0, second=0, microsecond=0)
    for day in (0, 1):
        planning_services.create_session(
            by=membership_of(alice, acme),
            workspace=workspace,
            start=start + timedelta(days=day),
            end=start + timedelta(days=day, hours=8),
            invitee_ids=[bob.pk],
        )

    with caplog.at_level(logging.INFO):
        call_command("worker", "--batch", verbosity=0)
        call_command("worker", "--batch", verbosity=0)

    assert listener.connections() == 0
    assert not PushSubscription.objects.exists()
    pushes = Delivery.objects.filter(channel=Channel.PUSH, recipient=bob)
    assert pushes.count() == 2
    assert set(pushes.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}
    assert "127.0.0.1" in pushes.order_by("id").first().last_error  # type: ignore[union-attr]
    problems = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(problems) == 1
    [dropped] = problems
    assert dropped.name == "coworklib.notifications.delivery"
    assert "\n" not in dropped.getMessage()
    assert "push.rebound.test resolves to 127.0.0.1, not a public address" in dropped.getMessage()
    assert dropped.exc_info is None
    assert resolver.lookups == ["push.rebound.test"]
