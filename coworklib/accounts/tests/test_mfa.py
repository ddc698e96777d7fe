import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client

from conftest import PASSWORD
from coworklib.accounts.models import ApiToken, User
from coworklib.accounts.selectors import user_has_mfa


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def wrong_code(secret: str) -> str:
    return f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"


def obtain(client: Client, **body: str) -> Any:
    body = {"email": "bob@acme.test", "password": PASSWORD, **body}
    return client.post("/api/v1/auth/token", data=json.dumps(body), content_type="application/json")


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel("2026-12-03 09:00:00+01:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def bob_secret(bob: User) -> str:
    """Bob has an authenticator app (and the recovery codes allauth adds with it)."""
    secret = generate_totp_secret()
    TOTP.activate(bob, secret)
    RecoveryCodes.activate(bob)
    return secret


def test_enabling_totp_through_the_web_pages(bob: User, client: Client, clock: Any) -> None:
    client.post("/accounts/login/", {"login": "bob@acme.test", "password": PASSWORD})
    assert not user_has_mfa(bob)

    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked.status_code == 302  # allauth asks for the password first
    client.post(asked["Location"], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    secret = client.session["mfa.totp.secret"]
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})

    assert page.status_code == 200
    assert "settings-nav" in page.content.decode()
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=bob, type=Authenticator.Type.TOTP).exists()
    assert user_has_mfa(bob)


def test_the_mfa_page_is_in_our_layout(bob: User, client: Client) -> None:
    client.force_login(bob)

    response = client.get("/accounts/2fa/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="settings-nav"' in html
    assert 'class="card panel"' in html
    assert 'href="/accounts/2fa/"' in html


def test_web_login_with_totp_asks_for_the_code_before_signing_in(
    bob: User, bob_secret: str, client: Client, clock: Any
) -> None:
    response = client.post("/accounts/login/", {"login": "bob@acme.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session

    client.post("/accounts/2fa/authenticate/", {"code": totp_code(bob_secret)})

    assert client.session["_auth_user_id"] == str(bob.pk)


def test_the_api_refuses_a_password_alone_when_totp_is_on(bob: User, bob_secret: str, client: Client) -> None:
    response = obtain(client)

    assert response.status_code == 401
    assert response.json()["code"] == "mfa_required"
    assert not ApiToken.objects.exists()


def test_the_api_gives_a_token_with_the_password_and_the_current_code(
    bob: User, bob_secret: str, client: Client, clock: Any
) -> None:
    response = obtain(client, code=totp_code(bob_secret))

    assert response.status_code == 200
    assert ApiToken.objects.filter(user=bob).count() == 1


def test_the_api_refuses_a_wrong_code(bob: User, bob_secret: str, client: Client, clock: Any) -> None:
    response = obtain(client, code=wrong_code(bob_secret))

    assert response.status_code == 401
    assert response.json()["code"] == "mfa_required"
    assert not ApiToken.objects.exists()


def test_a_totp_code_works_only_once(bob: User, bob_secret: str, client: Client, clock: Any) -> None:
    code = totp_code(bob_secret)
    assert obtain(client, code=code).status_code == 200

    response = obtain(client, code=code)

    assert response.status_code == 401
    assert ApiToken.objects.filter(user=bob).count() == 1


def test_wrong_codes_count_towards_the_throttle(bob: User, bob_secret: str, client: Client, clock: Any) -> None:
    for _ in range(5):
        assert obtain(client, code=wrong_code(bob_secret)).status_code == 401

    response = obtain(client, code=totp_code(bob_secret))

    assert response.status_code == 429
    assert not ApiToken.objects.exists()


def test_a_recovery_code_is_accepted_once(bob: User, bob_secret: str, client: Client) -> None:
    recovery = Authenticator.objects.get(user=bob, type=Authenticator.Type.RECOVERY_CODES).wrap()
    code = recovery.get_unused_codes()[0]

    first = obtain(client, code=code)
    second = obtain(client, code=code)

    assert first.status_code == 200
    assert second.status_code == 401


def test_a_security_key_also_blocks_password_tokens_and_points_to_the_way_out(bob: User, client: Client) -> None:
    Authenticator.objects.create(user=bob, type=Authenticator.Type.WEBAUTHN, data={"name": "YubiKey"})
    recovery_code = RecoveryCodes.activate(bob).get_unused_codes()[0]

    refused = obtain(client)
    accepted = obtain(client, code=recovery_code)

    assert refused.status_code == 401
    assert refused.json()["code"] == "mfa_required"
    assert "clé de sécurité" in refused.json()["detail"]
    assert accepted.status_code == 200
    assert ApiToken.objects.filter(user=bob).count() == 1


def test_user_has_mfa_is_false_for_recovery_codes_alone_and_anonymous(bob: User) -> None:
    from django.contrib.auth.models import AnonymousUser

    RecoveryCodes.activate(bob)

    assert not user_has_mfa(bob)
    assert not user_has_mfa(AnonymousUser())
