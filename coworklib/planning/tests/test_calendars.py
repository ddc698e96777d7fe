"""iCalendar: a session's .ics and a member's feed, checked by parsing them back with icalendar ("importing" them)."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.planning import calendars, services
from coworklib.planning.models import CalendarFeed, Session
from coworklib.planning.tests.factories import FROZEN_MONDAY, PARIS, at, book
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import make_workspace, membership_of

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def imported_events(ics: bytes) -> dict[str, dict[str, Any]]:
    """What a calendar application keeps of each event, by UID."""
    calendar = Calendar.from_ical(ics)
    events = {}
    for event in calendar.walk("VEVENT"):
        events[str(event["UID"])] = {
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "summary": str(event["SUMMARY"]),
            "status": str(event["STATUS"]),
        }
    return events


def uid_of(session: Session) -> str:
    return f"session-{session.pk}@127.0.0.1"


def expected(session: Session) -> dict[str, Any]:
    session.refresh_from_db()
    return {
        "start": session.start,
        "end": session.end,
        "summary": f"Session à {session.workspace.name}",
        "status": "CANCELLED" if session.is_cancelled else "CONFIRMED",
    }


@pytest.fixture
def offices(alice: User, acme: Organization) -> dict[str, Workspace]:
    """Workspaces open around the clock in three zones: Paris and New York change clocks, Tokyo never does."""
    return {
        name: make_workspace(alice, acme, name, capacity=5, timezone=zone)
        for name, zone in (("Paris", "Europe/Paris"), ("New York", "America/New_York"), ("Tokyo", "Asia/Tokyo"))
    }


# --- One session ----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_now")
def test_a_sessions_ics_parses_and_describes_it(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17), description="Sprint ; revue, démo")
    services.join_session(by=membership_of(bob, acme), session=session)

    ics = calendars.session_ics(Session.objects.get(pk=session.pk), language="fr")

    calendar = Calendar.from_ical(ics)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
    assert str(event["UID"]) == uid_of(session)
    assert str(event["SUMMARY"]) == "Session à Paris HQ"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Paris HQ" in str(event["LOCATION"])
    description = str(event["DESCRIPTION"])
    assert "Sprint ; revue, démo" in description
    assert "Alice Arnaud" in description and "Bob Bernard" in description
    assert str(event["URL"]).endswith(f"/o/acme/sessions/{session.pk}/")


@time_machine.travel(datetime(2026, 10, 20, 12, 0, tzinfo=PARIS), tick=False)
@pytest.mark.parametrize(
    ("office", "start", "end", "hours"),
    [
        # Clocks go back in Paris on 25 October: 01:00–04:00 lasts four hours.
        ("Paris", datetime(2026, 10, 25, 1, 0, tzinfo=PARIS), datetime(2026, 10, 25, 4, 0, tzinfo=PARIS), 4),
        ("Paris", datetime(2026, 10, 26, 9, 0, tzinfo=PARIS), datetime(2026, 10, 26, 17, 0, tzinfo=PARIS), 8),
        # And in New York on 1 November: 01:00–03:00 lasts three hours.
        ("New York", datetime(2026, 11, 1, 1, 0, tzinfo=NEW_YORK), datetime(2026, 11, 1, 3, 0, tzinfo=NEW_YORK), 3),
        ("New York", datetime(2026, 11, 2, 9, 0, tzinfo=NEW_YORK), datetime(2026, 11, 2, 17, 0, tzinfo=NEW_YORK), 8),
        ("Tokyo", datetime(2026, 10, 25, 9, 0, tzinfo=TOKYO), datetime(2026, 10, 25, 17, 0, tzinfo=TOKYO), 8),
    ],
)
def test_the_ics_times_are_the_sessions_instants_in_every_zone(
    alice: User,
    acme: Organization,
    offices: dict[str, Workspace],
    office: str,
    start: datetime,
    end: datetime,
    hours: int,
) -> None:
    session = book(alice, acme, offices[office], start, end)

    [event] = Calendar.from_ical(calendars.session_ics(session, language="fr")).walk("VEVENT")

    # Compared in UTC: Python never finds an ambiguous wall time (01:00 on 1 November in New York) equal to
    # an instant of another zone.
    assert event.decoded("DTSTART") == start.astimezone(UTC)
    assert event.decoded("DTEND") == end.astimezone(UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=hours)
    # Written in UTC, which every calendar converts to its own zone.
    assert f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%S}Z".encode() in calendars.session_ics(session, language="fr")


@pytest.mark.usefixtures("frozen_now")
def test_a_sessions_ics_speaks_the_language_asked_for(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17))

    for language in ("fr", "en"):
        [event] = Calendar.from_ical(calendars.session_ics(session, language=language)).walk("VEVENT")
        assert "Paris HQ" in str(event["SUMMARY"])


@pytest.mark.usefixtures("frozen_now")
def test_a_cancelled_sessions_ics_says_so(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17))
    services.cancel_session(by=membership_of(alice, acme), session=session)

    [event] = Calendar.from_ical(calendars.session_ics(Session.objects.get(pk=session.pk), language="fr")).walk(
        "VEVENT"
    )

    assert str(event["STATUS"]) == "CANCELLED"


@pytest.mark.usefixtures("frozen_now")
def test_a_changed_session_has_a_higher_sequence(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17))
    [before] = Calendar.from_ical(calendars.session_ics(session, language="fr")).walk("VEVENT")

    with time_machine.travel(at(date(2026, 12, 3), 9), tick=False):
        moved = services.update_session(by=membership_of(alice, acme), session=session, end=at(FROZEN_MONDAY, 18))
    [after] = Calendar.from_ical(calendars.session_ics(moved, language="fr")).walk("VEVENT")

    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")
    assert after.decoded("DTEND") == at(FROZEN_MONDAY, 18)


# --- The feed ------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_now")
def test_importing_the_feed_gives_back_the_members_sessions(
    alice: User, bob: User, acme: Organization, offices: dict[str, Workspace]
) -> None:
    mine = [
        book(bob, acme, offices["Paris"], at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17)),
        book(
            bob,
            acme,
            offices["New York"],
            at(date(2026, 12, 8), 9, zone=NEW_YORK),
            at(date(2026, 12, 8), 17, zone=NEW_YORK),
        ),
        book(
            bob, acme, offices["Tokyo"], at(date(2026, 12, 10), 9, zone=TOKYO), at(date(2026, 12, 10), 17, zone=TOKYO)
        ),
    ]
    joined = book(alice, acme, offices["Paris"], at(date(2026, 12, 11), 9), at(date(2026, 12, 11), 12))
    services.join_session(by=membership_of(bob, acme), session=joined)
    mine.append(joined)

    events = imported_events(calendars.feed_ics(bob))

    assert events == {uid_of(session): expected(session) for session in mine}


@pytest.mark.usefixtures("frozen_now")
def test_the_feed_keeps_cancelled_sessions_marked_cancelled(bob: User, acme: Organization, paris: Workspace) -> None:
    kept = book(bob, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    cancelled = book(bob, acme, paris, at(FROZEN_MONDAY, 14), at(FROZEN_MONDAY, 17))
    services.cancel_session(by=membership_of(bob, acme), session=cancelled)

    events = imported_events(calendars.feed_ics(bob))

    assert events[uid_of(kept)]["status"] == "CONFIRMED"
    assert events[uid_of(cancelled)]["status"] == "CANCELLED"


@pytest.mark.usefixtures("frozen_now")
def test_the_feed_leaves_out_invitations_and_sessions_one_left(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    invitation = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    left = book(alice, acme, paris, at(FROZEN_MONDAY, 14), at(FROZEN_MONDAY, 17))
    services.join_session(by=membership_of(bob, acme), session=left)
    services.leave_session(by=membership_of(bob, acme), session=left)

    events = imported_events(calendars.feed_ics(bob))

    assert uid_of(invitation) not in events and uid_of(left) not in events
    assert set(imported_events(calendars.feed_ics(alice))) == {uid_of(invitation), uid_of(left)}


@pytest.mark.usefixtures("frozen_now")
def test_the_feed_leaves_out_a_workspace_restricted_since_the_booking(
    alice: User, bob: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    hidden = book(bob, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    kept = book(bob, acme, small_room, at(FROZEN_MONDAY, 14), at(FROZEN_MONDAY, 16))

    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=paris, restricted=True)

    assert set(imported_events(calendars.feed_ics(bob))) == {uid_of(kept)}
    assert hidden.pk


@pytest.mark.usefixtures("frozen_now")
def test_the_feed_has_only_the_organizations_one_belongs_to(
    alice: User, olivia: User, acme: Organization, globex: Organization, paris: Workspace, globex_office: Workspace
) -> None:
    globex_only = book(
        olivia, globex, globex_office, at(FROZEN_MONDAY, 9, zone=NEW_YORK), at(FROZEN_MONDAY, 12, zone=NEW_YORK)
    )
    acme_session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    assert set(imported_events(calendars.feed_ics(alice))) == {uid_of(acme_session)}
    assert set(imported_events(calendars.feed_ics(olivia))) == {uid_of(globex_only)}


@pytest.mark.usefixtures("frozen_now")
def test_the_feed_of_a_member_of_two_organizations_has_both(
    alice: User, olivia: User, acme: Organization, globex: Organization, paris: Workspace, globex_office: Workspace
) -> None:
    Membership.objects.create(organization=globex, user=alice, role=Role.MEMBER)
    acme_session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    globex_session = book(
        alice, globex, globex_office, at(date(2026, 12, 8), 9, zone=NEW_YORK), at(date(2026, 12, 8), 12, zone=NEW_YORK)
    )

    Membership.objects.filter(organization=globex, user=alice).delete()
    assert set(imported_events(calendars.feed_ics(alice))) == {uid_of(acme_session)}
    assert globex_session.pk


@pytest.mark.usefixtures("frozen_now")
def test_the_feed_leaves_out_walk_ins(bob: User, acme: Organization, paris: Workspace) -> None:
    record, _created = services.check_in(by=membership_of(bob, acme), workspace=paris)

    assert record.session is not None and record.session.is_walk_in
    assert imported_events(calendars.feed_ics(bob)) == {}


def test_the_feed_covers_the_last_90_days(alice: User, acme: Organization, paris: Workspace) -> None:
    with time_machine.travel(at(date(2026, 8, 1), 8), tick=False):
        old = book(alice, acme, paris, at(date(2026, 8, 3), 9), at(date(2026, 8, 3), 12))
        recent = book(alice, acme, paris, at(date(2026, 9, 7), 9), at(date(2026, 9, 7), 12))

    with time_machine.travel(at(date(2026, 12, 2), 10), tick=False):
        events = imported_events(calendars.feed_ics(alice))

    assert set(events) == {uid_of(recent)}
    assert old.pk


@pytest.mark.usefixtures("frozen_now")
def test_an_empty_feed_is_a_valid_calendar(bob: User) -> None:
    calendar = Calendar.from_ical(calendars.feed_ics(bob))

    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "Mes sessions Coworklib"


@pytest.mark.usefixtures("frozen_now")
def test_the_feed_reads_a_bounded_number_of_queries(
    alice: User, bob: User, acme: Organization, paris: Workspace, django_assert_max_num_queries: Any
) -> None:
    for day in range(7, 12):
        session = book(alice, acme, paris, at(date(2026, 12, day), 9), at(date(2026, 12, day), 12))
        services.join_session(by=membership_of(bob, acme), session=session)

    with django_assert_max_num_queries(4):
        calendars.feed_ics(bob)


# --- The feed's secret address --------------------------------------------------------------------------------


def test_resetting_the_feed_gives_a_new_secret_and_forgets_the_old_one(bob: User) -> None:
    first = services.reset_calendar_feed(user=bob)
    first_hash = CalendarFeed.objects.get(user=bob).token_hash

    second = services.reset_calendar_feed(user=bob)

    assert second != first
    assert len(second) >= 32
    feed = CalendarFeed.objects.get(user=bob)
    assert feed.token_hash == services.feed_token_hash(second) != first_hash
    assert first_hash == services.feed_token_hash(first)
    assert not CalendarFeed.objects.filter(token_hash=first_hash).exists()
    # Only a hash is kept.
    assert not CalendarFeed.objects.filter(token_hash=second).exists()


def test_revoking_the_feed_deletes_it(bob: User) -> None:
    services.reset_calendar_feed(user=bob)

    services.revoke_calendar_feed(user=bob)
    services.revoke_calendar_feed(user=bob)

    assert not CalendarFeed.objects.filter(user=bob).exists()


def test_each_member_has_their_own_feed(alice: User, bob: User) -> None:
    services.reset_calendar_feed(user=alice)
    services.reset_calendar_feed(user=bob)

    services.revoke_calendar_feed(user=bob)

    assert list(CalendarFeed.objects.values_list("user_id", flat=True)) == [alice.pk]


def test_a_member_of_another_organization_sees_none_of_acmes_sessions(
    alice: User, acme: Organization, globex: Organization, paris: Workspace
) -> None:
    outsider = make_member(globex, "eve@globex.test")
    with time_machine.travel(at(date(2026, 12, 2), 10), tick=False):
        session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
        assert imported_events(calendars.feed_ics(outsider)) == {}
    assert session.pk


def test_a_new_york_workspace_with_opening_hours_exports_new_york_hours(alice: User, acme: Organization) -> None:
    new_york = make_workspace(
        alice,
        acme,
        "Manhattan",
        capacity=5,
        timezone="America/New_York",
        opening_hours=[WeeklyInterval(day, 9 * 60, 17 * 60) for day in range(5)],
    )
    with time_machine.travel(at(date(2026, 12, 2), 10), tick=False):
        session = book(alice, acme, new_york, at(FROZEN_MONDAY, 9, zone=NEW_YORK), at(FROZEN_MONDAY, 17, zone=NEW_YORK))
        events = imported_events(calendars.feed_ics(alice))

    assert events[uid_of(session)]["start"].astimezone(NEW_YORK).hour == 9
    assert events[uid_of(session)]["end"].astimezone(NEW_YORK).hour == 17
