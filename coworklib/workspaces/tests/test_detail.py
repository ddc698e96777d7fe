"""GET /workspaces/{id}, favourites and recently viewed."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import bearer
from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.workspaces import services
from coworklib.workspaces.models import Equipment, Favourite, Workspace, WorkspacePhoto, WorkspaceView
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import call, make_workspace, membership_of

PARIS = ZoneInfo("Europe/Paris")
MONDAY_10AM = datetime(2026, 12, 7, 10, tzinfo=PARIS)


def test_the_detail_has_hours_equipment_photos_address_and_today(bob: User, paris: Workspace, client: Client) -> None:
    with time_machine.travel(MONDAY_10AM, tick=False):
        response = call(client, "GET", f"/workspaces/{paris.pk}", bob)

    assert response.status_code == 200
    body = response.json()
    assert body["opening_hours"][0] == {"weekday": 0, "opens": "08:00", "closes": "19:00"}
    assert len(body["opening_hours"]) == 5
    assert (body["equipment"], body["photos"], body["closures"]) == ([], [], [])
    assert body["address"]["city"] == "Paris"
    assert (body["kind"], body["timezone"], body["is_open"], body["is_favourite"]) == (
        "office",
        "Europe/Paris",
        True,
        False,
    )
    assert body["today"] == {
        "date": "2026-12-07",
        "status": "open",
        "closure_reason": None,
        "intervals": [{"start": "2026-12-07T08:00:00+01:00", "end": "2026-12-07T19:00:00+01:00"}],
    }
    assert body["next_change"] == "2026-12-07T19:00:00+01:00"


def test_today_shows_the_closure_and_its_reason(
    alice: User, acme: Organization, bob: User, paris: Workspace, client: Client
) -> None:
    services.add_closure(
        by=membership_of(alice, acme),
        workspace=paris,
        start_date=date(2026, 12, 7),
        end_date=date(2026, 12, 9),
        reason="Travaux",
    )

    with time_machine.travel(MONDAY_10AM, tick=False):
        body = call(client, "GET", f"/workspaces/{paris.pk}", bob).json()

    assert body["today"]["status"] == "closure"
    assert body["today"]["closure_reason"] == "Travaux"
    assert body["is_open"] is False
    assert body["next_change"] == "2026-12-10T08:00:00+01:00"


def test_today_is_closed_on_a_day_without_hours(bob: User, paris: Workspace, client: Client) -> None:
    with time_machine.travel(datetime(2026, 12, 6, 10, tzinfo=PARIS), tick=False):  # Sunday
        body = call(client, "GET", f"/workspaces/{paris.pk}", bob).json()

    assert (body["today"]["status"], body["today"]["intervals"], body["is_open"]) == ("closed", [], False)


def test_only_upcoming_closures_are_listed_in_the_detail(
    alice: User, acme: Organization, bob: User, paris: Workspace, client: Client
) -> None:
    by = membership_of(alice, acme)
    services.add_closure(
        by=by, workspace=paris, start_date=date(2026, 11, 1), end_date=date(2026, 11, 2), reason="Passée"
    )
    services.add_closure(
        by=by, workspace=paris, start_date=date(2027, 8, 2), end_date=date(2027, 8, 20), reason="Fermeture estivale"
    )

    with time_machine.travel(MONDAY_10AM, tick=False):
        body = call(client, "GET", f"/workspaces/{paris.pk}", bob).json()

    assert [(closure["reason"], closure["start_date"]) for closure in body["closures"]] == [
        ("Fermeture estivale", "2027-08-02")
    ]


def test_times_are_given_in_the_workspaces_own_zone(alice: User, acme: Organization, client: Client) -> None:
    tokyo = make_workspace(
        alice, acme, "Tokyo desk", timezone="Asia/Tokyo", opening_hours=[WeeklyInterval(1, 9 * 60, 18 * 60)]
    )

    with time_machine.travel(MONDAY_10AM, tick=False):  # 18:00 on Monday in Tokyo
        body = call(client, "GET", f"/workspaces/{tokyo.pk}", alice).json()

    assert body["today"]["date"] == "2026-12-07"
    assert body["next_change"] == "2026-12-08T09:00:00+09:00"


# --- Recently viewed ----------------------------------------------------------------------------------------


def test_viewing_a_detail_records_a_view(bob: User, paris: Workspace, client: Client) -> None:
    call(client, "GET", f"/workspaces/{paris.pk}", bob)

    response = call(client, "GET", "/me/recently-viewed", bob)

    assert response.json()["count"] == 1
    assert response.json()["items"][0]["workspace"]["id"] == paris.pk
    assert WorkspaceView.objects.filter(user=bob, workspace=paris).count() == 1


def test_viewing_again_updates_the_time_instead_of_adding_a_row(bob: User, paris: Workspace, client: Client) -> None:
    with time_machine.travel(MONDAY_10AM, tick=False):
        call(client, "GET", f"/workspaces/{paris.pk}", bob)
    with time_machine.travel(MONDAY_10AM + timedelta(hours=2), tick=False):
        call(client, "GET", f"/workspaces/{paris.pk}", bob)

    view = WorkspaceView.objects.get(user=bob)
    assert view.viewed_at == MONDAY_10AM + timedelta(hours=2)


def test_recently_viewed_is_newest_first(
    alice: User, acme: Organization, bob: User, paris: Workspace, client: Client
) -> None:
    lyon = make_workspace(alice, acme, "Lyon")
    with time_machine.travel(MONDAY_10AM, tick=False):
        call(client, "GET", f"/workspaces/{paris.pk}", bob)
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=5), tick=False):
        call(client, "GET", f"/workspaces/{lyon.pk}", bob)

    items = call(client, "GET", "/me/recently-viewed", bob).json()["items"]

    assert [item["workspace"]["name"] for item in items] == ["Lyon", "Paris HQ"]


def test_only_the_last_20_views_are_kept(alice: User, acme: Organization, bob: User) -> None:
    workspaces = [make_workspace(alice, acme, f"Space {number:02d}") for number in range(22)]
    start = timezone.now()
    for minutes, workspace in enumerate(workspaces):
        services.record_view(user=bob, workspace=workspace, now=start + timedelta(minutes=minutes))

    kept = set(WorkspaceView.objects.filter(user=bob).values_list("workspace__name", flat=True))

    assert len(kept) == WorkspaceView.VIEWS_KEPT
    assert kept == {f"Space {number:02d}" for number in range(2, 22)}


def test_pruning_only_touches_the_viewers_own_rows(alice: User, acme: Organization, bob: User, carol: User) -> None:
    workspaces = [make_workspace(alice, acme, f"Space {number:02d}") for number in range(21)]
    services.record_view(user=carol, workspace=workspaces[0])
    for workspace in workspaces:
        services.record_view(user=bob, workspace=workspace)

    assert WorkspaceView.objects.filter(user=carol).count() == 1


# --- Favourites ---------------------------------------------------------------------------------------------


def test_starring_answers_201_then_200(bob: User, paris: Workspace, client: Client) -> None:
    first = call(client, "POST", f"/workspaces/{paris.pk}/favourite", bob)
    again = call(client, "POST", f"/workspaces/{paris.pk}/favourite", bob)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == {"workspace": paris.pk, "is_favourite": True}
    assert Favourite.objects.filter(user=bob, workspace=paris).count() == 1


def test_the_detail_says_it_is_a_favourite(bob: User, paris: Workspace, client: Client) -> None:
    call(client, "POST", f"/workspaces/{paris.pk}/favourite", bob)

    assert call(client, "GET", f"/workspaces/{paris.pk}", bob).json()["is_favourite"] is True


def test_unstarring_answers_204_even_twice(bob: User, paris: Workspace, client: Client) -> None:
    call(client, "POST", f"/workspaces/{paris.pk}/favourite", bob)

    first = call(client, "DELETE", f"/workspaces/{paris.pk}/favourite", bob)
    again = call(client, "DELETE", f"/workspaces/{paris.pk}/favourite", bob)

    assert (first.status_code, again.status_code) == (204, 204)
    assert not Favourite.objects.filter(user=bob).exists()


def test_my_favourites_are_newest_first_and_filterable_by_organization(
    alice: User, acme: Organization, bob: User, globex: Organization, olivia: User, paris: Workspace, client: Client
) -> None:
    from coworklib.organizations.models import Membership

    Membership.objects.create(organization=globex, user=bob)
    globex_office = make_workspace(olivia, globex, "Globex Tower")
    with time_machine.travel(MONDAY_10AM, tick=False):
        call(client, "POST", f"/workspaces/{paris.pk}/favourite", bob)
    with time_machine.travel(MONDAY_10AM + timedelta(minutes=1), tick=False):
        call(client, "POST", f"/workspaces/{globex_office.pk}/favourite", bob)

    everything = call(client, "GET", "/me/favourites", bob).json()
    only_acme = call(client, "GET", "/me/favourites?org=acme", bob).json()

    assert [item["workspace"]["name"] for item in everything["items"]] == ["Globex Tower", "Paris HQ"]
    assert everything["items"][0]["workspace"]["is_favourite"] is True
    assert [item["workspace"]["name"] for item in only_acme["items"]] == ["Paris HQ"]
    assert only_acme["count"] == 1


def test_filtering_favourites_by_an_organization_one_is_not_in_is_404(
    bob: User, globex: Organization, client: Client
) -> None:
    assert call(client, "GET", "/me/favourites?org=globex", bob).status_code == 404


def _queries(client: Client, path: str, headers: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, headers=headers).status_code == 200
    return len(queries)


def test_the_detail_and_personal_lists_run_a_constant_number_of_queries(
    alice: User, acme: Organization, bob: User, paris: Workspace, client: Client
) -> None:
    headers = bearer(bob)
    others = [make_workspace(alice, acme, f"Space {number}") for number in range(12)]
    equipment = list(Equipment.objects.filter(organization=acme))
    paths = [f"/api/v1/workspaces/{paris.pk}", "/api/v1/me/favourites", "/api/v1/me/recently-viewed"]
    _queries(client, paths[0], headers)  # the token's first use is recorded once

    services.add_favourite(user=bob, workspace=paris)
    few = [_queries(client, path, headers) for path in paths]
    paris.equipment.set(equipment)
    WorkspacePhoto.objects.bulk_create(
        WorkspacePhoto(workspace=paris, image=f"workspace-photos/{number}.jpg", thumbnail="t.jpg", position=number)
        for number in range(10)
    )
    for workspace in others:
        services.add_favourite(user=bob, workspace=workspace)
        services.record_view(user=bob, workspace=workspace)
    many = [_queries(client, path, headers) for path in paths]

    assert few == many
