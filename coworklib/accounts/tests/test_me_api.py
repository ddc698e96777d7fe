import json
from typing import Any

import pytest
from django.test import Client

from conftest import bearer
from coworklib.accounts.models import User
from coworklib.organizations.models import Membership, Organization, Role


def patch_me(client: Client, user: User, body: Any) -> Any:
    return client.patch("/api/v1/me", data=json.dumps(body), content_type="application/json", headers=bearer(user))


def profile_of(user: User) -> tuple[str, ...]:
    user.refresh_from_db()
    return (user.first_name, user.last_name, user.job_title, user.language, user.timezone)


def test_get_me_without_authentication_is_401(db: Any, client: Client) -> None:
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_get_me_returns_the_profile_and_organizations_with_roles(
    alice: User, olivia: User, acme: Organization, globex: Organization, client: Client
) -> None:
    Membership.objects.create(organization=globex, user=alice, role=Role.MEMBER)
    alice.job_title = "Office manager"
    alice.save()

    response = client.get("/api/v1/me", headers=bearer(alice))

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("id", "email", "first_name", "last_name", "job_title")} == {
        "id": alice.pk,
        "email": "alice@acme.test",
        "first_name": "Alice",
        "last_name": "Arnaud",
        "job_title": "Office manager",
    }
    assert body["display_name"] == "Alice Arnaud"
    assert (body["language"], body["timezone"], body["photo"]) == ("fr", "Europe/Paris", None)
    assert body["organizations"] == [
        {"id": acme.pk, "name": "Acme", "slug": "acme", "role": "owner"},
        {"id": globex.pk, "name": "Globex", "slug": "globex", "role": "member"},
    ]


def test_get_me_does_not_show_other_users_organizations(bob: User, olivia: User, client: Client) -> None:
    response = client.get("/api/v1/me", headers=bearer(olivia))

    assert [org["name"] for org in response.json()["organizations"]] == ["Globex"]


def test_get_me_makes_a_fixed_number_of_queries(
    alice: User, globex: Organization, client: Client, django_assert_max_num_queries: Any
) -> None:
    Membership.objects.create(organization=globex, user=alice, role=Role.MEMBER)
    headers = bearer(alice)

    with django_assert_max_num_queries(3):
        client.get("/api/v1/me", headers=headers)


def test_patch_me_changes_the_given_fields_and_returns_the_updated_profile(bob: User, client: Client) -> None:
    response = patch_me(
        client,
        bob,
        {
            "first_name": "  Robert ",
            "last_name": "Bernard-Lévy",
            "job_title": "Développeur",
            "language": "en",
            "timezone": "America/New_York",
        },
    )

    assert response.status_code == 200
    assert response.json()["first_name"] == "Robert"
    assert response.json()["timezone"] == "America/New_York"
    assert profile_of(bob) == ("Robert", "Bernard-Lévy", "Développeur", "en", "America/New_York")


def test_patch_me_leaves_the_fields_it_was_not_given(bob: User, client: Client) -> None:
    response = patch_me(client, bob, {"job_title": "Designer"})

    assert response.status_code == 200
    assert profile_of(bob) == ("Bob", "Bernard", "Designer", "fr", "Europe/Paris")


def test_patch_me_ignores_unknown_fields(bob: User, client: Client) -> None:
    response = patch_me(client, bob, {"email": "evil@example.test", "is_staff": True, "first_name": "Rob"})

    assert response.status_code == 200
    bob.refresh_from_db()
    assert (bob.email, bob.is_staff, bob.first_name) == ("bob@acme.test", False, "Rob")


def test_patch_me_can_empty_the_job_title(bob: User, client: Client) -> None:
    bob.job_title = "Stagiaire"
    bob.save()

    response = patch_me(client, bob, {"job_title": ""})

    assert response.status_code == 200
    assert profile_of(bob)[2] == ""


@pytest.mark.parametrize(
    "body",
    [
        {"language": "de"},
        {"language": ""},
        {"language": None},
        {"timezone": "Mars/Olympus_Mons"},
        {"timezone": "../../etc/passwd"},
        {"timezone": ""},
        {"timezone": 1},
        {"first_name": "x" * 151},
        {"last_name": "y" * 151},
        {"job_title": "z" * 151},
        {"first_name": None},
        {"first_name": ""},
        {"last_name": "   "},
        {"first_name": 42},
        {"first_name": ["Bob"]},
        {"last_name": {"x": 1}},
        {"job_title": True},
        {"first_name": "Bo\u0000b"},
        {"last_name": "line\nbreak"},
        {"first_name": "Robert", "language": "xx"},
        [],
        "first_name",
        None,
    ],
)
def test_patch_me_refuses_invalid_values_with_422_and_changes_nothing(bob: User, client: Client, body: Any) -> None:
    before = profile_of(bob)

    response = patch_me(client, bob, body)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"]
    assert isinstance(response.json()["errors"], list)
    assert profile_of(bob) == before


def test_patch_me_without_authentication_is_401(bob: User, client: Client) -> None:
    response = client.patch("/api/v1/me", data=json.dumps({"first_name": "Eve"}), content_type="application/json")

    assert response.status_code == 401
    assert profile_of(bob)[0] == "Bob"


def test_the_openapi_schema_lists_every_answer_of_the_accounts_endpoints(db: Any, client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert set(paths["/api/v1/auth/token"]["post"]["responses"]) == {"200", "401", "422", "429"}
    assert set(paths["/api/v1/auth/token"]["delete"]["responses"]) == {"204", "401"}
    assert set(paths["/api/v1/me"]["get"]["responses"]) == {"200", "401"}
    assert set(paths["/api/v1/me"]["patch"]["responses"]) == {"200", "401", "403", "422"}
