from typing import Any

import pytest
from django.test import Client

from conftest import make_user
from coworklib.accounts.models import ApiToken, LegalAcceptance, User


@pytest.fixture
def staff_client(db: Any, client: Client) -> Client:
    client.force_login(make_user("root@coworklib.test", is_staff=True, is_superuser=True))
    return client


def test_users_are_listed_and_searched_by_email(staff_client: Client, bob: User, alice: User) -> None:
    response = staff_client.get("/staff/admin/accounts/user/", {"q": "bob@"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "bob@acme.test" in html
    assert "alice@acme.test" not in html


def test_the_user_change_page_has_no_username(staff_client: Client, bob: User) -> None:
    response = staff_client.get(f"/staff/admin/accounts/user/{bob.pk}/change/")

    assert response.status_code == 200
    assert 'name="username"' not in response.content.decode()
    assert 'name="email"' in response.content.decode()


def test_staff_can_create_a_user_by_email(staff_client: Client) -> None:
    response = staff_client.post(
        "/staff/admin/accounts/user/add/",
        {
            "email": "new@acme.test",
            "usable_password": "true",
            "password1": "x-long-pass-2026",
            "password2": "x-long-pass-2026",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="new@acme.test").check_password("x-long-pass-2026")


def test_api_tokens_show_no_secret_and_cannot_be_added(staff_client: Client, bob: User) -> None:
    token, raw = ApiToken.issue(user=bob, name="Téléphone")

    listing = staff_client.get("/staff/admin/accounts/apitoken/")
    detail = staff_client.get(f"/staff/admin/accounts/apitoken/{token.pk}/change/")

    assert listing.status_code == 200
    assert raw not in listing.content.decode() + detail.content.decode()
    assert staff_client.get("/staff/admin/accounts/apitoken/add/").status_code == 403


def test_legal_acceptances_are_read_only(staff_client: Client, bob: User) -> None:
    acceptance = LegalAcceptance.objects.create(user=bob, document="terms", version="2026-11-26")

    response = staff_client.post(
        f"/staff/admin/accounts/legalacceptance/{acceptance.pk}/change/", {"version": "forged"}
    )

    assert response.status_code == 403
    acceptance.refresh_from_db()
    assert acceptance.version == "2026-11-26"


def test_the_admin_login_goes_through_the_accounts_login(db: Any, client: Client) -> None:
    response = client.get("/staff/admin/login/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_erase_an_account_through_the_erasure_not_a_plain_delete(staff_client: Client, bob: User) -> None:
    assert staff_client.get(f"/staff/admin/accounts/user/{bob.pk}/delete/").status_code == 403
    response = staff_client.post(
        "/staff/admin/accounts/user/", {"action": "erase_selected", "_selected_action": [bob.pk]}, follow=True
    )
    assert response.status_code == 200
    bob.refresh_from_db()
    assert bob.is_deleted and bob.first_name == "" and "bob" not in bob.email


def test_staff_are_told_when_an_only_owner_cannot_be_erased(staff_client: Client, alice: User, bob: User) -> None:
    response = staff_client.post(
        "/staff/admin/accounts/user/", {"action": "erase_selected", "_selected_action": [alice.pk]}, follow=True
    )
    assert "Acme" in response.content.decode()
    alice.refresh_from_db()
    assert not alice.is_deleted


def test_users_who_restricted_processing_can_be_listed(staff_client: Client, bob: User, alice: User) -> None:
    from django.utils import timezone

    User.objects.filter(pk=bob.pk).update(processing_restricted_at=timezone.now())
    response = staff_client.get("/staff/admin/accounts/user/", {"processing_restricted_at__isempty": "0"})
    html = response.content.decode()
    assert "bob@acme.test" in html and "alice@acme.test" not in html
