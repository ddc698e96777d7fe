"""Helpers for the organizations tests; the cast (alice, bob, carol, olivia) is in the root conftest."""

import json
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from conftest import bearer, make_user
from coworklib.accounts.models import User
from coworklib.organizations.models import JoinRequest, Organization


class Api:
    """Calls /api/v1 as a given user (bearer token), or anonymously with user=None."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def __call__(self, method: str, path: str, user: User | None = None, body: Any = None, **extra: Any) -> Any:
        headers = bearer(user) if user is not None else {}
        kwargs: dict[str, Any] = {"headers": headers, **extra}
        if body is not None:
            kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method.lower())(f"/api/v1{path}", **kwargs)


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


@pytest.fixture
def dave(db: Any) -> User:
    """Someone with an account and no organization."""
    return make_user("dave@dave.test", first_name="Dave", last_name="Durand")


@pytest.fixture
def dave_pending(acme: Organization, dave: User) -> JoinRequest:
    """Dave asked to join Acme; nobody answered yet."""
    return JoinRequest.objects.create(organization=acme, user=dave, message="Bonjour, je suis Dave.")


def give_mfa(user: User) -> None:
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow (~0.1 s a hash) and the cast hashes a password
    # per person per test; these tests are about organizations, not passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
