import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import PASSWORD
from coworklib.accounts.models import ApiToken, User


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel("2026-12-03 09:00:00+01:00", tick=False) as traveller:
        yield traveller


WRONG_PASSWORD = "wrong-password"


def web_attempt(client: Client, email: str, password: str = WRONG_PASSWORD) -> Any:
    return client.post("/accounts/login/", {"login": email, "password": password})


def api_attempt(client: Client, email: str, password: str = WRONG_PASSWORD, **headers: str) -> Any:
    return client.post(
        "/api/v1/auth/token",
        data=json.dumps({"email": email, "password": password}),
        content_type="application/json",
        headers=headers,
    )


def fail_five_times(client: Client, email: str = "bob@acme.test") -> None:
    for _ in range(5):
        assert web_attempt(client, email).status_code == 200


def test_five_failures_make_the_web_login_answer_429_even_with_the_right_password(
    bob: User, client: Client, clock: Any
) -> None:
    fail_five_times(client)

    response = web_attempt(client, "bob@acme.test", PASSWORD)

    assert response.status_code == 429
    assert int(response["Retry-After"]) == 900
    html = response.content.decode()
    assert "Trop de tentatives de connexion ont échoué" in html
    assert "15 minutes" in html
    assert 'value="bob@acme.test"' in html
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_throttle(bob: User, client: Client, clock: Any) -> None:
    for _ in range(4):
        web_attempt(client, "bob@acme.test")

    response = web_attempt(client, "bob@acme.test", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_the_throttle_counts_the_address_whatever_its_case(bob: User, client: Client, clock: Any) -> None:
    for email in ["bob@acme.test", "BOB@acme.test", "Bob@Acme.Test", " bob@acme.test", "bob@ACME.TEST"]:
        web_attempt(client, email)

    assert web_attempt(client, "bob@acme.test", PASSWORD).status_code == 429


def test_the_web_throttle_ends_when_the_window_has_passed(bob: User, client: Client, clock: Any) -> None:
    fail_five_times(client)
    clock.shift(899)
    assert web_attempt(client, "bob@acme.test", PASSWORD).status_code == 429

    clock.shift(2)
    response = web_attempt(client, "bob@acme.test", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_attempts_refused_while_throttled_do_not_extend_the_wait(bob: User, client: Client, clock: Any) -> None:
    fail_five_times(client)
    for _ in range(10):
        clock.shift(60)
        web_attempt(client, "bob@acme.test")

    clock.shift(301)

    assert web_attempt(client, "bob@acme.test", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(bob: User, client: Client, clock: Any) -> None:
    for _ in range(4):
        web_attempt(client, "bob@acme.test")
    assert web_attempt(client, "bob@acme.test", PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    for _ in range(4):
        assert web_attempt(client, "bob@acme.test").status_code == 200

    assert web_attempt(client, "bob@acme.test", PASSWORD).status_code == 302


def test_throttling_one_address_leaves_the_others_alone(bob: User, alice: User, client: Client, clock: Any) -> None:
    fail_five_times(client)

    assert web_attempt(client, "alice@acme.test", PASSWORD).status_code == 302


def test_the_api_token_endpoint_answers_429_with_retry_after(bob: User, client: Client, clock: Any) -> None:
    for _ in range(5):
        assert api_attempt(client, "bob@acme.test").status_code == 401

    response = api_attempt(client, "bob@acme.test", PASSWORD)

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response.json()["detail"]
    assert int(response["Retry-After"]) == 900
    assert not ApiToken.objects.filter(user=bob).exists()


def test_web_and_api_failures_count_together(bob: User, client: Client, clock: Any) -> None:
    for _ in range(3):
        web_attempt(client, "bob@acme.test")
    for _ in range(2):
        api_attempt(client, "bob@acme.test")

    assert web_attempt(client, "bob@acme.test", PASSWORD).status_code == 429
    assert api_attempt(client, "bob@acme.test", PASSWORD).status_code == 429


def test_the_api_throttle_ends_when_the_window_has_passed(bob: User, client: Client, clock: Any) -> None:
    for _ in range(5):
        api_attempt(client, "bob@acme.test")
    clock.shift(901)

    response = api_attempt(client, "bob@acme.test", PASSWORD)

    assert response.status_code == 200
    assert ApiToken.objects.filter(user=bob).count() == 1


def test_a_successful_api_login_resets_the_count(bob: User, client: Client, clock: Any) -> None:
    for _ in range(4):
        api_attempt(client, "bob@acme.test")
    assert api_attempt(client, "bob@acme.test", PASSWORD).status_code == 200

    for _ in range(4):
        assert api_attempt(client, "bob@acme.test").status_code == 401

    assert api_attempt(client, "bob@acme.test", PASSWORD).status_code == 200


def test_one_ip_failing_for_many_addresses_is_refused_for_every_address(
    bob: User, client: Client, clock: Any, settings: Any
) -> None:
    settings.LOGIN_THROTTLE_MAX_EMAILS_PER_IP = 3
    for index in range(3):
        api_attempt(client, f"someone{index}@acme.test")

    refused = api_attempt(client, "bob@acme.test", PASSWORD)
    other_ip = api_attempt(Client(REMOTE_ADDR="203.0.113.9"), "bob@acme.test", PASSWORD)

    assert refused.status_code == 429
    assert other_ip.status_code == 200


def test_repeated_failures_for_one_address_do_not_throttle_its_ip(
    bob: User, alice: User, client: Client, clock: Any, settings: Any
) -> None:
    # One person mistyping behind an office NAT must not lock out colleagues.
    settings.LOGIN_THROTTLE_MAX_EMAILS_PER_IP = 3
    for _ in range(5):
        api_attempt(client, "bob@acme.test")

    assert api_attempt(client, "alice@acme.test", PASSWORD).status_code == 200
