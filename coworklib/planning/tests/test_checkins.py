"""Check-ins: the seat they use, walk-ins, check-out (by hand and at closing), presence counts and the daily QR code.

The clock is stopped on Wednesday 2 December 2026, 10:00 in Paris (`frozen_now`) unless a test travels.
"""

import base64
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from coworklib.accounts.models import User
from coworklib.core.errors import Conflict, NotFound
from coworklib.organizations.models import Organization
from coworklib.planning import checkin_codes, selectors, services
from coworklib.planning.capacity import bookings_between, peak_occupancy
from coworklib.planning.models import CheckIn, CheckInMethod, Participant, ParticipantStatus, Session
from coworklib.planning.tests.factories import PARIS, at, book
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import make_workspace, membership_of

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)
UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")


def check_in(user: User, organization: Organization, workspace: Workspace, **fields: Any) -> tuple[CheckIn, bool]:
    return services.check_in(by=membership_of(user, organization), workspace=workspace, **fields)


def session_of(record: CheckIn) -> Session:
    """The session whose seat the check-in uses, as stored now."""
    assert record.session_id is not None
    return Session.objects.get(pk=record.session_id)


def seats_held(workspace: Workspace, start: datetime, end: datetime) -> int:
    return peak_occupancy(bookings_between(workspace.pk, start, end), start, end)


def rows() -> tuple[list[Any], list[Any], list[Any]]:
    return (
        list(Session.objects.order_by("pk").values()),
        list(Participant.objects.order_by("pk").values()),
        list(CheckIn.objects.order_by("pk").values()),
    )


# --- Opening hours and access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    [at(TODAY, 7, 59), at(TODAY, 19), at(date(2026, 12, 5), 10)],
    ids=["before-opening", "at-closing-time", "saturday"],
)
def test_checking_in_while_closed_is_refused(bob: User, acme: Organization, paris: Workspace, moment: datetime) -> None:
    with time_machine.travel(moment, tick=False), pytest.raises(Conflict) as refusal:
        check_in(bob, acme, paris)

    assert refusal.value.code == "workspace_closed"
    assert rows() == ([], [], [])


@pytest.mark.usefixtures("frozen_now")
def test_checking_in_on_a_closure_is_refused(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    workspace_services.add_closure(by=membership_of(alice, acme), workspace=paris, start_date=TODAY, end_date=TODAY)

    with pytest.raises(Conflict) as refusal:
        check_in(bob, acme, paris)

    assert refusal.value.code == "workspace_closed"
    assert rows() == ([], [], [])


@pytest.mark.usefixtures("frozen_now")
def test_checking_in_at_a_restricted_workspace_is_not_found(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=paris, restricted=True)

    with pytest.raises(NotFound):
        check_in(bob, acme, paris)

    assert rows() == ([], [], [])


@pytest.mark.usefixtures("frozen_now")
def test_checking_in_at_another_organizations_workspace_is_not_found(
    bob: User, acme: Organization, globex_office: Workspace
) -> None:
    with pytest.raises(NotFound):
        check_in(bob, acme, globex_office)

    assert rows() == ([], [], [])


# --- The seat a check-in uses ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_now")
def test_a_going_participant_uses_the_seat_of_their_session(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(TODAY, 9), at(TODAY, 12))
    services.join_session(by=membership_of(bob, acme), session=session)
    held = seats_held(paris, at(TODAY, 8), at(TODAY, 19))

    record, created = check_in(bob, acme, paris, method=CheckInMethod.QR_CODE)

    assert created
    record.refresh_from_db()
    assert (record.user_id, record.workspace_id, record.session_id, record.method) == (
        bob.pk,
        paris.pk,
        session.pk,
        CheckInMethod.QR_CODE,
    )
    assert (record.checked_in_at, record.checked_out_at, record.closes_at) == (at(TODAY, 10), None, at(TODAY, 19))
    assert record.organization_id == acme.pk
    assert Session.objects.count() == 1
    assert not Session.objects.filter(is_walk_in=True).exists()
    assert seats_held(paris, at(TODAY, 8), at(TODAY, 19)) == held == 2


@pytest.mark.usefixtures("frozen_now")
def test_checking_in_up_to_an_hour_early_uses_the_sessions_seat(
    alice: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(TODAY, 11), at(TODAY, 12))

    record, _created = check_in(alice, acme, paris)

    assert record.session_id == session.pk
    assert not Session.objects.filter(is_walk_in=True).exists()


@pytest.mark.usefixtures("frozen_now")
def test_checking_in_more_than_an_hour_early_walks_in_until_the_session_starts(
    alice: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(TODAY, 11, 1), at(TODAY, 12))

    record, _created = check_in(alice, acme, paris)

    walk_in = Session.objects.get(is_walk_in=True)
    assert record.session_id == walk_in.pk != session.pk
    assert (walk_in.start, walk_in.end) == (at(TODAY, 10), at(TODAY, 11, 1))


@pytest.mark.usefixtures("frozen_now")
def test_a_walk_in_takes_a_seat_until_closing_time(bob: User, acme: Organization, paris: Workspace) -> None:
    record, created = check_in(bob, acme, paris)

    assert created
    walk_in = Session.objects.get()
    assert record.session_id == walk_in.pk
    assert walk_in.is_walk_in
    assert (walk_in.workspace_id, walk_in.organizer_id, walk_in.organization_id) == (paris.pk, bob.pk, acme.pk)
    assert (walk_in.start, walk_in.end) == (at(TODAY, 10), at(TODAY, 19))
    assert list(Participant.objects.values_list("session_id", "user_id", "status")) == [
        (walk_in.pk, bob.pk, ParticipantStatus.GOING)
    ]
    assert record.closes_at == at(TODAY, 19)
    assert seats_held(paris, at(TODAY, 10), at(TODAY, 19)) == 1


@pytest.mark.usefixtures("frozen_now")
def test_a_walk_in_ends_where_the_members_next_session_begins(
    bob: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    book(bob, acme, small_room, at(TODAY, 14), at(TODAY, 16))

    check_in(bob, acme, paris)

    walk_in = Session.objects.get(is_walk_in=True)
    assert (walk_in.start, walk_in.end) == (at(TODAY, 10), at(TODAY, 14))


@pytest.mark.usefixtures("frozen_now")
def test_a_walk_in_is_refused_when_the_workspace_is_full(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    book(alice, acme, small_room, at(TODAY, 9), at(TODAY, 12))
    book(carol, acme, small_room, at(TODAY, 9), at(TODAY, 11))
    before = rows()

    with pytest.raises(Conflict) as refusal:
        check_in(bob, acme, small_room)

    assert refusal.value.code == "capacity_exceeded"
    assert rows() == before


@pytest.mark.usefixtures("frozen_now")
def test_a_walk_in_needs_a_seat_until_closing_time(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    # Free now, full from 15:00: a walk-in seat would hold until 20:00, so it is refused.
    book(alice, acme, small_room, at(TODAY, 15), at(TODAY, 16))
    book(carol, acme, small_room, at(TODAY, 15), at(TODAY, 16))

    with pytest.raises(Conflict) as refusal:
        check_in(bob, acme, small_room)

    assert refusal.value.code == "capacity_exceeded"
    assert not CheckIn.objects.exists()


@pytest.mark.usefixtures("frozen_now")
def test_a_member_in_a_running_session_elsewhere_cannot_walk_in(
    bob: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    book(bob, acme, small_room, at(TODAY, 9), at(TODAY, 12))

    with pytest.raises(Conflict) as refusal:
        check_in(bob, acme, paris)

    assert refusal.value.code == "overlapping_session"
    assert not CheckIn.objects.exists()
    assert Session.objects.count() == 1


@pytest.mark.usefixtures("frozen_now")
def test_a_walk_in_is_invisible_to_the_session_paths(
    alice: User, bob: User, acme: Organization, paris: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        check_in(bob, acme, paris)
    walk_in = Session.objects.get(is_walk_in=True)

    # No "session created" announcement, and nobody joins someone's walk-in.
    assert callbacks == []
    with pytest.raises(NotFound):
        services.join_session(by=membership_of(alice, acme), session=walk_in)
    with pytest.raises(NotFound):
        services.invite_to_session(by=membership_of(bob, acme), session=walk_in, user_ids=[alice.pk])
    # Nor is it moved or cancelled like a session: it ends with the check-out.
    with pytest.raises(NotFound):
        services.update_session(by=membership_of(bob, acme), session=walk_in, end=at(TODAY, 21))
    with pytest.raises(NotFound):
        services.cancel_session(by=membership_of(alice, acme), session=walk_in)
    walk_in.refresh_from_db()
    assert (walk_in.end, walk_in.cancelled_at) == (at(TODAY, 19), None)


# --- Again, elsewhere, out ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_now")
def test_checking_in_again_at_the_same_place_changes_nothing(bob: User, acme: Organization, paris: Workspace) -> None:
    first, _created = check_in(bob, acme, paris)
    before = rows()

    with time_machine.travel(at(TODAY, 11), tick=False):
        again, created = check_in(bob, acme, paris)

    assert not created
    assert again.pk == first.pk
    assert rows() == before


@pytest.mark.usefixtures("frozen_now")
def test_checking_in_elsewhere_checks_out_of_the_first_place(
    bob: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    first, _created = check_in(bob, acme, paris)

    with time_machine.travel(at(TODAY, 11), tick=False):
        second, created = check_in(bob, acme, small_room)

    assert created
    first.refresh_from_db()
    assert first.checked_out_at == at(TODAY, 11)
    assert session_of(first).end == at(TODAY, 11)
    assert (second.workspace_id, second.checked_out_at) == (small_room.pk, None)
    assert session_of(second).start == at(TODAY, 11)
    with time_machine.travel(at(TODAY, 11, 30), tick=False):
        assert selectors.current_check_in(bob) == second


@pytest.mark.usefixtures("frozen_now")
def test_checking_out_frees_the_walk_in_seat(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    book(alice, acme, small_room, at(TODAY, 12), at(TODAY, 14))
    record, _created = check_in(bob, acme, small_room)
    with pytest.raises(Conflict):
        book(carol, acme, small_room, at(TODAY, 13), at(TODAY, 14))

    with time_machine.travel(at(TODAY, 11), tick=False):
        out = services.check_out(user=bob)

    assert out is not None and out.pk == record.pk
    record.refresh_from_db()
    assert record.checked_out_at == at(TODAY, 11)
    walk_in = session_of(record)
    assert (walk_in.end, walk_in.cancelled_at) == (at(TODAY, 11), None)
    assert book(carol, acme, small_room, at(TODAY, 13), at(TODAY, 14)).pk


@pytest.mark.usefixtures("frozen_now")
def test_checking_out_the_moment_one_walked_in_leaves_no_seat_held(
    bob: User, acme: Organization, paris: Workspace
) -> None:
    record, _created = check_in(bob, acme, paris)

    services.check_out(user=bob)

    walk_in = session_of(record)
    assert walk_in.cancelled_at == at(TODAY, 10)
    assert seats_held(paris, at(TODAY, 8), at(TODAY, 19)) == 0


@pytest.mark.usefixtures("frozen_now")
def test_checking_out_keeps_the_seat_of_a_booked_session(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(TODAY, 9), at(TODAY, 12))
    check_in(alice, acme, paris)

    with time_machine.travel(at(TODAY, 11), tick=False):
        services.check_out(user=alice)

    session.refresh_from_db()
    assert (session.end, session.cancelled_at) == (at(TODAY, 12), None)
    assert Participant.objects.get(session=session).status == ParticipantStatus.GOING


@pytest.mark.usefixtures("frozen_now")
def test_checking_out_when_not_checked_in_does_nothing(bob: User, acme: Organization, paris: Workspace) -> None:
    assert services.check_out(user=bob) is None

    check_in(bob, acme, paris)
    services.check_out(user=bob)
    before = rows()
    assert services.check_out(user=bob) is None
    assert rows() == before


@pytest.mark.usefixtures("frozen_now")
def test_after_checking_out_one_may_check_in_again(bob: User, acme: Organization, paris: Workspace) -> None:
    first, _created = check_in(bob, acme, paris)
    with time_machine.travel(at(TODAY, 11), tick=False):
        services.check_out(user=bob)

    with time_machine.travel(at(TODAY, 14), tick=False):
        second, created = check_in(bob, acme, paris)

    assert created and second.pk != first.pk
    assert session_of(second).start == at(TODAY, 14)


# --- Closing time and presence --------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_now")
def test_everyone_is_checked_out_at_closing_time(bob: User, acme: Organization, paris: Workspace) -> None:
    check_in(bob, acme, paris)

    assert selectors.presence_at(paris, now=at(TODAY, 18, 59)).present_now == 1
    assert selectors.current_check_in(bob, now=at(TODAY, 18, 59)) is not None
    assert selectors.presence_at(paris, now=at(TODAY, 19)).present_now == 0
    assert selectors.current_check_in(bob, now=at(TODAY, 19)) is None
    # The day's visit still counts.
    assert selectors.presence_at(paris, now=at(TODAY, 19)).visits_today == 1


@pytest.mark.usefixtures("frozen_now")
def test_the_next_morning_one_checks_in_afresh(bob: User, acme: Organization, paris: Workspace) -> None:
    first, _created = check_in(bob, acme, paris)

    with time_machine.travel(at(TODAY + timedelta(days=1), 9), tick=False):
        second, created = check_in(bob, acme, paris)

    assert created and second.pk != first.pk
    first.refresh_from_db()
    assert first.checked_out_at is None
    assert first.left_at == at(TODAY, 19)


@pytest.mark.usefixtures("frozen_now")
def test_presence_counts_people_now_and_distinct_visits_today(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    with time_machine.travel(at(TODAY - timedelta(days=1), 9), tick=False):
        check_in(carol, acme, paris)  # yesterday: not today's visit
    with time_machine.travel(at(TODAY, 8, 30), tick=False):
        check_in(bob, acme, paris)
        check_in(alice, acme, paris)
    with time_machine.travel(at(TODAY, 9), tick=False):
        services.check_out(user=bob)
    with time_machine.travel(at(TODAY, 9, 30), tick=False):
        check_in(bob, acme, paris)  # the same person again: one visit
    with time_machine.travel(at(TODAY, 9, 45), tick=False):
        services.check_out(user=alice)

    presence = selectors.presence_at(paris)

    assert (presence.present_now, presence.visits_today) == (1, 2)


@pytest.mark.usefixtures("frozen_now")
def test_visits_today_follow_the_workspaces_local_date(bob: User, alice: User, acme: Organization) -> None:
    new_york = make_workspace(alice, acme, "Manhattan", capacity=5, timezone="America/New_York")
    # 23:30 on 1 December in New York is 05:30 on 2 December in Paris.
    with time_machine.travel(datetime(2026, 12, 1, 23, 30, tzinfo=NEW_YORK), tick=False):
        check_in(bob, acme, new_york)

    assert selectors.presence_at(new_york, now=datetime(2026, 12, 1, 23, 45, tzinfo=NEW_YORK)).visits_today == 1
    assert selectors.presence_at(new_york, now=datetime(2026, 12, 2, 9, 0, tzinfo=NEW_YORK)).visits_today == 0


@pytest.mark.usefixtures("frozen_now")
def test_a_check_in_at_a_workspace_open_around_the_clock_ends_with_the_local_day(
    alice: User, bob: User, acme: Organization
) -> None:
    always_open = make_workspace(alice, acme, "Ouvert 24/7", capacity=3)

    record, _created = check_in(bob, acme, always_open)

    walk_in = session_of(record)
    assert record.closes_at == walk_in.end == at(TODAY + timedelta(days=1), 0)


@pytest.mark.usefixtures("frozen_now")
def test_a_check_in_at_night_hours_ends_at_their_closing_time(alice: User, bob: User, acme: Organization) -> None:
    night_club = make_workspace(
        alice,
        acme,
        "Nocturne",
        capacity=3,
        opening_hours=[WeeklyInterval(day, 20 * 60, 24 * 60) for day in range(7)]
        + [WeeklyInterval(day, 0, 2 * 60) for day in range(7)],
    )

    with time_machine.travel(at(TODAY, 23), tick=False):
        record, _created = check_in(bob, acme, night_club)

    assert record.closes_at == at(TODAY + timedelta(days=1), 2)


# --- The daily QR code ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_now")
def test_the_code_carries_at_least_128_bits(paris: Workspace) -> None:
    code = checkin_codes.todays_checkin_code(paris)

    raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
    assert len(raw) * 8 >= 128
    assert code.isascii() and all(char.isalnum() or char in "-_" for char in code)


@pytest.mark.usefixtures("frozen_now")
def test_todays_code_is_valid_today_only(paris: Workspace) -> None:
    code = checkin_codes.todays_checkin_code(paris)

    assert checkin_codes.is_valid_checkin_code(paris, code)
    with time_machine.travel(at(TODAY, 23, 59), tick=False):
        assert checkin_codes.is_valid_checkin_code(paris, code)
    with time_machine.travel(at(TODAY + timedelta(days=1), 0, 0), tick=False):
        assert not checkin_codes.is_valid_checkin_code(paris, code)
    with time_machine.travel(at(TODAY - timedelta(days=1), 12), tick=False):
        assert not checkin_codes.is_valid_checkin_code(paris, code)


@pytest.mark.usefixtures("frozen_now")
def test_each_workspace_has_its_own_code(paris: Workspace, small_room: Workspace) -> None:
    assert checkin_codes.todays_checkin_code(paris) != checkin_codes.todays_checkin_code(small_room)
    assert not checkin_codes.is_valid_checkin_code(small_room, checkin_codes.todays_checkin_code(paris))


def test_the_code_changes_at_the_workspaces_local_midnight(alice: User, acme: Organization, paris: Workspace) -> None:
    new_york = make_workspace(alice, acme, "Manhattan", capacity=5, timezone="America/New_York")
    before_paris_midnight = datetime(2026, 12, 2, 23, 30, tzinfo=PARIS)  # 17:30 in New York
    after_paris_midnight = datetime(2026, 12, 3, 0, 30, tzinfo=PARIS)  # 18:30 in New York
    after_new_york_midnight = datetime(2026, 12, 3, 0, 30, tzinfo=NEW_YORK)

    def codes(now: datetime) -> tuple[str, str]:
        return checkin_codes.todays_checkin_code(paris, now), checkin_codes.todays_checkin_code(new_york, now)

    paris_before, new_york_before = codes(before_paris_midnight)
    paris_after, new_york_after = codes(after_paris_midnight)
    assert paris_after != paris_before
    assert new_york_after == new_york_before
    assert codes(after_new_york_midnight) == (paris_after, codes(after_new_york_midnight)[1])
    assert codes(after_new_york_midnight)[1] != new_york_before


@pytest.mark.usefixtures("frozen_now")
@pytest.mark.parametrize("code", ["", "x", "é" * 43, "A" * 10_000, "None"])
def test_a_garbage_code_is_simply_invalid(paris: Workspace, code: str) -> None:
    assert not checkin_codes.is_valid_checkin_code(paris, code)


@pytest.mark.usefixtures("frozen_now")
def test_the_qr_code_points_at_todays_check_in_address(paris: Workspace, settings: Any) -> None:
    url = checkin_codes.checkin_url(paris)

    assert url.startswith(settings.SITE_URL + "/o/acme/check-in/")
    assert url.rstrip("/").endswith(f"/{paris.pk}/{checkin_codes.todays_checkin_code(paris)}")
    svg = checkin_codes.qr_svg(url)
    # Inline markup only: nothing for the browser to fetch.
    assert svg.startswith("<svg")
    assert "href" not in svg and "<image" not in svg


@pytest.mark.usefixtures("frozen_now")
def test_a_code_is_not_the_same_for_a_workspace_of_another_deployment(paris: Workspace, settings: Any) -> None:
    code = checkin_codes.todays_checkin_code(paris)

    settings.SECRET_KEY = "another-deployment-" + "x" * 50

    assert checkin_codes.todays_checkin_code(paris) != code


# --- People --------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_now")
def test_current_check_in_is_scoped_to_a_workspace_when_asked(
    bob: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    record, _created = check_in(bob, acme, paris)

    assert selectors.current_check_in(bob) == record
    assert selectors.current_check_in(bob, paris) == record
    assert selectors.current_check_in(bob, small_room) is None


@pytest.mark.usefixtures("frozen_now")
def test_the_check_in_time_is_stored_in_utc_to_the_second(bob: User, acme: Organization, paris: Workspace) -> None:
    with time_machine.travel(datetime(2026, 12, 2, 9, 15, 30, 123456, tzinfo=UTC), tick=False):
        record, _created = check_in(bob, acme, paris)

    record.refresh_from_db()
    assert record.checked_in_at == datetime(2026, 12, 2, 9, 15, 30, tzinfo=UTC)
