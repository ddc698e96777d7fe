import json
import re
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client

from conftest import PASSWORD, bearer
from coworklib.accounts.models import ApiToken, User

NEW_PASSWORD = "a-brand-new-passphrase-2026"


def logged_in_client(user: User) -> Client:
    other = Client()
    assert other.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code == 302
    return other


def is_logged_in(client: Client) -> bool:
    return client.get("/accounts/profile/").status_code == 200


def change_password(client: Client, old: str = PASSWORD) -> Any:
    return client.post(
        "/accounts/password/change/", {"oldpassword": old, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    bob: User, client: Client, web_login: Any
) -> None:
    web_login(bob)
    laptop = logged_in_client(bob)

    response = change_password(client)

    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD)
    assert is_logged_in(client)
    assert not is_logged_in(laptop)


def test_changing_the_password_revokes_every_api_token(bob: User, client: Client, web_login: Any) -> None:
    phone, tablet = bearer(bob), bearer(bob)
    web_login(bob)

    change_password(client)

    assert not ApiToken.objects.filter(user=bob).exists()
    api = Client()  # without the session cookie, which would authenticate on its own
    assert api.get("/api/v1/me", headers=phone).status_code == 401
    assert api.get("/api/v1/me", headers=tablet).status_code == 401


def test_a_wrong_current_password_changes_nothing(bob: User, client: Client, web_login: Any) -> None:
    headers = bearer(bob)
    web_login(bob)

    response = change_password(client, old="not-my-password")

    assert response.status_code == 200
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)
    assert Client().get("/api/v1/me", headers=headers).status_code == 200


def test_resetting_the_password_ends_every_session_and_token(bob: User, client: Client) -> None:
    laptop = logged_in_client(bob)
    headers = bearer(bob)
    client.post("/accounts/password/reset/", {"email": "bob@acme.test"})
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", str(mail.outbox[-1].body))
    assert link
    form_page = client.get(link.group(0), follow=True)

    response = client.post(form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert not is_logged_in(laptop)
    assert Client().get("/api/v1/me", headers=headers).status_code == 401
    assert not ApiToken.objects.filter(user=bob).exists()


def test_changing_the_profile_does_not_revoke_tokens(bob: User, client: Client) -> None:
    headers = bearer(bob)
    bob.first_name = "Robert"
    bob.save()

    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_upgrading_an_old_password_hash_at_login_keeps_the_api_tokens(bob: User, client: Client) -> None:
    # Stored with an older hasher, as after a change of hashing parameters.
    User.objects.filter(pk=bob.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    headers = bearer(User.objects.get(pk=bob.pk))

    response = client.post(
        "/api/v1/auth/token",
        data=json.dumps({"email": bob.email, "password": PASSWORD}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert User.objects.get(pk=bob.pk).password.startswith("argon2")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
