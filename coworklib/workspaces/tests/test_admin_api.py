"""Admins edit workspaces: PATCH, archive, hours, closures, equipment catalogue."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coworklib.accounts.models import User
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import Organization
from coworklib.workspaces import services
from coworklib.workspaces.models import Closure, Equipment, OpeningInterval, Workspace
from coworklib.workspaces.tests.factories import call, make_workspace, membership_of

# --- PATCH /workspaces/{id} ---------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(alice: User, paris: Workspace, client: Client) -> None:
    response = call(
        client, "PATCH", f"/workspaces/{paris.pk}", alice, {"capacity": 35, "address": {"street": "1 rue A"}}
    )

    assert response.status_code == 200
    assert (response.json()["capacity"], response.json()["address"]["street"]) == (35, "1 rue A")
    paris.refresh_from_db()
    assert (paris.capacity, paris.street, paris.name, paris.city) == (35, "1 rue A", "Paris HQ", "Paris")


def test_patch_sets_and_removes_coordinates(alice: User, paris: Workspace, client: Client) -> None:
    coordinates = {"latitude": 48.87, "longitude": 2.35}

    response = call(client, "PATCH", f"/workspaces/{paris.pk}", alice, {"address": {"coordinates": coordinates}})
    paris.refresh_from_db()
    assert response.json()["address"]["coordinates"] == coordinates
    assert (paris.latitude, paris.longitude, paris.city) == (48.87, 2.35, "Paris")

    call(client, "PATCH", f"/workspaces/{paris.pk}", alice, {"address": {"coordinates": None}})
    paris.refresh_from_db()
    assert (paris.latitude, paris.longitude) == (None, None)


def test_patch_replaces_the_equipment(alice: User, paris: Workspace, client: Client) -> None:
    wifi = Equipment.objects.get(organization=paris.organization, key="wifi")

    response = call(client, "PATCH", f"/workspaces/{paris.pk}", alice, {"equipment": [wifi.pk]})

    assert [item["key"] for item in response.json()["equipment"]] == ["wifi"]
    assert list(paris.equipment.all()) == [wifi]


@pytest.mark.parametrize(
    "body",
    [
        {"name": None},
        {"capacity": 0},
        {"capacity": None},
        {"timezone": "Mars/Olympus"},
        {"address": {"city": None}},
        {"address": {"coordinates": {"latitude": 12.0}}},
        {"address": {"coordinates": {"latitude": "12", "longitude": 2}}},
        {"capacity": "30"},
        {"capacity": True},
        {"name": "  "},
    ],
)
def test_an_invalid_patch_is_422_and_changes_nothing(
    alice: User, paris: Workspace, client: Client, body: dict[str, Any]
) -> None:
    response = call(client, "PATCH", f"/workspaces/{paris.pk}", alice, body)

    assert response.status_code == 422
    paris.refresh_from_db()
    assert (paris.name, paris.capacity, paris.timezone, paris.city, paris.latitude) == (
        "Paris HQ",
        20,
        "Europe/Paris",
        "Paris",
        None,
    )


def test_patch_is_audited_with_the_fields_changed(alice: User, paris: Workspace, client: Client) -> None:
    call(client, "PATCH", f"/workspaces/{paris.pk}", alice, {"capacity": 21, "name": "Paris HQ"})

    entry = AuditEntry.objects.get(action="workspace.updated")
    assert entry.details == {"workspace_id": paris.pk, "name": "Paris HQ", "fields": ["capacity"]}


# --- Archive ------------------------------------------------------------------------------------------------


def test_archive_and_unarchive(alice: User, paris: Workspace, client: Client) -> None:
    archived = call(client, "POST", f"/workspaces/{paris.pk}/archive", alice)
    paris.refresh_from_db()
    assert archived.json()["archived"] is True
    assert paris.archived_at is not None

    restored = call(client, "POST", f"/workspaces/{paris.pk}/unarchive", alice)
    paris.refresh_from_db()
    assert restored.json()["archived"] is False
    assert paris.archived_at is None


def test_archiving_twice_keeps_the_first_date(alice: User, paris: Workspace, client: Client) -> None:
    call(client, "POST", f"/workspaces/{paris.pk}/archive", alice)
    paris.refresh_from_db()
    first = paris.archived_at

    response = call(client, "POST", f"/workspaces/{paris.pk}/archive", alice)

    paris.refresh_from_db()
    assert response.status_code == 200
    assert paris.archived_at == first
    assert AuditEntry.objects.filter(action="workspace.archived").count() == 1


# --- Opening hours ------------------------------------------------------------------------------------------


def test_put_opening_hours_replaces_them(alice: User, paris: Workspace, client: Client) -> None:
    hours = [
        {"weekday": 0, "opens": "08:00", "closes": "12:00"},
        {"weekday": 0, "opens": "13:00", "closes": "19:00"},
        {"weekday": 6, "opens": "00:00", "closes": "24:00"},
    ]

    response = call(client, "PUT", f"/workspaces/{paris.pk}/opening-hours", alice, {"opening_hours": hours})

    assert response.status_code == 200
    assert response.json() == {"opening_hours": hours, "sessions_outside_hours": []}
    stored = OpeningInterval.objects.filter(workspace=paris).order_by("weekday", "opens")
    assert [(row.weekday, row.opens, row.closes) for row in stored] == [(0, 480, 720), (0, 780, 1140), (6, 0, 1440)]


def test_overlapping_hours_are_422_and_the_old_hours_stay(alice: User, paris: Workspace, client: Client) -> None:
    hours = [{"weekday": 3, "opens": "08:00", "closes": "12:00"}, {"weekday": 3, "opens": "11:59", "closes": "13:00"}]

    response = call(client, "PUT", f"/workspaces/{paris.pk}/opening-hours", alice, {"opening_hours": hours})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_opening_hours"
    assert OpeningInterval.objects.filter(workspace=paris).count() == 5


def test_too_many_intervals_in_a_day_are_422(alice: User, paris: Workspace, client: Client) -> None:
    hours = [{"weekday": 1, "opens": f"{hour:02d}:00", "closes": f"{hour:02d}:30"} for hour in range(7)]

    response = call(client, "PUT", f"/workspaces/{paris.pk}/opening-hours", alice, {"opening_hours": hours})

    assert response.status_code == 422
    assert OpeningInterval.objects.filter(workspace=paris).count() == 5


# --- Closures -----------------------------------------------------------------------------------------------


def test_a_closure_is_added_and_listed(alice: User, bob: User, paris: Workspace, client: Client) -> None:
    body = {"start_date": "2027-08-02", "end_date": "2027-08-20", "reason": "Fermeture estivale"}

    created = call(client, "POST", f"/workspaces/{paris.pk}/closures", alice, body)
    listed = call(client, "GET", f"/workspaces/{paris.pk}/closures", bob)

    assert created.status_code == 201
    assert created.json() == {"id": created.json()["id"], **body, "cancelled_sessions": []}
    assert listed.json() == {"items": [{"id": created.json()["id"], **body}], "count": 1}
    closure = Closure.objects.get()
    assert (closure.start_date, closure.end_date, closure.created_by) == (date(2027, 8, 2), date(2027, 8, 20), alice)


def test_a_one_day_closure_is_allowed(alice: User, paris: Workspace, client: Client) -> None:
    body = {"start_date": "2026-12-25", "end_date": "2026-12-25", "reason": "Noël"}

    assert call(client, "POST", f"/workspaces/{paris.pk}/closures", alice, body).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"start_date": "2027-08-20", "end_date": "2027-08-02"},
        {"start_date": "2027-08-02"},
        {"start_date": "0001-01-01", "end_date": "0001-01-02"},
        {"start_date": "2027-08-02", "end_date": "9999-12-31"},
        {"start_date": "2027-08-02T00:00:00", "end_date": "2027-08-03"},
        {"start_date": "2027-08-02", "end_date": "2027-08-03", "reason": "x" * 201},
    ],
)
def test_an_invalid_closure_is_422(alice: User, paris: Workspace, client: Client, body: dict[str, Any]) -> None:
    response = call(client, "POST", f"/workspaces/{paris.pk}/closures", alice, body)

    assert response.status_code == 422
    assert not Closure.objects.exists()


def test_upcoming_lists_only_closures_not_over_yet(
    alice: User, acme: Organization, paris: Workspace, client: Client
) -> None:
    by = membership_of(alice, acme)
    services.add_closure(by=by, workspace=paris, start_date=date(2020, 1, 1), end_date=date(2020, 1, 2))
    next_year = timezone.localdate() + timedelta(days=365)
    future = services.add_closure(by=by, workspace=paris, start_date=next_year, end_date=next_year + timedelta(days=1))

    response = call(client, "GET", f"/workspaces/{paris.pk}/closures?upcoming=true", alice)

    assert [item["id"] for item in response.json()["items"]] == [future.pk]


def test_a_closure_is_deleted(alice: User, acme: Organization, paris: Workspace, client: Client) -> None:
    closure = services.add_closure(
        by=membership_of(alice, acme), workspace=paris, start_date=date(2027, 1, 1), end_date=date(2027, 1, 1)
    )

    response = call(client, "DELETE", f"/workspaces/{paris.pk}/closures/{closure.pk}", alice)

    assert response.status_code == 204
    assert not Closure.objects.exists()


def test_a_closure_of_another_workspace_of_the_same_organization_is_404(
    alice: User, acme: Organization, paris: Workspace, client: Client
) -> None:
    lyon = make_workspace(alice, acme, "Lyon")
    closure = services.add_closure(
        by=membership_of(alice, acme), workspace=lyon, start_date=date(2027, 1, 1), end_date=date(2027, 1, 1)
    )

    response = call(client, "DELETE", f"/workspaces/{paris.pk}/closures/{closure.pk}", alice)

    assert response.status_code == 404
    assert Closure.objects.filter(pk=closure.pk).exists()


# --- Equipment catalogue ------------------------------------------------------------------------------------


def test_a_new_organization_gets_the_default_catalogue(bob: User, acme: Organization, client: Client) -> None:
    response = call(client, "GET", "/organizations/acme/equipment", bob)

    assert response.status_code == 200
    keys = [item["key"] for item in response.json()["items"]]
    assert {"wifi", "screens", "standing-desks", "phone-booths", "parking", "kitchen", "step-free-access"} <= set(keys)
    assert response.json()["count"] == Equipment.objects.filter(organization=acme).count() == len(keys)
    assert all(item["icon"] for item in response.json()["items"])


def test_default_items_are_named_in_the_readers_language(bob: User, acme: Organization, client: Client) -> None:
    french = call(client, "GET", "/organizations/acme/equipment", bob, HTTP_ACCEPT_LANGUAGE="fr").json()["items"]
    english = call(client, "GET", "/organizations/acme/equipment", bob, HTTP_ACCEPT_LANGUAGE="en").json()["items"]

    assert [item["name"] for item in french if item["key"] == "step-free-access"] == ["Accès de plain-pied"]
    assert len(english) == len(french)


def test_removed_default_items_do_not_come_back(
    alice: User, acme: Organization, paris: Workspace, client: Client
) -> None:
    for item in Equipment.objects.filter(organization=acme):
        call(client, "DELETE", f"/organizations/acme/equipment/{item.pk}", alice)

    response = call(client, "GET", "/organizations/acme/equipment", alice)

    assert response.json() == {"items": [], "count": 0}


def test_an_admin_adds_an_item_at_the_end(alice: User, acme: Organization, client: Client) -> None:
    call(client, "GET", "/organizations/acme/equipment", alice)

    response = call(client, "POST", "/organizations/acme/equipment", alice, {"name": "Baby-foot", "icon": "other"})

    assert response.status_code == 201
    assert (response.json()["key"], response.json()["name"]) == ("baby-foot", "Baby-foot")
    items = call(client, "GET", "/organizations/acme/equipment?limit=100", alice).json()["items"]
    assert items[-1]["key"] == "baby-foot"


@pytest.mark.parametrize("name", ["Wi-Fi", "wi-fi", "Parking"])
def test_an_item_named_like_another_is_409(alice: User, acme: Organization, client: Client, name: str) -> None:
    call(client, "GET", "/organizations/acme/equipment", alice)
    before = Equipment.objects.filter(organization=acme).count()

    response = call(client, "POST", "/organizations/acme/equipment", alice, {"name": name})

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_equipment"
    assert Equipment.objects.filter(organization=acme).count() == before


def test_an_unknown_icon_is_422(alice: User, acme: Organization, client: Client) -> None:
    response = call(client, "POST", "/organizations/acme/equipment", alice, {"name": "Sauna", "icon": "sauna"})

    assert response.status_code == 422
    assert not Equipment.objects.filter(name="Sauna").exists()


def test_renaming_keeps_the_key(alice: User, acme: Organization, client: Client) -> None:
    call(client, "GET", "/organizations/acme/equipment", alice)
    wifi = Equipment.objects.get(organization=acme, key="wifi")

    response = call(client, "PATCH", f"/organizations/acme/equipment/{wifi.pk}", alice, {"name": "Wi-Fi 7 Gbit"})

    assert response.json() == {"id": wifi.pk, "key": "wifi", "name": "Wi-Fi 7 Gbit", "icon": "wifi"}
    wifi.refresh_from_db()
    assert wifi.name == "Wi-Fi 7 Gbit"


def test_deleting_an_item_removes_it_from_workspaces(
    alice: User, acme: Organization, paris: Workspace, client: Client
) -> None:
    wifi = Equipment.objects.get(organization=acme, key="wifi")
    paris.equipment.add(wifi)

    response = call(client, "DELETE", f"/organizations/acme/equipment/{wifi.pk}", alice)

    assert response.status_code == 204
    assert not Equipment.objects.filter(pk=wifi.pk).exists()
    assert list(paris.equipment.all()) == []


def test_ensure_default_equipment_is_idempotent(acme: Organization) -> None:
    services.ensure_default_equipment(acme)
    count = Equipment.objects.filter(organization=acme).count()

    services.ensure_default_equipment(acme)

    assert Equipment.objects.filter(organization=acme).count() == count > 0


def test_the_first_workspace_seeds_the_catalogue(alice: User, acme: Organization) -> None:
    assert not Equipment.objects.filter(organization=acme).exists()

    make_workspace(alice, acme, "First")

    assert Equipment.objects.filter(organization=acme, key="wifi").exists()


def test_creating_a_workspace_needs_no_catalogue_call_first(alice: User, client: Client) -> None:
    response = call(
        client, "POST", "/organizations/acme/workspaces", alice, {"name": "A", "capacity": 1, "timezone": "UTC"}
    )

    assert response.status_code == 201
    assert Workspace.objects.get().equipment.count() == 0


def test_errors_and_default_equipment_follow_accept_language(alice: User, acme: Organization, client: Client) -> None:
    body = {
        "name": "A",
        "capacity": 1,
        "timezone": "UTC",
        "opening_hours": [{"weekday": 0, "opens": "10:00", "closes": "09:00"}],
    }

    french = call(client, "POST", "/organizations/acme/workspaces", alice, body, HTTP_ACCEPT_LANGUAGE="fr").json()
    english = call(client, "POST", "/organizations/acme/workspaces", alice, body, HTTP_ACCEPT_LANGUAGE="en").json()
    items = call(client, "GET", "/organizations/acme/equipment", alice, HTTP_ACCEPT_LANGUAGE="en").json()["items"]

    assert french["errors"][0]["msg"] == "L'heure de fermeture doit être après l'heure d'ouverture."
    assert english["errors"][0]["msg"] == "The closing time must be after the opening time."
    assert {item["key"]: item["name"] for item in items}["step-free-access"] == "Step-free access"
