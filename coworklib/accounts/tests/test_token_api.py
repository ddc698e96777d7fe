import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, bearer
from coworklib.accounts.models import ApiToken, User, hash_token


def obtain(client: Client, body: Any, **headers: str) -> Any:
    return client.post("/api/v1/auth/token", data=json.dumps(body), content_type="application/json", headers=headers)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_valid_credentials_give_a_token_that_authenticates(bob: User, client: Client) -> None:
    response = obtain(client, {"email": "bob@acme.test", "password": PASSWORD})

    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.get(user=bob).token_hash == hash_token(token)
    me = client.get("/api/v1/me", headers=auth(token))
    assert me.status_code == 200
    assert me.json()["email"] == "bob@acme.test"


def test_the_raw_token_is_never_stored(bob: User, client: Client) -> None:
    token = obtain(client, {"email": "bob@acme.test", "password": PASSWORD}).json()["token"]

    stored = ApiToken.objects.get(user=bob)
    assert token not in {stored.token_hash, stored.prefix, stored.name}
    assert token.startswith("cwl_" + stored.prefix)


def test_the_token_is_named_after_the_body_or_the_user_agent(bob: User, client: Client) -> None:
    obtain(client, {"email": "bob@acme.test", "password": PASSWORD, "name": "Pixel de Bob"})
    obtain(client, {"email": "bob@acme.test", "password": PASSWORD}, **{"User-Agent": "Coworklib-iOS/1.0"})

    assert set(ApiToken.objects.filter(user=bob).values_list("name", flat=True)) == {
        "Pixel de Bob",
        "Coworklib-iOS/1.0",
    }


def test_the_address_is_matched_whatever_its_case(bob: User, client: Client) -> None:
    response = obtain(client, {"email": "BOB@Acme.test", "password": PASSWORD})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"email": "bob@acme.test", "password": "wrong-password"},
        {"email": "nobody@acme.test", "password": PASSWORD},
    ],
    ids=["wrong password", "unknown address"],
)
def test_bad_credentials_are_401_invalid_credentials(bob: User, client: Client, body: dict[str, str]) -> None:
    response = obtain(client, body)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_an_unverified_address_is_401_and_says_why(unverified: User, client: Client) -> None:
    response = obtain(client, {"email": unverified.email, "password": PASSWORD})

    assert response.status_code == 401
    assert response.json()["code"] == "email_not_verified"
    assert not ApiToken.objects.exists()


def test_an_inactive_account_gets_no_token(bob: User, client: Client) -> None:
    User.objects.filter(pk=bob.pk).update(is_active=False)

    response = obtain(client, {"email": "bob@acme.test", "password": PASSWORD})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_a_deleted_account_gets_no_token(bob: User, client: Client) -> None:
    User.objects.filter(pk=bob.pk).update(deleted_at=timezone.now())

    response = obtain(client, {"email": "bob@acme.test", "password": PASSWORD})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("change", [{"is_active": False}, {"deleted_at": timezone.now()}], ids=["inactive", "deleted"])
def test_an_existing_token_stops_working_when_its_account_is_inactive_or_deleted(
    bob: User, client: Client, change: dict[str, Any]
) -> None:
    headers = bearer(bob)
    User.objects.filter(pk=bob.pk).update(**change)

    response = client.get("/api/v1/me", headers=headers)

    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "bob@acme.test"},
        {"password": PASSWORD},
        {"email": "", "password": PASSWORD},
        {"email": "bob@acme.test", "password": ""},
        {"email": 42, "password": PASSWORD},
        {"email": "bob@acme.test", "password": ["a"]},
        {"email": "bob\u0000@acme.test", "password": PASSWORD},
        {"email": "x" * 300, "password": PASSWORD},
        {"email": "bob@acme.test", "password": PASSWORD, "code": "1" * 65},
        [],
        "bob",
    ],
)
def test_malformed_bodies_are_422_and_issue_nothing(bob: User, client: Client, body: Any) -> None:
    response = obtain(client, body)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert not ApiToken.objects.exists()


def test_a_body_that_is_not_json_is_422(bob: User, client: Client) -> None:
    response = client.post("/api/v1/auth/token", data="email=bob", content_type="application/json")

    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_delete_revokes_the_token_of_the_request(bob: User, client: Client) -> None:
    token = obtain(client, {"email": "bob@acme.test", "password": PASSWORD}).json()["token"]
    other_headers = bearer(bob)

    response = client.delete("/api/v1/auth/token", headers=auth(token))

    assert response.status_code == 204
    assert response.content == b""
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 401
    assert client.get("/api/v1/me", headers=other_headers).status_code == 200
    assert ApiToken.objects.filter(user=bob).count() == 1


def test_delete_without_a_bearer_token_is_401(bob: User, client: Client) -> None:
    client.force_login(bob)

    response = client.delete("/api/v1/auth/token")

    assert response.status_code == 401


def test_a_token_records_when_it_was_last_used(bob: User, client: Client) -> None:
    headers = bearer(bob)

    client.get("/api/v1/me", headers=headers)

    assert ApiToken.objects.get(user=bob).last_used_at is not None
