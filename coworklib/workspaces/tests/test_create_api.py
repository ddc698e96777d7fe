"""POST /organizations/{org}/workspaces exactly as API.md describes it."""

from typing import Any

import pytest
from django.test import Client

from coworklib.accounts.models import User
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import Organization
from coworklib.workspaces.models import Equipment, OpeningInterval, Workspace
from coworklib.workspaces.tests.factories import call

VALID = {"name": "Lyon Part-Dieu", "capacity": 24, "timezone": "Europe/Paris"}


def test_an_admin_creates_a_workspace_with_the_minimal_body(carol: User, client: Client) -> None:
    response = call(client, "POST", "/organizations/acme/workspaces", carol, VALID)

    assert response.status_code == 201
    body = response.json()
    assert {"id", "name", "capacity", "free_seats", "is_open", "opening_hours", "equipment", "photos"} <= set(body)
    assert (body["name"], body["capacity"], body["timezone"], body["free_seats"]) == (
        "Lyon Part-Dieu",
        24,
        "Europe/Paris",
        24,
    )
    workspace = Workspace.objects.get(pk=body["id"])
    assert (workspace.organization.slug, workspace.name, workspace.capacity) == ("acme", "Lyon Part-Dieu", 24)


def test_the_organization_may_be_given_by_id(alice: User, acme: Organization, client: Client) -> None:
    response = call(client, "POST", f"/organizations/{acme.pk}/workspaces", alice, VALID)

    assert response.status_code == 201
    assert Workspace.objects.get(pk=response.json()["id"]).organization == acme


def test_without_opening_hours_it_is_open_every_day_around_the_clock(alice: User, client: Client) -> None:
    response = call(client, "POST", "/organizations/acme/workspaces", alice, VALID)

    assert response.json()["opening_hours"] == [
        {"weekday": weekday, "opens": "00:00", "closes": "24:00"} for weekday in range(7)
    ]
    assert response.json()["is_open"] is True
    stored = OpeningInterval.objects.filter(workspace_id=response.json()["id"]).order_by("weekday")
    assert [(row.weekday, row.opens, row.closes) for row in stored] == [(weekday, 0, 1440) for weekday in range(7)]


def test_opening_hours_with_two_intervals_a_day_are_stored(alice: User, client: Client) -> None:
    hours = [
        {"weekday": 0, "opens": "08:00", "closes": "12:00"},
        {"weekday": 0, "opens": "13:00", "closes": "19:00"},
        {"weekday": 4, "opens": "20:00", "closes": "24:00"},
    ]

    response = call(client, "POST", "/organizations/acme/workspaces", alice, {**VALID, "opening_hours": hours})

    assert response.status_code == 201
    assert response.json()["opening_hours"] == hours
    stored = OpeningInterval.objects.filter(workspace_id=response.json()["id"]).order_by("weekday", "opens")
    assert [(row.weekday, row.opens, row.closes) for row in stored] == [(0, 480, 720), (0, 780, 1140), (4, 1200, 1440)]


def test_an_empty_list_of_hours_means_closed_every_day(alice: User, client: Client) -> None:
    response = call(client, "POST", "/organizations/acme/workspaces", alice, {**VALID, "opening_hours": []})

    assert response.status_code == 201
    assert response.json()["opening_hours"] == []
    assert response.json()["is_open"] is False
    assert not OpeningInterval.objects.filter(workspace_id=response.json()["id"]).exists()


def test_the_full_body_is_stored(alice: User, client: Client) -> None:
    call(client, "GET", "/organizations/acme/equipment", alice)
    wifi = Equipment.objects.get(organization__slug="acme", key="wifi")
    body = {
        **VALID,
        "kind": "meeting_room",
        "description": "Grande salle.\n\n- Écran\n- Visio",
        "address": {
            "street": "1 place Bellecour",
            "postal_code": "69002",
            "city": "Lyon",
            "country": "fr",
            "coordinates": {"latitude": 45.757, "longitude": 4.832},
        },
        "equipment": [wifi.pk],
    }

    response = call(client, "POST", "/organizations/acme/workspaces", alice, body)

    assert response.status_code == 201
    assert response.json()["address"] == {**body["address"], "country": "FR"}  # type: ignore[dict-item]
    assert response.json()["equipment"] == [{"id": wifi.pk, "key": "wifi", "name": "Wi-Fi", "icon": "wifi"}]
    assert response.json()["description"] == "<p>Grande salle.</p><ul><li>Écran</li><li>Visio</li></ul>"
    workspace = Workspace.objects.get(pk=response.json()["id"])
    assert (workspace.kind, workspace.city, workspace.latitude) == ("meeting_room", "Lyon", 45.757)
    assert list(workspace.equipment.all()) == [wifi]


def test_no_script_survives_in_the_description(alice: User, client: Client) -> None:
    body = {
        **VALID,
        "description": '<p onclick="steal()">Salle <script>alert(1)</script><a href="javascript:x">lien</a></p>',
    }

    response = call(client, "POST", "/organizations/acme/workspaces", alice, body)

    stored = Workspace.objects.get(pk=response.json()["id"]).description
    for text in (stored, response.json()["description"]):
        assert "script" not in text
        assert "onclick" not in text
        assert "javascript" not in text
    assert stored == '<p>Salle <a rel="noopener noreferrer nofollow">lien</a></p>'


def test_creating_is_audited(alice: User, client: Client) -> None:
    response = call(client, "POST", "/organizations/acme/workspaces", alice, VALID)

    entry = AuditEntry.objects.get(action="workspace.created")
    assert (entry.actor, entry.details["workspace_id"]) == (alice, response.json()["id"])


def test_a_plain_member_gets_403_and_nothing_is_created(bob: User, client: Client) -> None:
    response = call(client, "POST", "/organizations/acme/workspaces", bob, VALID)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Workspace.objects.exists()


def test_an_outsider_gets_404_and_nothing_is_created(olivia: User, acme: Organization, client: Client) -> None:
    response = call(client, "POST", "/organizations/acme/workspaces", olivia, VALID)

    assert response.status_code == 404
    assert not Workspace.objects.filter(organization=acme).exists()


def test_anonymous_gets_401(acme: Organization, client: Client) -> None:
    response = call(client, "POST", "/organizations/acme/workspaces", None, VALID)

    assert response.status_code == 401
    assert not Workspace.objects.exists()


def _hours(*intervals: tuple[Any, str, str]) -> list[dict[str, Any]]:
    return [{"weekday": weekday, "opens": opens, "closes": closes} for weekday, opens, closes in intervals]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"capacity": 0}, id="capacity 0"),
        pytest.param({"capacity": -3}, id="negative capacity"),
        pytest.param({"capacity": "many"}, id="capacity not a number"),
        pytest.param({"timezone": "Europe/Pariss"}, id="unknown timezone"),
        pytest.param({"timezone": "posixrules"}, id="a tz file that is no zone"),
        pytest.param({"timezone": "../../etc/passwd"}, id="a path as timezone"),
        pytest.param({"name": ""}, id="empty name"),
        pytest.param({"name": "   "}, id="blank name"),
        pytest.param({"name": "x" * 121}, id="name too long"),
        pytest.param({"name": "Paris\x00HQ"}, id="NUL in the name"),
        pytest.param({"opening_hours": _hours((0, "8:00", "12:00"))}, id="one-digit hour"),
        pytest.param({"opening_hours": _hours((0, "08:00:00", "12:00"))}, id="seconds"),
        pytest.param({"opening_hours": _hours((0, "2026-12-03T08:00:00", "12:00"))}, id="a datetime as time"),
        pytest.param({"opening_hours": _hours((0, "25:00", "26:00"))}, id="hour 25"),
        pytest.param({"opening_hours": _hours((0, "24:00", "24:00"))}, id="24:00 as opening"),
        pytest.param({"opening_hours": _hours((0, "12:00", "12:00"))}, id="opens equals closes"),
        pytest.param({"opening_hours": _hours((0, "14:00", "12:00"))}, id="opens after closes"),
        pytest.param({"opening_hours": _hours((7, "08:00", "12:00"))}, id="weekday 7"),
        pytest.param({"opening_hours": _hours((-1, "08:00", "12:00"))}, id="weekday -1"),
        pytest.param({"opening_hours": _hours((2, "08:00", "12:00"), (2, "11:00", "14:00"))}, id="overlap"),
        pytest.param({"opening_hours": _hours((2, "08:00", "12:00"), (2, "08:00", "12:00"))}, id="duplicate"),
        pytest.param({"kind": "castle"}, id="unknown kind"),
        pytest.param({"address": {"coordinates": {"latitude": 91, "longitude": 2}}}, id="latitude 91"),
        pytest.param({"address": {"coordinates": {"latitude": 48.8}}}, id="latitude without longitude"),
        pytest.param({"capacity": True}, id="capacity true"),
        pytest.param({"capacity": "24"}, id="capacity as text"),
        pytest.param({"opening_hours": [{"weekday": False, "opens": "08:00", "closes": "12:00"}]}, id="weekday false"),
        pytest.param({"address": {"country": "F1"}}, id="bad country code"),
    ],
)
def test_invalid_bodies_are_422_and_create_nothing(alice: User, client: Client, change: dict[str, Any]) -> None:
    response = call(client, "POST", "/organizations/acme/workspaces", alice, {**VALID, **change})

    assert response.status_code == 422
    assert response.json()["code"].startswith("invalid")
    assert isinstance(response.json()["detail"], str)
    assert not Workspace.objects.exists()
    assert not OpeningInterval.objects.exists()


def test_an_overlap_names_the_interval_at_fault(alice: User, client: Client) -> None:
    hours = _hours((2, "08:00", "12:00"), (2, "11:00", "14:00"))

    response = call(client, "POST", "/organizations/acme/workspaces", alice, {**VALID, "opening_hours": hours})

    assert response.json()["code"] == "invalid_opening_hours"
    assert response.json()["errors"][0]["loc"] == ["opening_hours", 1, "opens"]


@pytest.mark.parametrize("field", ["name", "capacity", "timezone"])
def test_each_required_field_is_required(alice: User, client: Client, field: str) -> None:
    body = {key: value for key, value in VALID.items() if key != field}

    response = call(client, "POST", "/organizations/acme/workspaces", alice, body)

    assert response.status_code == 422
    assert not Workspace.objects.exists()


def test_equipment_of_another_organization_is_404_and_nothing_is_created(
    alice: User, olivia: User, client: Client
) -> None:
    call(client, "GET", "/organizations/globex/equipment", olivia)
    foreign = Equipment.objects.filter(organization__slug="globex").first()
    assert foreign is not None

    response = call(client, "POST", "/organizations/acme/workspaces", alice, {**VALID, "equipment": [foreign.pk]})

    assert response.status_code == 404
    assert not Workspace.objects.filter(organization__slug="acme").exists()
