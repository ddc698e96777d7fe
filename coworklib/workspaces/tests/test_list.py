"""GET /organizations/{org}/workspaces: the page, its filters, and a constant number of queries."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import bearer
from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.workspaces import services
from coworklib.workspaces.models import (
    Equipment,
    Favourite,
    Workspace,
)
from coworklib.workspaces.tests.factories import call, membership_of, populate_workspaces

PARIS = ZoneInfo("Europe/Paris")
MONDAY_10AM = datetime(2026, 12, 7, 10, tzinfo=PARIS)
MONDAY_9PM = datetime(2026, 12, 7, 21, tzinfo=PARIS)


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


# --- The page -----------------------------------------------------------------------------------------------


def test_items_carry_the_fields_of_api_md(bob: User, offices: dict[str, Workspace], client: Client) -> None:
    with time_machine.travel(MONDAY_10AM, tick=False):
        response = call(client, "GET", "/organizations/acme/workspaces", bob)

    assert set(response.json()) == {"items", "count"}
    item = response.json()["items"][0]
    assert {"id", "name", "capacity", "free_seats", "is_open"} <= set(item)
    assert (item["name"], item["capacity"], item["free_seats"], item["is_open"]) == ("Lyon office", 6, 6, True)
    assert item["equipment"] == [{"id": item["equipment"][0]["id"], "key": "wifi", "name": "Wi-Fi", "icon": "wifi"}]


def test_the_list_is_sorted_by_name_and_paginated(bob: User, offices: dict[str, Workspace], client: Client) -> None:
    first = call(client, "GET", "/organizations/acme/workspaces?limit=2", bob)
    rest = call(client, "GET", "/organizations/acme/workspaces?limit=2&offset=2", bob)

    assert names(first) == ["Lyon office", "Paris HQ"]
    assert names(rest) == ["Salle Gutenberg"]
    assert first.json()["count"] == rest.json()["count"] == 3


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=101", "offset=-1", "limit=abc", "date=2026-13-01", "date=1999-12-31"]
)
def test_bad_paging_or_dates_are_422(bob: User, offices: dict[str, Workspace], client: Client, query: str) -> None:
    response = call(client, "GET", f"/organizations/acme/workspaces?{query}", bob)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_is_open_without_a_date_means_open_now(bob: User, offices: dict[str, Workspace], client: Client) -> None:
    with time_machine.travel(MONDAY_9PM, tick=False):
        items = call(client, "GET", "/organizations/acme/workspaces", bob).json()["items"]

    assert {item["name"]: item["is_open"] for item in items} == {
        "Lyon office": False,
        "Paris HQ": False,
        "Salle Gutenberg": True,
    }


def test_is_open_with_a_date_means_open_at_some_point_that_day(
    bob: User, offices: dict[str, Workspace], client: Client
) -> None:
    with time_machine.travel(MONDAY_9PM, tick=False):
        items = call(client, "GET", "/organizations/acme/workspaces?date=2026-12-12", bob).json()["items"]  # Saturday

    assert {item["name"]: item["is_open"] for item in items} == {
        "Lyon office": False,
        "Paris HQ": False,
        "Salle Gutenberg": True,
    }


def test_a_closure_closes_the_workspace_in_the_list(
    alice: User, acme: Organization, bob: User, offices: dict[str, Workspace], client: Client
) -> None:
    services.add_closure(
        by=membership_of(alice, acme),
        workspace=offices["paris"],
        start_date=date(2026, 12, 7),
        end_date=date(2026, 12, 7),
    )

    with time_machine.travel(MONDAY_10AM, tick=False):
        items = call(client, "GET", "/organizations/acme/workspaces", bob).json()["items"]

    assert {item["name"]: item["is_open"] for item in items}["Paris HQ"] is False


# --- Filters ------------------------------------------------------------------------------------------------


def test_q_searches_words_of_the_name(bob: User, offices: dict[str, Workspace], client: Client) -> None:
    assert names(call(client, "GET", "/organizations/acme/workspaces?q=gutenberg", bob)) == ["Salle Gutenberg"]
    assert names(call(client, "GET", "/organizations/acme/workspaces?q=salle%20guten", bob)) == ["Salle Gutenberg"]
    assert names(call(client, "GET", "/organizations/acme/workspaces?q=nowhere", bob)) == []


def test_city_filter_ignores_case(bob: User, offices: dict[str, Workspace], client: Client) -> None:
    assert names(call(client, "GET", "/organizations/acme/workspaces?city=paris", bob)) == [
        "Paris HQ",
        "Salle Gutenberg",
    ]


def test_kind_filter(bob: User, offices: dict[str, Workspace], client: Client) -> None:
    assert names(call(client, "GET", "/organizations/acme/workspaces?kind=meeting_room", bob)) == ["Salle Gutenberg"]


def test_every_equipment_asked_for_must_be_there(
    bob: User, offices: dict[str, Workspace], catalogue: dict[str, Equipment], client: Client
) -> None:
    wifi, parking = catalogue["wifi"].pk, catalogue["parking"].pk

    assert names(call(client, "GET", f"/organizations/acme/workspaces?equipment={wifi}", bob)) == [
        "Lyon office",
        "Paris HQ",
    ]
    assert names(call(client, "GET", f"/organizations/acme/workspaces?equipment={wifi}&equipment={parking}", bob)) == [
        "Paris HQ"
    ]


def test_open_now_filter(bob: User, offices: dict[str, Workspace], client: Client) -> None:
    with time_machine.travel(MONDAY_9PM, tick=False):
        response = call(client, "GET", "/organizations/acme/workspaces?open_now=true", bob)

    assert names(response) == ["Salle Gutenberg"]
    assert response.json()["count"] == 1


def test_open_on_filter(bob: User, offices: dict[str, Workspace], client: Client) -> None:
    assert names(call(client, "GET", "/organizations/acme/workspaces?open_on=2026-12-13", bob)) == ["Salle Gutenberg"]
    assert names(call(client, "GET", "/organizations/acme/workspaces?open_on=2026-12-14", bob)) == [
        "Lyon office",
        "Paris HQ",
        "Salle Gutenberg",
    ]


def test_min_free_seats_filter_with_a_date(bob: User, offices: dict[str, Workspace], client: Client) -> None:
    response = call(client, "GET", "/organizations/acme/workspaces?date=2026-12-14&min_free_seats=10", bob)

    assert names(response) == ["Paris HQ", "Salle Gutenberg"]
    assert [item["free_seats"] for item in response.json()["items"]] == [20, 10]


def test_filters_combine_and_paginate_with_an_exact_count(
    bob: User, offices: dict[str, Workspace], client: Client
) -> None:
    response = call(
        client, "GET", "/organizations/acme/workspaces?open_on=2026-12-14&min_free_seats=6&limit=1&offset=1", bob
    )

    assert names(response) == ["Paris HQ"]
    assert response.json()["count"] == 3


def test_is_favourite_is_per_caller(bob: User, carol: User, offices: dict[str, Workspace], client: Client) -> None:
    Favourite.objects.create(user=bob, workspace=offices["lyon"])

    mine = call(client, "GET", "/organizations/acme/workspaces", bob).json()["items"]
    theirs = call(client, "GET", "/organizations/acme/workspaces", carol).json()["items"]

    assert [item["is_favourite"] for item in mine] == [True, False, False]
    assert [item["is_favourite"] for item in theirs] == [False, False, False]


# --- A constant number of queries ---------------------------------------------------------------------------


def count_queries(client: Client, path: str, headers: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "query",
    [
        "?limit=100",
        "?limit=100&date=2026-12-07",
        "?limit=100&open_now=true",
        "?limit=100&open_on=2026-12-07&min_free_seats=1&city=Paris",
    ],
)
def test_the_list_runs_the_same_number_of_queries_for_10_or_300_workspaces(
    acme: Organization, alice: User, bob: User, catalogue: dict[str, Equipment], client: Client, query: str
) -> None:
    headers = bearer(bob)
    equipment = list(catalogue.values())[:4]
    populate_workspaces(acme, 10, equipment, bob)
    with time_machine.travel(MONDAY_10AM, tick=False):
        # The first call of a token records its use: not a query of the list.
        count_queries(client, "/api/v1/organizations/acme/workspaces?limit=1", headers)
        few = count_queries(client, f"/api/v1/organizations/acme/workspaces{query}", headers)
        populate_workspaces(acme, 290, equipment, bob, offset=10)
        many = count_queries(client, f"/api/v1/organizations/acme/workspaces{query}", headers)

    assert few == many
    # token, membership, then count + page + equipment + photos + hours + closures + favourites
    # + the day's sessions for free seats (measured: 9–10)
    assert many <= 10
