import re
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import resolve

from conftest import PASSWORD
from coworklib.accounts import views
from coworklib.accounts.models import User


def test_our_throttled_view_answers_allauths_login_url(db: Any) -> None:
    assert resolve("/accounts/login/").func.view_class is views.LoginView  # type: ignore[attr-defined]


def test_login_with_a_verified_address_logs_in(bob: User, client: Client) -> None:
    response = client.post("/accounts/login/", {"login": "bob@acme.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/app/"
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_login_ignores_the_case_of_the_address(bob: User, client: Client) -> None:
    response = client.post("/accounts/login/", {"login": "  Bob@ACME.test ", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_login_with_an_unverified_address_sends_the_confirmation_instead(unverified: User, client: Client) -> None:
    response = client.post("/accounts/login/", {"login": unverified.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [unverified.email]


def test_login_with_a_wrong_password_shows_the_error_on_the_form(bob: User, client: Client) -> None:
    response = client.post("/accounts/login/", {"login": "bob@acme.test", "password": "not-the-password"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist nonfield"' in html
    assert 'value="bob@acme.test"' in html  # what was typed is kept
    assert "_auth_user_id" not in client.session


def test_an_inactive_account_cannot_log_in(bob: User, client: Client) -> None:
    User.objects.filter(pk=bob.pk).update(is_active=False)

    client.post("/accounts/login/", {"login": "bob@acme.test", "password": PASSWORD})

    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(bob: User, client: Client, web_login: Any) -> None:
    web_login(bob)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_page_is_a_narrow_card_with_labels_and_a_link_to_sign_up(db: Any, client: Client) -> None:
    response = client.get("/accounts/login/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "page--narrow" in html
    assert 'for="id_login"' in html
    assert 'for="id_password"' in html
    assert 'href="/accounts/signup/"' in html
    assert 'href="/accounts/password/reset/"' in html


def test_password_reset_sends_a_link_that_sets_a_new_password(bob: User, client: Client) -> None:
    response = client.post("/accounts/password/reset/", {"email": "bob@acme.test"})
    assert response.status_code == 302
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", str(mail.outbox[0].body))
    assert link

    form_page = client.get(link.group(0), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"password1": "new-secret-pass-2026", "password2": "new-secret-pass-2026"}
    )

    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.check_password("new-secret-pass-2026")


def test_emails_are_written_in_the_recipients_language(bob: User, client: Client) -> None:
    User.objects.filter(pk=bob.pk).update(language="en")

    client.post("/accounts/password/reset/", {"email": "bob@acme.test"}, headers={"Accept-Language": "fr"})

    assert mail.outbox[0].subject == "[Coworklib] Password Reset Email"
    assert "Coworklib" in str(mail.outbox[0].body)
