import re
from typing import Any

import time_machine
from django.test import Client

from conftest import PASSWORD, bearer
from coworklib.accounts.models import ApiToken, User, hash_token


def test_the_tokens_page_lists_the_users_tokens_only(bob: User, alice: User, client: Client) -> None:
    ApiToken.issue(user=bob, name="Téléphone de Bob")
    ApiToken.issue(user=alice, name="Script d'Alice")
    client.force_login(bob)

    response = client.get("/accounts/tokens/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Téléphone de Bob" in html
    assert "Alice" not in html
    assert "jamais utilisé" in html


def reauthenticate(client: Client) -> None:
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302


def test_creating_a_token_shows_its_value_once(bob: User, client: Client) -> None:
    client.force_login(bob)
    reauthenticate(client)

    response = client.post("/accounts/tokens/", {"name": "Export nocturne"})

    assert response.status_code == 201
    raw = re.search(r'value="(cwl_[^"]+)"', response.content.decode())
    assert raw
    token = ApiToken.objects.get(user=bob)
    assert (token.name, token.token_hash) == ("Export nocturne", hash_token(raw.group(1)))
    assert raw.group(1) not in client.get("/accounts/tokens/").content.decode()
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw.group(1)}"}).status_code == 200


def test_creating_a_token_asks_for_the_password_first_then_goes_on(bob: User, client: Client) -> None:
    client.post("/accounts/login/", {"login": "bob@acme.test", "password": PASSWORD})

    refused = client.post("/accounts/tokens/", {"name": "Export"})
    assert refused.status_code == 302
    assert refused["Location"].startswith("/accounts/reauthenticate/")
    assert not ApiToken.objects.exists()

    resumed = client.post(refused["Location"], {"password": PASSWORD})

    assert resumed.status_code == 201
    assert ApiToken.objects.get(user=bob).name == "Export"


def test_the_confirmation_of_the_password_expires(bob: User, client: Client) -> None:
    with time_machine.travel("2026-12-03 09:00:00+01:00", tick=False) as clock:
        client.force_login(bob)
        reauthenticate(client)
        clock.shift(3600)

        refused = client.post("/accounts/tokens/", {"name": "Export"})

    assert refused.status_code == 302
    assert refused["Location"].startswith("/accounts/reauthenticate/")
    assert not ApiToken.objects.exists()


def test_a_token_name_with_control_characters_is_refused(bob: User, client: Client) -> None:
    client.force_login(bob)
    reauthenticate(client)

    response = client.post("/accounts/tokens/", {"name": "bad\x1bname"})

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it_working(bob: User, client: Client) -> None:
    headers = bearer(bob)
    token = ApiToken.objects.get(user=bob)
    client.force_login(bob)

    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert Client().get("/api/v1/me", headers=headers).status_code == 401


def test_someone_elses_token_cannot_be_revoked(bob: User, olivia: User, client: Client) -> None:
    token, _raw = ApiToken.issue(user=olivia)
    client.force_login(bob)

    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_tokens_page_needs_a_signed_in_user(db: Any, client: Client) -> None:
    assert client.get("/accounts/tokens/").status_code == 302
