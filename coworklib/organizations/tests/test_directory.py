"""The member directory: the API of API.md and the /o/<slug>/members/ page."""

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from conftest import bearer, make_member
from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.organizations.tests.conftest import Api


def _add_members(organization: Organization, count: int) -> None:
    for number in range(count):
        make_member(
            organization,
            f"person{number:02d}@acme.test",
            first_name=f"Prénom{number:02d}",
            last_name=f"Nom{number:02d}",
            job_title="Comptable" if number % 2 else "Designer",
        )


def test_members_are_listed_exactly_as_api_md_says(api: Api, acme: Organization, alice: User, bob: User) -> None:
    response = api("GET", "/organizations/acme/members", bob)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["items"][0] == {
        "id": alice.pk,
        "display_name": "Alice Arnaud",
        "first_name": "Alice",
        "last_name": "Arnaud",
        "job_title": "",
        "photo": None,
    }


def test_members_are_sorted_by_last_name(api: Api, acme: Organization, alice: User, bob: User, carol: User) -> None:
    names = [item["last_name"] for item in api("GET", "/organizations/acme/members", bob).json()["items"]]

    assert names == ["Arnaud", "Bernard", "Colin"]


def test_pagination_with_limit_and_offset(api: Api, acme: Organization, alice: User) -> None:
    _add_members(acme, 5)

    first = api("GET", "/organizations/acme/members?limit=2&offset=0", alice).json()
    second = api("GET", "/organizations/acme/members?limit=2&offset=2", alice).json()
    last = api("GET", "/organizations/acme/members?limit=2&offset=6", alice).json()

    assert first["count"] == second["count"] == last["count"] == 6
    assert len(first["items"]) == len(second["items"]) == 2
    assert {item["id"] for item in first["items"]}.isdisjoint(item["id"] for item in second["items"])
    assert last["items"] == []


def test_limit_is_capped_at_100(api: Api, acme: Organization, alice: User) -> None:
    assert api("GET", "/organizations/acme/members?limit=100", alice).status_code == 200
    assert api("GET", "/organizations/acme/members?limit=101", alice).status_code == 422


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bob", ["Bernard"]),
        ("BERN", ["Bernard"]),
        ("carol@acme", ["Colin"]),
        ("Comptable", ["Bernard"]),
        ("alice arnaud", ["Arnaud"]),
        ("alice bernard", []),
        ("", ["Arnaud", "Bernard", "Colin"]),
        ("   ", ["Arnaud", "Bernard", "Colin"]),
        ("%", []),
        ("_", []),
    ],
)
def test_search_matches_every_word_in_name_job_or_email(
    api: Api, acme: Organization, alice: User, bob: User, carol: User, query: str, expected: list[str]
) -> None:
    bob.job_title = "Comptable"
    bob.save()

    response = api("GET", "/organizations/acme/members", alice, QUERY_STRING=f"q={query}")

    assert [item["last_name"] for item in response.json()["items"]] == expected


def test_search_is_limited_to_100_characters(api: Api, acme: Organization, alice: User) -> None:
    assert api("GET", "/organizations/acme/members?q=" + "a" * 101, alice).status_code == 422


def test_a_nul_byte_in_the_search_is_harmless(api: Api, acme: Organization, alice: User) -> None:
    response = api("GET", "/organizations/acme/members?q=al%00ice", alice)

    assert response.status_code == 200


def test_photo_is_an_absolute_path_url(api: Api, acme: Organization, alice: User) -> None:
    alice.photo_thumbnail.save("alice.jpg", ContentFile(b"not really a jpeg"), save=True)

    item = api("GET", "/organizations/acme/members", alice).json()["items"][0]

    assert item["photo"].startswith("/media/profile-photos/thumbnails/")


def test_deleted_accounts_are_not_listed(api: Api, acme: Organization, alice: User, bob: User) -> None:
    bob.deleted_at = timezone.now()
    bob.save()

    response = api("GET", "/organizations/acme/members", alice)

    assert [item["id"] for item in response.json()["items"]] == [alice.pk]


@pytest.mark.parametrize("members", [3, 30])
def test_members_endpoint_query_count_does_not_grow(
    client: Client, acme: Organization, alice: User, members: int, django_assert_max_num_queries: Any
) -> None:
    _add_members(acme, members)
    auth = bearer(alice)

    # Token lookup, membership, count, page (+ the token's last-use stamp).
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/organizations/acme/members?limit=100", headers=auth)

    assert response.json()["count"] == members + 1


# --- Web ------------------------------------------------------------------------


def test_directory_page_lists_cards_with_initials_and_job(client: Client, acme: Organization, bob: User) -> None:
    bob.job_title = "Comptable"
    bob.save()
    client.force_login(bob)

    content = client.get("/o/acme/members/").content.decode()

    assert "Bob Bernard" in content
    assert "Comptable" in content
    assert ">BB</span>" in content


def test_directory_search_works_without_javascript(client: Client, acme: Organization, alice: User, bob: User) -> None:
    client.force_login(alice)

    content = client.get("/o/acme/members/?q=bern").content.decode()

    assert "Bob Bernard" in content
    assert "Alice Arnaud</div>" not in content
    assert 'value="bern"' in content


def test_directory_htmx_search_returns_only_the_results(
    client: Client, acme: Organization, alice: User, bob: User
) -> None:
    client.force_login(alice)

    response = client.get("/o/acme/members/?q=bob", headers={"HX-Request": "true"})

    content = response.content.decode()
    assert "<html" not in content
    assert "Bob Bernard" in content
    assert "HX-Request" in response["Vary"]


def test_directory_is_paginated(client: Client, acme: Organization, alice: User) -> None:
    _add_members(acme, 30)
    client.force_login(alice)

    first = client.get("/o/acme/members/").content.decode()
    second = client.get("/o/acme/members/?page=2").content.decode()

    assert "Page 1 sur 2" in first
    assert "?page=2" in first
    assert first.count('class="member-card"') == 24
    assert second.count('class="member-card"') == 7


def test_directory_shows_a_helpful_empty_result(client: Client, acme: Organization, alice: User) -> None:
    client.force_login(alice)

    content = client.get("/o/acme/members/?q=zzzz").content.decode()

    assert "Personne ne correspond" in content


@pytest.mark.parametrize("members", [3, 30])
def test_directory_page_query_count_does_not_grow(
    client: Client, acme: Organization, alice: User, members: int, django_assert_max_num_queries: Any
) -> None:
    _add_members(acme, members)
    client.force_login(alice)

    with django_assert_max_num_queries(12):
        client.get("/o/acme/members/")


def test_an_absurd_offset_is_422_not_a_database_error(api: Api, acme: Organization, alice: User) -> None:
    response = api("GET", "/organizations/acme/members?offset=224095222641184799035633597664985088", alice)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
