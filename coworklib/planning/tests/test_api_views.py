"""What the API shows of the planning: a workspace's day (sessions, timeline, presence), who is where,
my agenda, and my calendar feed address.

The answers name the days, hours and UTC offsets of one week, so the clock is frozen on Wednesday 2 December
2026, 10:00 in Paris (`frozen_now`) unless a test travels elsewhere."""

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from icalendar import Calendar

from coworklib.accounts.models import User
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.planning.models import CalendarFeed, Session
from coworklib.planning.services import feed_token_hash
from coworklib.planning.tests.factories import FROZEN_MONDAY, at, book, join
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import call, make_workspace, membership_of

pytestmark = pytest.mark.usefixtures("frozen_now")

TUESDAY = FROZEN_MONDAY + timedelta(days=1)


@pytest.fixture
def monday(alice: User, bob: User, acme: Organization, paris: Workspace) -> Session:
    """Alice's session at Paris HQ next Monday, 09:00–17:00, which Bob joined."""
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17))
    join(bob, acme, session)
    return session


def private_session(organizer: User, acme: Organization, workspace: Workspace, *invited: User) -> Session:
    return book(
        organizer,
        acme,
        workspace,
        at(FROZEN_MONDAY, 13),
        at(FROZEN_MONDAY, 14),
        visibility="invited",
        invitee_ids=[user.pk for user in invited],
    )


# --- A workspace's sessions on a day --------------------------------------------------------------------------


def test_a_workspaces_sessions_of_a_day(client: Client, bob: User, paris: Workspace, monday: Session) -> None:
    response = call(client, "GET", f"/workspaces/{paris.pk}/sessions?date=2026-12-07", bob)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert [item["id"] for item in response.json()["items"]] == [monday.pk]
    assert response.json()["items"][0]["my_status"] == "going"


def test_another_day_has_no_sessions(client: Client, bob: User, paris: Workspace, monday: Session) -> None:
    response = call(client, "GET", f"/workspaces/{paris.pk}/sessions?date=2026-12-08", bob)

    assert response.json() == {"items": [], "count": 0}


def test_the_days_sessions_are_paginated(
    client: Client, alice: User, carol: User, bob: User, acme: Organization, paris: Workspace, monday: Session
) -> None:
    later = book(carol, acme, paris, at(FROZEN_MONDAY, 17), at(FROZEN_MONDAY, 18))

    response = call(client, "GET", f"/workspaces/{paris.pk}/sessions?date=2026-12-07&limit=1&offset=1", bob)

    assert response.json()["count"] == 2
    assert [item["id"] for item in response.json()["items"]] == [later.pk]


def test_invitation_only_sessions_are_left_out_for_those_not_invited(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    private = private_session(alice, acme, paris, carol)

    hidden = call(client, "GET", f"/workspaces/{paris.pk}/sessions?date=2026-12-07", bob).json()
    shown = call(client, "GET", f"/workspaces/{paris.pk}/sessions?date=2026-12-07", carol).json()

    assert hidden["count"] == 0
    assert [item["id"] for item in shown["items"]] == [private.pk]


@pytest.mark.parametrize("query", ["?date=2026-02-30", "?date=07/12/2026", "?date=1999-12-31", "?limit=0"])
def test_a_bad_day_is_a_422(client: Client, bob: User, paris: Workspace, query: str) -> None:
    assert call(client, "GET", f"/workspaces/{paris.pk}/sessions{query}", bob).status_code == 422


# --- Timeline -------------------------------------------------------------------------------------------------


def test_the_timeline_shows_seats_held_hour_by_hour(
    client: Client, bob: User, paris: Workspace, monday: Session
) -> None:
    response = call(client, "GET", f"/workspaces/{paris.pk}/timeline?date=2026-12-07", bob)

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("workspace", "date", "timezone", "capacity", "peak", "free_seats")} == {
        "workspace": paris.pk,
        "date": "2026-12-07",
        "timezone": "Europe/Paris",
        "capacity": 20,
        "peak": 2,
        "free_seats": 18,
    }
    assert len(body["slots"]) == 24
    assert body["slots"][7] == {
        "start": "2026-12-07T07:00:00+01:00",
        "end": "2026-12-07T08:00:00+01:00",
        "peak": 0,
        "free_seats": 20,
        "open": False,
    }
    assert body["slots"][9] == {
        "start": "2026-12-07T09:00:00+01:00",
        "end": "2026-12-07T10:00:00+01:00",
        "peak": 2,
        "free_seats": 18,
        "open": True,
    }


def test_the_timeline_counts_seats_of_sessions_the_caller_cannot_see(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    private_session(alice, acme, paris, carol)

    body = call(client, "GET", f"/workspaces/{paris.pk}/timeline?date=2026-12-07", bob).json()

    assert body["slots"][13]["peak"] == 1
    assert "participants" not in str(body)


def test_a_dst_day_has_23_hours(client: Client, bob: User, paris: Workspace) -> None:
    body = call(client, "GET", f"/workspaces/{paris.pk}/timeline?date=2027-03-28", bob).json()

    assert len(body["slots"]) == 23
    assert body["slots"][2]["start"] == "2027-03-28T03:00:00+02:00"


def test_the_timeline_defaults_to_the_workspaces_today(client: Client, bob: User, paris: Workspace) -> None:
    with time_machine.travel(at(date(2026, 12, 2), 23, 30), tick=False):
        body = call(client, "GET", f"/workspaces/{paris.pk}/timeline", bob).json()

    assert body["date"] == "2026-12-02"


def test_the_timeline_reads_a_bounded_number_of_queries(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, django_assert_max_num_queries: Any
) -> None:
    for week in range(6):
        book(
            alice,
            acme,
            paris,
            at(FROZEN_MONDAY + timedelta(weeks=week), 9),
            at(FROZEN_MONDAY + timedelta(weeks=week), 10),
        )

    with django_assert_max_num_queries(12):
        assert call(client, "GET", f"/workspaces/{paris.pk}/timeline?date=2026-12-07", bob).status_code == 200


# --- Presence -------------------------------------------------------------------------------------------------


def test_presence_counts_who_is_here_now_and_who_came_today(
    client: Client, bob: User, carol: User, paris: Workspace, frozen_now: Any
) -> None:
    call(client, "POST", "/checkins", bob, {"workspace": paris.pk})
    call(client, "POST", "/checkins", carol, {"workspace": paris.pk})
    frozen_now.shift(timedelta(minutes=30))
    call(client, "POST", "/checkins/checkout", carol)

    response = call(client, "GET", f"/workspaces/{paris.pk}/presence", bob)

    assert response.status_code == 200
    assert response.json() == {"present_now": 1, "visits_today": 2}


def test_an_empty_workspace_has_nobody(client: Client, bob: User, paris: Workspace) -> None:
    assert call(client, "GET", f"/workspaces/{paris.pk}/presence", bob).json() == {"present_now": 0, "visits_today": 0}


# --- Who is where ---------------------------------------------------------------------------------------------


def test_who_is_where_lists_each_day_by_workspace_with_check_ins(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, monday: Session
) -> None:
    with time_machine.travel(at(FROZEN_MONDAY, 10), tick=False):
        assert call(client, "POST", "/checkins", bob, {"workspace": paris.pk}).status_code == 201

    response = call(client, "GET", "/organizations/acme/whereabouts?week=2026-12-09", alice)

    assert response.status_code == 200
    body = response.json()
    assert body["week_start"] == "2026-12-07"
    assert [day["date"] for day in body["days"]] == [f"2026-12-{day:02d}" for day in range(7, 14)]
    assert body["days"][0]["workspaces"] == [
        {
            "workspace": {"id": paris.pk, "name": "Paris HQ"},
            "people": [
                {"user": {"id": bob.pk, "display_name": "Bob Bernard"}, "checked_in": True},
                {"user": {"id": alice.pk, "display_name": "Alice Arnaud"}, "checked_in": False},
            ],
        }
    ]
    assert all(day["workspaces"] == [] for day in body["days"][1:])


def test_who_is_where_defaults_to_this_week(client: Client, bob: User, frozen_now: Any) -> None:
    body = call(client, "GET", "/organizations/acme/whereabouts", bob).json()

    assert body["week_start"] == "2026-11-30"


def test_who_is_where_leaves_out_invitation_only_sessions_and_hidden_workspaces(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    private_session(alice, acme, paris, carol)
    vault = make_workspace(alice, acme, "Vault", capacity=4)
    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=vault, restricted=True)
    book(carol, acme, vault, at(TUESDAY, 9), at(TUESDAY, 10))

    body = call(client, "GET", "/organizations/acme/whereabouts?week=2026-12-07", bob).json()

    assert all(day["workspaces"] == [] for day in body["days"])


def test_who_is_where_takes_the_organization_by_id_too(client: Client, bob: User, acme: Organization) -> None:
    assert call(client, "GET", f"/organizations/{acme.pk}/whereabouts", bob).status_code == 200


@pytest.mark.parametrize("week", ["2026-13-01", "tomorrow", "2026-W49"])
def test_a_bad_week_is_a_422(client: Client, bob: User, acme: Organization, week: str) -> None:
    assert call(client, "GET", f"/organizations/acme/whereabouts?week={week}", bob).status_code == 422


# --- My agenda ------------------------------------------------------------------------------------------------


def test_my_upcoming_sessions_by_default(
    client: Client, carol: User, bob: User, acme: Organization, paris: Workspace, monday: Session
) -> None:
    tuesday = book(bob, acme, paris, at(TUESDAY, 9), at(TUESDAY, 10))
    private_session(carol, acme, paris, bob)

    response = call(client, "GET", "/me/sessions", bob)

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [item["id"] for item in response.json()["items"]] == [monday.pk, tuesday.pk]


def test_my_invitations_to_answer(
    client: Client, carol: User, bob: User, acme: Organization, paris: Workspace, monday: Session
) -> None:
    private = private_session(carol, acme, paris, bob)

    response = call(client, "GET", "/me/sessions?scope=invitations", bob)

    assert [item["id"] for item in response.json()["items"]] == [private.pk]
    assert response.json()["items"][0]["my_status"] == "invited"


def test_my_past_sessions_newest_first(
    client: Client, bob: User, acme: Organization, paris: Workspace, monday: Session
) -> None:
    tuesday = book(bob, acme, paris, at(TUESDAY, 9), at(TUESDAY, 10))

    with time_machine.travel(at(TUESDAY + timedelta(days=1), 9), tick=False):
        past = call(client, "GET", "/me/sessions?scope=past", bob).json()
        upcoming = call(client, "GET", "/me/sessions", bob).json()

    assert [item["id"] for item in past["items"]] == [tuesday.pk, monday.pk]
    assert upcoming == {"items": [], "count": 0}


def test_cancelled_sessions_and_walk_in_seats_are_not_in_my_agenda(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, monday: Session
) -> None:
    call(client, "DELETE", f"/sessions/{monday.pk}", alice)
    with time_machine.travel(at(TUESDAY, 10), tick=False):
        call(client, "POST", "/checkins", bob, {"workspace": paris.pk})
        body = call(client, "GET", "/me/sessions", bob).json()

    assert Session.objects.filter(is_walk_in=True).count() == 1
    assert body == {"items": [], "count": 0}


def test_my_agenda_spans_my_organizations_unless_one_is_named(
    client: Client,
    bob: User,
    olivia: User,
    acme: Organization,
    globex: Organization,
    monday: Session,
    globex_office: Workspace,
) -> None:
    Membership.objects.create(organization=globex, user=bob, role=Role.MEMBER)
    elsewhere = book(bob, globex, globex_office, at(TUESDAY, 9), at(TUESDAY, 10))

    everywhere = call(client, "GET", "/me/sessions", bob).json()
    acme_only = call(client, "GET", "/me/sessions?organization=acme", bob).json()
    globex_only = call(client, "GET", f"/me/sessions?organization={globex.pk}", bob).json()

    assert [item["id"] for item in everywhere["items"]] == [monday.pk, elsewhere.pk]
    assert [item["id"] for item in acme_only["items"]] == [monday.pk]
    assert [item["id"] for item in globex_only["items"]] == [elsewhere.pk]


def test_naming_an_organization_one_is_not_in_is_404(client: Client, bob: User, globex: Organization) -> None:
    response = call(client, "GET", "/me/sessions?organization=globex", bob)

    assert response.status_code == 404


def test_my_agenda_leaves_out_sessions_at_workspaces_i_may_no_longer_see(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, monday: Session
) -> None:
    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=paris, restricted=True)

    assert call(client, "GET", "/me/sessions", bob).json() == {"items": [], "count": 0}


@pytest.mark.parametrize("query", ["?scope=all", "?offset=-1", "?limit=101"])
def test_a_bad_agenda_query_is_a_422(client: Client, bob: User, query: str) -> None:
    assert call(client, "GET", f"/me/sessions{query}", bob).status_code == 422


def test_my_agenda_reads_a_bounded_number_of_queries(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, django_assert_max_num_queries: Any
) -> None:
    for day in range(5):
        session = book(
            alice, acme, paris, at(FROZEN_MONDAY + timedelta(days=day), 9), at(FROZEN_MONDAY + timedelta(days=day), 10)
        )
        join(bob, acme, session)

    with django_assert_max_num_queries(10):
        assert call(client, "GET", "/me/sessions", bob).json()["count"] == 5


# --- Calendar feed --------------------------------------------------------------------------------------------


def test_no_calendar_feed_at_first(client: Client, bob: User) -> None:
    response = call(client, "GET", "/me/calendar-feed", bob)

    assert response.status_code == 200
    assert response.json() == {"active": False, "created_at": None}


def test_creating_the_calendar_feed_gives_its_secret_address_once(client: Client, bob: User) -> None:
    response = call(client, "POST", "/me/calendar-feed", bob)

    assert response.status_code == 201
    url = response.json()["url"]
    assert url.startswith(settings.SITE_URL + "/calendar/")
    assert url.endswith(".ics")
    token = urlsplit(url).path.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 32
    assert CalendarFeed.objects.get(user=bob).token_hash == feed_token_hash(token)
    state = call(client, "GET", "/me/calendar-feed", bob).json()
    assert state["active"] is True
    assert state["created_at"] is not None
    assert "url" not in state


def test_a_new_address_replaces_the_old_one(client: Client, bob: User) -> None:
    first = call(client, "POST", "/me/calendar-feed", bob).json()["url"]

    second = call(client, "POST", "/me/calendar-feed", bob).json()["url"]

    assert first != second
    token = urlsplit(second).path.rsplit("/", 1)[1].removesuffix(".ics")
    assert list(CalendarFeed.objects.values_list("token_hash", flat=True)) == [feed_token_hash(token)]


def test_the_new_address_serves_the_calendar_and_the_old_one_stops_working(
    client: Client, bob: User, monday: Session
) -> None:
    old = urlsplit(call(client, "POST", "/me/calendar-feed", bob).json()["url"]).path
    new = urlsplit(call(client, "POST", "/me/calendar-feed", bob).json()["url"]).path

    served = client.get(new)

    assert served.status_code == 200
    uids = [str(event["uid"]) for event in Calendar.from_ical(served.content).walk("VEVENT")]
    assert len(uids) == 1
    assert uids[0].startswith(f"session-{monday.pk}@")
    assert client.get(old).status_code == 404


def test_a_new_address_is_dated_from_its_creation(client: Client, bob: User) -> None:
    with time_machine.travel(at(date(2026, 12, 1), 9), tick=False):
        call(client, "POST", "/me/calendar-feed", bob)
    with time_machine.travel(at(date(2026, 12, 2), 9), tick=False):
        call(client, "POST", "/me/calendar-feed", bob)

    state = call(client, "GET", "/me/calendar-feed", bob).json()

    assert state["created_at"].startswith("2026-12-02T08:00:00")


def test_revoking_the_calendar_feed(client: Client, bob: User) -> None:
    call(client, "POST", "/me/calendar-feed", bob)

    response = call(client, "DELETE", "/me/calendar-feed", bob)

    assert response.status_code == 204
    assert not CalendarFeed.objects.filter(user=bob).exists()
    assert call(client, "DELETE", "/me/calendar-feed", bob).status_code == 204
