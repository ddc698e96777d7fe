"""``GET /me/export`` and ``DELETE /me`` (API.md)."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from conftest import PASSWORD, bearer
from coworklib.accounts.models import ApiToken, User
from coworklib.accounts.tests.test_mfa import totp_code, wrong_code
from coworklib.organizations.models import Membership, Organization, Role


def delete_me(client: Client, user: User, **body: Any) -> Any:
    return client.delete(
        "/api/v1/me", json.dumps({"password": PASSWORD, **body}), content_type="application/json", headers=bearer(user)
    )


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel("2026-12-03 09:00:00+01:00", tick=False) as traveller:
        yield traveller


def test_the_export_gives_the_callers_data_as_json(client: Client, bob: User, alice: User) -> None:
    response = client.get("/api/v1/me/export", headers=bearer(bob))
    assert response.status_code == 200
    data = response.json()
    assert data["format"] == "coworklib-personal-data" and data["version"] == 1
    assert data["accounts"]["profile"]["email"] == "bob@acme.test"
    assert data["organizations"]["memberships"][0]["organization"] == "Acme"
    assert "alice@acme.test" not in response.content.decode()


def test_the_export_needs_a_signed_in_caller(client: Client) -> None:
    assert client.get("/api/v1/me/export").status_code == 401


def test_deleting_with_the_wrong_password_is_refused_and_deletes_nothing(client: Client, bob: User) -> None:
    response = delete_me(client, bob, password="not-the-password")
    assert response.status_code == 403 and response.json()["code"] == "wrong_password"
    bob.refresh_from_db()
    assert not bob.is_deleted and bob.email == "bob@acme.test"


def test_deleting_with_the_password_erases_the_account(client: Client, bob: User, acme: Organization) -> None:
    assert delete_me(client, bob).status_code == 204
    bob.refresh_from_db()
    assert bob.is_deleted and bob.first_name == "" and "bob" not in bob.email
    assert not Membership.objects.filter(user=bob).exists()
    assert not ApiToken.objects.filter(user=bob).exists()


def test_deleting_twice_is_harmless(bob: User) -> None:
    from coworklib.privacy.services import erase_user

    erase_user(user=bob)
    erase_user(user=bob)
    bob.refresh_from_db()
    assert bob.is_deleted


def test_an_account_with_mfa_needs_a_valid_code(client: Client, bob: User, clock: Any) -> None:
    secret = generate_totp_secret()
    TOTP.activate(bob, secret)
    missing = delete_me(client, bob)
    assert missing.status_code == 403 and missing.json()["code"] == "mfa_required"
    wrong = delete_me(client, bob, code=wrong_code(secret))
    assert wrong.status_code == 403 and wrong.json()["code"] == "mfa_required"
    bob.refresh_from_db()
    assert not bob.is_deleted
    assert delete_me(client, bob, code=totp_code(secret)).status_code == 204


def test_the_only_owner_is_told_to_hand_the_organization_over_first(client: Client, alice: User, bob: User) -> None:
    response = delete_me(client, alice)
    assert response.status_code == 409
    assert response.json()["code"] == "last_owner" and response.json()["organizations"] == ["acme"]
    assert "Acme" in response.json()["detail"]
    alice.refresh_from_db()
    assert not alice.is_deleted


def test_a_sole_member_deletes_their_organization_with_their_account(client: Client, olivia: User) -> None:
    assert delete_me(client, olivia).status_code == 204
    assert not Organization.objects.filter(slug="globex").exists()


def test_a_second_owner_lets_an_owner_leave(client: Client, alice: User, carol: User, acme: Organization) -> None:
    Membership.objects.filter(user=carol, organization=acme).update(role=Role.OWNER)
    assert delete_me(client, alice).status_code == 204


def test_repeated_wrong_passwords_are_throttled(client: Client, bob: User, settings: Any) -> None:
    for _ in range(settings.LOGIN_THROTTLE_MAX_FAILURES):
        assert delete_me(client, bob, password="guess").status_code == 403
    response = delete_me(client, bob)
    assert response.status_code == 429 and "Retry-After" in response
    bob.refresh_from_db()
    assert not bob.is_deleted


def test_the_deletion_refuses_a_body_without_a_password(client: Client, bob: User) -> None:
    response = client.delete("/api/v1/me", json.dumps({}), content_type="application/json", headers=bearer(bob))
    assert response.status_code == 422


def test_the_restriction_of_processing_is_switched_through_patch_me(client: Client, bob: User) -> None:
    response = client.patch(
        "/api/v1/me", json.dumps({"processing_restricted": True}), content_type="application/json", headers=bearer(bob)
    )
    assert response.status_code == 200 and response.json()["processing_restricted"] is True
    bob.refresh_from_db()
    assert bob.processing_restricted_at is not None
    response = client.patch(
        "/api/v1/me", json.dumps({"processing_restricted": False}), content_type="application/json", headers=bearer(bob)
    )
    assert response.json()["processing_restricted"] is False
    bob.refresh_from_db()
    assert bob.processing_restricted_at is None


def test_the_last_owner_is_refused_before_the_password_or_a_code_is_checked(
    client: Client, alice: User, bob: User
) -> None:
    # A recovery code works once: it must not be spent on a deletion that cannot happen.
    response = delete_me(client, alice, password="not-the-password", code="recovery-code")
    assert response.status_code == 409 and response.json()["code"] == "last_owner"


def test_a_profile_change_that_arrives_after_the_erasure_writes_nothing_back(bob: User) -> None:
    from coworklib.accounts.services import update_profile
    from coworklib.core.errors import NotFound
    from coworklib.privacy.services import erase_user

    stale = User.objects.get(pk=bob.pk)  # loaded by a request that authenticated before the deletion
    erase_user(user=bob)
    with pytest.raises(NotFound):
        update_profile(user=stale, first_name="Robert", job_title="Comptable")
    bob.refresh_from_db()
    assert bob.first_name == "" and bob.job_title == ""
