"""Fixtures for the accounts tests; the cast (alice, bob…) is in the root conftest."""

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from conftest import PASSWORD
from coworklib.accounts.models import User


@pytest.fixture
def unverified(db: Any) -> User:
    """Signed up, but never opened the confirmation e-mail."""
    user = User.objects.create_user(email="una@acme.test", password=PASSWORD, first_name="Una", last_name="Unverified")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    return user


@pytest.fixture
def web_login(client: Client) -> Any:
    """Log ``user`` in through the real login form (so allauth records the authentication)."""

    def login(user: User, password: str = PASSWORD) -> Client:
        response = client.post("/accounts/login/", {"login": user.email, "password": password})
        assert response.status_code == 302, response.content.decode()[:2000]
        return client

    return login
