"""HEAD and wrong methods on API paths, caching of the token endpoint, Permissions-Policy everywhere."""

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from conftest import PASSWORD, bearer
from coworklib.accounts.models import User


def test_head_on_a_get_endpoint_answers_like_get_without_a_body(bob: User, client: Client) -> None:
    got = client.get("/api/v1/me", headers=bearer(bob))

    response = client.head("/api/v1/me", headers=bearer(bob))

    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Type"] == got["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Length"] == str(len(got.content))


def test_head_without_a_token_is_refused_like_get(client: Client) -> None:
    response = client.head("/api/v1/me")

    assert response.status_code == 401
    assert response.content == b""


def test_a_method_a_path_does_not_take_is_a_json_405_with_allow(bob: User, client: Client) -> None:
    response = client.put("/api/v1/me", headers=bearer(bob))

    assert response.status_code == 405
    assert response.json() == {"detail": "La méthode PUT n'est pas permise ici.", "code": "method_not_allowed"}
    assert response["Allow"] == "GET, HEAD, PATCH, DELETE"


def test_head_on_a_path_without_get_is_a_405_whose_allow_names_the_methods(client: Client) -> None:
    response = client.head("/api/v1/auth/token")

    assert response.status_code == 405
    assert response["Allow"] == "POST, DELETE"
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_the_405_speaks_the_language_of_the_request(client: Client) -> None:
    response = client.get("/api/v1/auth/token", headers={"Accept-Language": "en"})

    assert response.json() == {"detail": "The method GET is not allowed here.", "code": "method_not_allowed"}


def test_an_unknown_api_path_is_a_json_404(bob: User, client: Client) -> None:
    response = client.get("/api/v1/no-such-thing", headers=bearer(bob))

    assert response.status_code == 404
    assert response.json() == {"detail": "Introuvable.", "code": "not_found"}


@pytest.fixture
def no_throttle_left() -> Any:
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"email": "bob@acme.test", "password": PASSWORD}, 200),
        ({"email": "bob@acme.test", "password": "wrong"}, 401),
        ({"email": "bob@acme.test"}, 422),
    ],
)
def test_every_answer_of_the_token_endpoint_is_never_cached(
    body: dict[str, str], status: int, bob: User, client: Client, no_throttle_left: None
) -> None:
    response = client.post("/api/v1/auth/token", body, content_type="application/json")

    assert response.status_code == status
    assert "no-store" in response["Cache-Control"]


def test_a_throttled_token_request_is_never_cached(
    bob: User, client: Client, settings: Any, no_throttle_left: None
) -> None:
    settings.LOGIN_THROTTLE_MAX_FAILURES = 1
    wrong = {"email": "bob@acme.test", "password": "wrong"}
    client.post("/api/v1/auth/token", wrong, content_type="application/json")

    response = client.post("/api/v1/auth/token", wrong, content_type="application/json")

    assert response.status_code == 429
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/api/v1/openapi.json", "/api/v1/me", "/static/img/logo.svg", "/no-such-page/"]
)
def test_every_answer_carries_a_permissions_policy(path: str, client: Client, db: Any) -> None:
    response = client.get(path)

    policy = {
        feature.strip(): allowed
        for feature, _equals, allowed in (item.partition("=") for item in response["Permissions-Policy"].split(","))
    }
    assert policy["camera"] == "(self)"  # scanning a check-in QR code
    for denied in ("geolocation", "microphone", "payment", "usb", "display-capture", "serial", "hid"):
        assert policy[denied] == "()"
    # Passkeys sign in through WebAuthn: those features must keep their default (our own origin).
    assert "publickey-credentials-get" not in policy
    assert "publickey-credentials-create" not in policy
