"""Sessions through the services: create, update, cancel, join, decline, leave, invite, and their domain events.

The clock is stopped on Wednesday 2 December 2026, 10:00 in Paris (`frozen_now`); sessions are booked on
the following Monday unless a test says otherwise.
"""

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.dispatch import Signal

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from coworklib.organizations.models import Organization
from coworklib.planning import events, selectors, services
from coworklib.planning.models import Participant, ParticipantStatus, Session, SessionSeries, Visibility
from coworklib.planning.tests.factories import FROZEN_MONDAY, PARIS, at, book, join
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import make_workspace, membership_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")

DOMAIN_EVENTS: dict[str, Signal] = {
    "created": events.session_created,
    "changed": events.session_changed,
    "cancelled": events.session_cancelled,
    "invited": events.participants_invited,
    "joined": events.participant_joined,
    "left": events.participant_left,
    "seat_released": events.seat_released,
}


def planning_rows() -> tuple[list[Any], list[Any], int]:
    """Everything a planning write could touch, to compare before and after a refused change."""
    return (
        list(Session.objects.order_by("pk").values()),
        list(Participant.objects.order_by("pk").values()),
        SessionSeries.objects.count(),
    )


@pytest.fixture
def received() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """The domain events sent during the test, in order, as (name, arguments)."""
    log: list[tuple[str, dict[str, Any]]] = []
    receivers: list[tuple[Signal, Callable[..., None]]] = []
    for name, signal in DOMAIN_EVENTS.items():

        def receiver(sender: Any, _name: str = name, **arguments: Any) -> None:
            assert sender == "planning"
            arguments.pop("signal", None)
            log.append((_name, arguments))

        signal.connect(receiver, weak=False)
        receivers.append((signal, receiver))
    yield log
    for signal, receiver in receivers:
        signal.disconnect(receiver)


@pytest.fixture
def dave(acme: Organization) -> User:
    return make_member(acme, "dave@acme.test", first_name="Dave", last_name="Dupont")


@pytest.fixture
def always_open(alice: User, acme: Organization) -> Workspace:
    """A Paris workspace open around the clock (no hours given), 10 seats."""
    return make_workspace(alice, acme, "Ouvert 24/7", capacity=10)


def statuses(session: Session) -> dict[int, str]:
    return dict(Participant.objects.filter(session=session).values_list("user_id", "status"))


def restrict_to_admins(admin: User, organization: Organization, workspace: Workspace) -> None:
    workspace_services.set_access_rule(by=membership_of(admin, organization), workspace=workspace, restricted=True)


# --- Create ---------------------------------------------------------------------------------------------------


def test_the_organizer_is_the_first_going_participant(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17), description="Sprint")

    session.refresh_from_db()
    assert (session.organizer_id, session.workspace_id, session.organization_id) == (alice.pk, paris.pk, acme.pk)
    assert (session.start, session.end) == (at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17))
    assert session.description == "Sprint"
    assert session.visibility == Visibility.ORGANIZATION
    assert not session.is_walk_in
    participants = list(Participant.objects.filter(session=session).order_by("created_at", "id"))
    assert [(p.user_id, p.status) for p in participants] == [(alice.pk, ParticipantStatus.GOING)]


def test_sessions_are_stored_in_utc(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17))

    session.refresh_from_db()
    assert session.start == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    assert session.start.utcoffset() == timedelta(0)


def test_invitees_are_invited_and_take_no_seat(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    session = book(
        alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk, str(carol.pk)]
    )

    assert statuses(session) == {
        alice.pk: ParticipantStatus.GOING,
        bob.pk: ParticipantStatus.INVITED,
        carol.pk: ParticipantStatus.INVITED,
    }
    assert set(
        Participant.objects.filter(session=session).exclude(user=alice).values_list("invited_by", flat=True)
    ) == {alice.pk}
    # Two invitations in a two-seat room: the second seat is still free.
    other = book(bob, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    assert other.pk


def test_inviting_oneself_or_twice_the_same_person_invites_once(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    session = book(
        alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk, bob.pk, alice.pk]
    )

    assert statuses(session) == {alice.pk: ParticipantStatus.GOING, bob.pk: ParticipantStatus.INVITED}


def test_an_invitee_outside_the_organization_is_not_found(
    alice: User, olivia: User, acme: Organization, paris: Workspace
) -> None:
    before = planning_rows()

    with pytest.raises(NotFound):
        book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[olivia.pk])

    assert planning_rows() == before


@pytest.mark.parametrize("invitee", [0, -1, "abc", 10**30, True, None])
def test_an_invitee_id_that_names_nobody_is_not_found(
    alice: User, acme: Organization, paris: Workspace, invitee: Any
) -> None:
    with pytest.raises(NotFound):
        book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[invitee])

    assert Session.objects.count() == 0


def test_too_many_invitees_at_once_are_refused(alice: User, acme: Organization, paris: Workspace) -> None:
    colleagues = [make_member(acme, f"colleague{number}@acme.test") for number in range(51)]

    with pytest.raises(InvalidInput) as refusal:
        book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[c.pk for c in colleagues])

    assert refusal.value.extra["errors"][0]["loc"] == ["invitees"]
    assert Session.objects.count() == 0


def test_a_workspace_of_another_organization_is_not_found(
    alice: User, acme: Organization, globex_office: Workspace
) -> None:
    with pytest.raises(NotFound):
        book(alice, acme, globex_office, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    assert planning_rows() == ([], [], 0)


def test_a_workspace_of_another_organization_is_not_found_even_with_invitees(
    alice: User, bob: User, acme: Organization, globex_office: Workspace
) -> None:
    with pytest.raises(NotFound):
        book(alice, acme, globex_office, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])

    assert planning_rows() == ([], [], 0)


def test_a_restricted_workspace_the_member_may_not_see_is_not_found(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    restrict_to_admins(alice, acme, paris)

    with pytest.raises(NotFound):
        book(bob, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    assert Session.objects.count() == 0


def test_an_admin_books_a_restricted_workspace(alice: User, carol: User, acme: Organization, paris: Workspace) -> None:
    restrict_to_admins(alice, acme, paris)

    session = book(carol, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    assert Session.objects.get().pk == session.pk


def test_an_invitee_without_access_to_the_workspace_is_refused(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    restrict_to_admins(alice, acme, paris)

    with pytest.raises(InvalidInput) as refusal:
        book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[carol.pk, bob.pk])

    assert refusal.value.extra["errors"] == [
        {"loc": ["invitees"], "msg": refusal.value.detail, "type": "no_access"},
    ]
    assert "Bob Bernard" in refusal.value.detail
    assert planning_rows() == ([], [], 0)


def test_an_archived_workspace_is_not_found(alice: User, acme: Organization, paris: Workspace) -> None:
    workspace_services.archive_workspace(by=membership_of(alice, acme), workspace=paris)

    with pytest.raises(NotFound):
        book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    assert Session.objects.count() == 0


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param((FROZEN_MONDAY, 7), (FROZEN_MONDAY, 9), id="before-opening"),
        pytest.param((FROZEN_MONDAY, 18), (FROZEN_MONDAY, 20), id="across-closing-time"),
        pytest.param((FROZEN_MONDAY, 19), (FROZEN_MONDAY, 20), id="after-closing"),
        pytest.param((date(2026, 12, 5), 9), (date(2026, 12, 5), 12), id="closed-on-saturday"),
        pytest.param((FROZEN_MONDAY, 9), (FROZEN_MONDAY + timedelta(days=1), 12), id="over-the-night"),
    ],
)
def test_a_session_outside_opening_hours_is_refused(
    alice: User, acme: Organization, paris: Workspace, start: tuple[date, int], end: tuple[date, int]
) -> None:
    with pytest.raises(Conflict) as refusal:
        book(alice, acme, paris, at(*start), at(*end))

    assert refusal.value.code == "workspace_closed"
    assert planning_rows() == ([], [], 0)


def test_a_session_ending_at_closing_time_is_accepted(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 8), at(FROZEN_MONDAY, 19))

    assert Session.objects.get().pk == session.pk


def test_a_session_on_a_closure_is_refused(alice: User, acme: Organization, paris: Workspace) -> None:
    workspace_services.add_closure(
        by=membership_of(alice, acme),
        workspace=paris,
        start_date=FROZEN_MONDAY,
        end_date=FROZEN_MONDAY,
        reason="Travaux",
    )

    with pytest.raises(Conflict) as refusal:
        book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    assert refusal.value.code == "workspace_closed"
    assert Session.objects.count() == 0


def test_a_night_session_is_accepted_where_the_workspace_is_open_around_the_clock(
    alice: User, acme: Organization, always_open: Workspace
) -> None:
    session = book(alice, acme, always_open, at(FROZEN_MONDAY, 20), at(FROZEN_MONDAY + timedelta(days=1), 6))

    assert session.end - session.start == timedelta(hours=10)


def test_a_member_cannot_go_to_two_overlapping_sessions(
    alice: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    first = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with pytest.raises(Conflict) as refusal:
        book(alice, acme, small_room, at(FROZEN_MONDAY, 11), at(FROZEN_MONDAY, 13))

    assert refusal.value.code == "overlapping_session"
    assert refusal.value.extra == {"session": first.pk}
    assert list(Session.objects.values_list("pk", flat=True)) == [first.pk]


def test_back_to_back_sessions_of_one_member_do_not_overlap(
    alice: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    book(alice, acme, small_room, at(FROZEN_MONDAY, 12), at(FROZEN_MONDAY, 14))

    assert Session.objects.count() == 2


def test_a_cancelled_session_does_not_keep_its_organizer_busy(
    alice: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    first = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    services.cancel_session(by=membership_of(alice, acme), session=first)

    second = book(alice, acme, small_room, at(FROZEN_MONDAY, 10), at(FROZEN_MONDAY, 11))

    assert second.pk != first.pk


def test_a_request_is_refused_when_the_workspace_is_full_in_the_middle_of_it(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    # Two seats: 10:00–11:00 and 10:30–12:00 are both held between 10:30 and 11:00.
    book(bob, acme, small_room, at(FROZEN_MONDAY, 10), at(FROZEN_MONDAY, 11))
    book(carol, acme, small_room, at(FROZEN_MONDAY, 10, 30), at(FROZEN_MONDAY, 12))
    before = planning_rows()

    with pytest.raises(Conflict) as refusal:
        book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 13))

    assert refusal.value.code == "capacity_exceeded"
    assert refusal.value.extra == {"free_seats": 0, "capacity": 2}
    assert planning_rows() == before


def test_a_request_whose_seats_never_overlap_is_accepted_although_each_end_is_busy(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    # 10:00–11:00 and 11:00–12:00 hold one seat each, never both at once.
    book(bob, acme, small_room, at(FROZEN_MONDAY, 10), at(FROZEN_MONDAY, 11))
    book(carol, acme, small_room, at(FROZEN_MONDAY, 11), at(FROZEN_MONDAY, 12))

    session = book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 13))

    assert Session.objects.filter(pk=session.pk).exists()


def test_a_request_touching_a_full_range_only_at_its_end_is_accepted(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    book(bob, acme, small_room, at(FROZEN_MONDAY, 10), at(FROZEN_MONDAY, 12))
    book(carol, acme, small_room, at(FROZEN_MONDAY, 10), at(FROZEN_MONDAY, 12))

    before = book(alice, acme, small_room, at(FROZEN_MONDAY, 8), at(FROZEN_MONDAY, 10))
    services.cancel_session(by=membership_of(alice, acme), session=before)
    after = book(alice, acme, small_room, at(FROZEN_MONDAY, 12), at(FROZEN_MONDAY, 13))

    assert (after.start, after.end) == (at(FROZEN_MONDAY, 12), at(FROZEN_MONDAY, 13))


def test_the_capacity_refusal_says_how_many_seats_are_left(
    alice: User, bob: User, acme: Organization, small_room: Workspace
) -> None:
    session = book(bob, acme, small_room, at(FROZEN_MONDAY, 10), at(FROZEN_MONDAY, 12), invitee_ids=[alice.pk])
    join(alice, acme, session)
    dave = make_member(acme, "dave@acme.test")

    with pytest.raises(Conflict) as refusal:
        book(dave, acme, small_room, at(FROZEN_MONDAY, 11), at(FROZEN_MONDAY, 13))

    assert refusal.value.code == "capacity_exceeded"
    assert "0 place(s) libre(s) sur 2" in refusal.value.detail


def _invalid(refusal: pytest.ExceptionInfo[InvalidInput]) -> tuple[list[Any], str]:
    [error] = refusal.value.extra["errors"]
    return error["loc"], error["type"]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(at(FROZEN_MONDAY, 12), at(FROZEN_MONDAY, 9), (["end"], "end_before_start"), id="end-before-start"),
        pytest.param(at(FROZEN_MONDAY, 12), at(FROZEN_MONDAY, 12), (["end"], "end_before_start"), id="empty"),
        pytest.param(at(date(2026, 12, 1), 9), at(date(2026, 12, 1), 12), (["end"], "in_the_past"), id="past"),
        pytest.param(at(date(2026, 12, 2), 8), at(date(2026, 12, 2), 10), (["end"], "in_the_past"), id="ended-now"),
        pytest.param(
            at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY + timedelta(days=7), 10), (["end"], "too_long"), id="8-days"
        ),
        pytest.param(at(date(2027, 12, 6), 9), at(date(2027, 12, 6), 12), (["start"], "too_far"), id="next-year"),
        pytest.param(
            datetime(2026, 12, 7, 9, 0), at(FROZEN_MONDAY, 12), (["start"], "naive_datetime"), id="naive-start"
        ),
        pytest.param(at(FROZEN_MONDAY, 9), datetime(2026, 12, 7, 12, 0), (["end"], "naive_datetime"), id="naive-end"),
    ],
)
def test_a_bad_range_is_invalid_and_writes_nothing(
    alice: User, acme: Organization, paris: Workspace, start: datetime, end: datetime, expected: tuple[list[str], str]
) -> None:
    with pytest.raises(InvalidInput) as refusal:
        book(alice, acme, paris, start, end)

    assert _invalid(refusal) == expected
    assert planning_rows() == ([], [], 0)


def test_a_session_of_exactly_seven_days_is_accepted(alice: User, acme: Organization, always_open: Workspace) -> None:
    session = book(alice, acme, always_open, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY + timedelta(days=7), 9))

    assert session.end - session.start == timedelta(days=7)


@pytest.mark.parametrize(
    ("description", "kind"),
    [
        pytest.param("x" * 2001, "too_long", id="too-long"),
        pytest.param("Hello\x00world", "invalid", id="nul"),
        pytest.param("bell \x07", "invalid", id="bell"),
        pytest.param("escape \x1b[31m", "invalid", id="escape"),
    ],
)
def test_a_bad_description_is_invalid(
    alice: User, acme: Organization, paris: Workspace, description: str, kind: str
) -> None:
    with pytest.raises(InvalidInput) as refusal:
        book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), description=description)

    assert _invalid(refusal) == (["description"], kind)
    assert Session.objects.count() == 0


def test_a_description_keeps_its_lines_and_loses_surrounding_blanks(
    alice: User, acme: Organization, paris: Workspace
) -> None:
    session = book(
        alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), description="  Ordre du jour\n\t- café  "
    )

    session.refresh_from_db()
    assert session.description == "Ordre du jour\n\t- café"


def test_an_unknown_visibility_is_invalid(alice: User, acme: Organization, paris: Workspace) -> None:
    with pytest.raises(InvalidInput) as refusal:
        book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), visibility="everyone")

    assert _invalid(refusal) == (["visibility"], "invalid")
    assert Session.objects.count() == 0


# --- Time zones and daylight saving ---------------------------------------------------------------------------


@time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=PARIS), tick=False)
def test_a_night_session_lasts_two_hours_when_the_clocks_go_forward(
    alice: User, acme: Organization, always_open: Workspace
) -> None:
    spring = date(2026, 3, 29)

    session = book(alice, acme, always_open, at(spring, 1), at(spring, 4))

    session.refresh_from_db()
    assert (session.start, session.end) == (
        datetime(2026, 3, 29, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 2, 0, tzinfo=UTC),
    )
    assert session.end - session.start == timedelta(hours=2)


@time_machine.travel(datetime(2026, 10, 20, 12, 0, tzinfo=PARIS), tick=False)
def test_a_night_session_lasts_four_hours_when_the_clocks_go_back(
    alice: User, acme: Organization, always_open: Workspace
) -> None:
    autumn = date(2026, 10, 25)

    session = book(alice, acme, always_open, at(autumn, 1), at(autumn, 4))

    session.refresh_from_db()
    assert (session.start, session.end) == (
        datetime(2026, 10, 24, 23, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 3, 0, tzinfo=UTC),
    )
    assert session.end - session.start == timedelta(hours=4)


def test_opening_hours_of_a_new_york_workspace_are_new_york_wall_clock(alice: User, acme: Organization) -> None:
    new_york = make_workspace(
        alice,
        acme,
        "Manhattan",
        capacity=5,
        timezone="America/New_York",
        opening_hours=[WeeklyInterval(day, 9 * 60, 17 * 60) for day in range(5)],
    )

    session = book(alice, acme, new_york, at(FROZEN_MONDAY, 9, zone=NEW_YORK), at(FROZEN_MONDAY, 17, zone=NEW_YORK))
    session.refresh_from_db()
    assert (session.start, session.end) == (
        datetime(2026, 12, 7, 14, 0, tzinfo=UTC),
        datetime(2026, 12, 7, 22, 0, tzinfo=UTC),
    )
    # 09:00 in Paris is 03:00 in New York: closed.
    with pytest.raises(Conflict) as refusal:
        book(alice, acme, new_york, at(FROZEN_MONDAY + timedelta(days=1), 9), at(FROZEN_MONDAY + timedelta(days=1), 12))
    assert refusal.value.code == "workspace_closed"


# --- Update ---------------------------------------------------------------------------------------------------


def update(user: User, organization: Organization, session: Session, **changes: Any) -> Session:
    return services.update_session(by=membership_of(user, organization), session=session, **changes)


def test_moving_a_session_changes_its_times(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    moved = update(alice, acme, session, start=at(FROZEN_MONDAY, 14), end=at(FROZEN_MONDAY, 17))

    session.refresh_from_db()
    assert (moved.start, moved.end) == (session.start, session.end) == (at(FROZEN_MONDAY, 14), at(FROZEN_MONDAY, 17))


def test_extending_a_session_in_a_full_room_counts_its_own_seats_once(
    alice: User, bob: User, acme: Organization, small_room: Workspace
) -> None:
    session = book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    join(bob, acme, session)

    extended = update(alice, acme, session, end=at(FROZEN_MONDAY, 15))

    session.refresh_from_db()
    assert extended.end == session.end == at(FROZEN_MONDAY, 15)


def test_extending_into_a_full_range_is_refused(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    session = book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    join(bob, acme, session)
    book(carol, acme, small_room, at(FROZEN_MONDAY, 13), at(FROZEN_MONDAY, 14))
    before = planning_rows()

    with pytest.raises(Conflict) as refusal:
        update(alice, acme, session, end=at(FROZEN_MONDAY, 14))

    assert refusal.value.code == "capacity_exceeded"
    assert planning_rows() == before


def test_moving_onto_a_full_time_is_refused(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    dave = make_member(acme, "dave@acme.test")
    session = book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 10))
    book(bob, acme, small_room, at(FROZEN_MONDAY, 14), at(FROZEN_MONDAY, 16))
    book(carol, acme, small_room, at(FROZEN_MONDAY, 15), at(FROZEN_MONDAY, 17))
    book(dave, acme, small_room, at(FROZEN_MONDAY, 8), at(FROZEN_MONDAY, 10))
    before = planning_rows()

    with pytest.raises(Conflict) as refusal:
        update(alice, acme, session, start=at(FROZEN_MONDAY, 13), end=at(FROZEN_MONDAY, 18))

    assert refusal.value.code == "capacity_exceeded"
    assert planning_rows() == before


def test_shortening_is_allowed_in_a_full_room(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    session = book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17), invitee_ids=[bob.pk])
    join(bob, acme, session)

    shortened = update(alice, acme, session, start=at(FROZEN_MONDAY, 10), end=at(FROZEN_MONDAY, 12))

    session.refresh_from_db()
    assert (
        (session.start, session.end)
        == (shortened.start, shortened.end)
        == (at(FROZEN_MONDAY, 10), at(FROZEN_MONDAY, 12))
    )
    assert statuses(session) == {alice.pk: ParticipantStatus.GOING, bob.pk: ParticipantStatus.GOING}


def test_moving_onto_a_closed_time_is_refused(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    before = planning_rows()

    with pytest.raises(Conflict) as refusal:
        update(alice, acme, session, end=at(FROZEN_MONDAY, 20))

    assert refusal.value.code == "workspace_closed"
    assert planning_rows() == before


def test_moving_to_another_workspace_checks_its_seats(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    book(bob, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    book(carol, acme, small_room, at(FROZEN_MONDAY, 11), at(FROZEN_MONDAY, 12))
    before = planning_rows()

    with pytest.raises(Conflict) as refusal:
        update(alice, acme, session, workspace=small_room)

    assert refusal.value.code == "capacity_exceeded"
    assert planning_rows() == before


def test_moving_to_another_workspace_with_room_moves_the_session(
    alice: User, acme: Organization, paris: Workspace, small_room: Workspace, received: list[Any]
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    moved = update(alice, acme, session, workspace=small_room)

    session.refresh_from_db()
    assert moved.workspace_id == session.workspace_id == small_room.pk


def test_moving_to_a_workspace_the_organizer_may_not_see_is_not_found(
    alice: User, bob: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    session = book(bob, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    restrict_to_admins(alice, acme, small_room)

    with pytest.raises(NotFound):
        update(bob, acme, session, workspace=small_room)

    session.refresh_from_db()
    assert session.workspace_id == paris.pk


def test_moving_to_a_workspace_a_participant_may_not_see_is_refused(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    session = book(carol, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    join(bob, acme, session)
    restrict_to_admins(alice, acme, small_room)
    before = planning_rows()

    # Bob would hold a seat at a workspace that is invisible to him.
    with pytest.raises(InvalidInput) as refusal:
        update(carol, acme, session, workspace=small_room)

    assert _invalid(refusal) == (["workspace"], "no_access")
    assert "Bob Bernard" in refusal.value.detail
    assert planning_rows() == before


def test_moving_to_a_restricted_workspace_everyone_may_see_is_accepted(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    session = book(carol, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[alice.pk])
    join(bob, acme, session)
    services.leave_session(by=membership_of(bob, acme), session=session)  # declined: no longer involved
    restrict_to_admins(alice, acme, small_room)

    moved = update(carol, acme, session, workspace=small_room)

    assert moved.workspace_id == small_room.pk


def test_moving_to_another_organizations_workspace_is_not_found(
    alice: User, acme: Organization, paris: Workspace, globex_office: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with pytest.raises(NotFound):
        update(alice, acme, session, workspace=globex_office)

    session.refresh_from_db()
    assert session.workspace_id == paris.pk


def test_a_going_participant_busy_at_the_new_time_is_asked_to_confirm_again(
    alice: User,
    bob: User,
    carol: User,
    acme: Organization,
    paris: Workspace,
    small_room: Workspace,
    received: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk, carol.pk])
    join(bob, acme, session)
    join(carol, acme, session)
    book(bob, acme, small_room, at(FROZEN_MONDAY, 14), at(FROZEN_MONDAY, 15))

    with django_capture_on_commit_callbacks(execute=True):
        update(alice, acme, session, start=at(FROZEN_MONDAY, 13), end=at(FROZEN_MONDAY, 17))

    assert statuses(session) == {
        alice.pk: ParticipantStatus.GOING,
        bob.pk: ParticipantStatus.INVITED,
        carol.pk: ParticipantStatus.GOING,
    }
    assert received == [
        (
            "changed",
            {
                "session_id": session.pk,
                "by_user_id": alice.pk,
                "changes": ["start", "end"],
                "reconfirm_user_ids": [bob.pk],
            },
        )
    ]


def test_an_organizer_busy_at_the_new_time_cannot_move_the_session(
    alice: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    book(alice, acme, small_room, at(FROZEN_MONDAY, 14), at(FROZEN_MONDAY, 15))
    before = planning_rows()

    with pytest.raises(Conflict) as refusal:
        update(alice, acme, session, start=at(FROZEN_MONDAY, 13), end=at(FROZEN_MONDAY, 17))

    assert refusal.value.code == "overlapping_session"
    assert planning_rows() == before


def test_only_the_organizer_changes_a_session(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    join(bob, acme, session)
    before = planning_rows()

    for someone in (bob, carol):
        with pytest.raises(Forbidden):
            update(someone, acme, session, description="Mine now")

    assert planning_rows() == before


def test_a_cancelled_session_cannot_be_changed(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    services.cancel_session(by=membership_of(alice, acme), session=session)

    with pytest.raises(Conflict) as refusal:
        update(alice, acme, session, end=at(FROZEN_MONDAY, 13))

    assert refusal.value.code == "session_cancelled"
    session.refresh_from_db()
    assert session.end == at(FROZEN_MONDAY, 12)


def test_a_finished_session_cannot_be_changed(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with time_machine.travel(at(FROZEN_MONDAY, 13), tick=False), pytest.raises(Conflict) as refusal:
        update(alice, acme, session, description="Après coup")

    assert refusal.value.code == "session_over"
    session.refresh_from_db()
    assert session.description == ""


def test_a_bad_new_range_is_invalid(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with pytest.raises(InvalidInput):
        update(alice, acme, session, end=at(FROZEN_MONDAY, 8))

    session.refresh_from_db()
    assert session.end == at(FROZEN_MONDAY, 12)


def test_changing_only_the_description_leaves_the_times_alone(
    alice: User, acme: Organization, paris: Workspace, received: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with django_capture_on_commit_callbacks(execute=True):
        update(alice, acme, session, description="Atelier", visibility=Visibility.INVITED)

    session.refresh_from_db()
    assert (session.description, session.visibility) == ("Atelier", Visibility.INVITED)
    assert (session.start, session.end) == (at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    assert [(name, arguments["changes"]) for name, arguments in received] == [
        ("changed", ["description", "visibility"])
    ]


def test_an_update_that_changes_nothing_announces_nothing(
    alice: User, acme: Organization, paris: Workspace, received: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), description="Atelier")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        update(alice, acme, session, start=at(FROZEN_MONDAY, 9), description="Atelier")

    assert callbacks == []
    assert received == []


def test_a_move_does_not_undo_a_cancellation_made_meanwhile(alice: User, acme: Organization, paris: Workspace) -> None:
    """The move saves only what it changes: a cancellation committed while it waited for the lock stays."""
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    stale = Session.objects.get(pk=session.pk)
    original_reload = services._reload_locked

    def cancelled_meanwhile(session: Session) -> Session:
        current = original_reload(session)
        Session.objects.filter(pk=session.pk).update(cancelled_at=at(date(2026, 12, 2), 10))
        return current

    services._reload_locked = cancelled_meanwhile  # type: ignore[assignment]
    try:
        update(alice, acme, stale, description="Nouvelle description")
    finally:
        services._reload_locked = original_reload  # type: ignore[assignment]

    session.refresh_from_db()
    assert session.cancelled_at is not None
    assert session.description == "Nouvelle description"


# --- Cancel ---------------------------------------------------------------------------------------------------


def test_cancelling_gives_the_seats_back(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    session = book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    join(bob, acme, session)
    with pytest.raises(Conflict):
        book(carol, acme, small_room, at(FROZEN_MONDAY, 10), at(FROZEN_MONDAY, 11))

    cancelled = services.cancel_session(by=membership_of(alice, acme), session=session)

    session.refresh_from_db()
    assert cancelled.cancelled_at == session.cancelled_at == at(date(2026, 12, 2), 10)
    assert statuses(session) == {alice.pk: ParticipantStatus.GOING, bob.pk: ParticipantStatus.GOING}
    assert book(carol, acme, small_room, at(FROZEN_MONDAY, 10), at(FROZEN_MONDAY, 11)).pk


def test_an_admin_cancels_a_members_session(bob: User, carol: User, acme: Organization, paris: Workspace) -> None:
    session = book(bob, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    services.cancel_session(by=membership_of(carol, acme), session=session)

    session.refresh_from_db()
    assert session.is_cancelled


def test_a_member_cannot_cancel_someone_elses_session(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    join(bob, acme, session)

    with pytest.raises(Forbidden):
        services.cancel_session(by=membership_of(bob, acme), session=session)

    session.refresh_from_db()
    assert session.cancelled_at is None


def test_cancelling_twice_is_harmless_and_announced_once(
    alice: User, acme: Organization, paris: Workspace, received: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    by = membership_of(alice, acme)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(by=by, session=session)
    first = Session.objects.get(pk=session.pk).cancelled_at
    with time_machine.travel(at(date(2026, 12, 2), 11), tick=False), django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(by=by, session=Session.objects.get(pk=session.pk))

    assert Session.objects.get(pk=session.pk).cancelled_at == first
    assert received == [("cancelled", {"session_id": session.pk, "by_user_id": alice.pk})]


def test_a_finished_session_cannot_be_cancelled(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with time_machine.travel(at(FROZEN_MONDAY, 13), tick=False), pytest.raises(Conflict) as refusal:
        services.cancel_session(by=membership_of(alice, acme), session=session)

    assert refusal.value.code == "session_over"
    session.refresh_from_db()
    assert session.cancelled_at is None


# --- Join, accept, decline, leave -----------------------------------------------------------------------------


def test_joining_a_visible_session_takes_a_seat(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    participant = join(bob, acme, session)

    assert (participant.user_id, participant.status) == (bob.pk, ParticipantStatus.GOING)
    assert statuses(session) == {alice.pk: ParticipantStatus.GOING, bob.pk: ParticipantStatus.GOING}


def test_joining_accepts_an_invitation(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    invitation = Participant.objects.get(session=session, user=bob)

    accepted = join(bob, acme, session)

    assert accepted.pk == invitation.pk
    assert Participant.objects.get(pk=invitation.pk).status == ParticipantStatus.GOING
    assert Participant.objects.filter(session=session).count() == 2


def test_joining_twice_is_a_conflict(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    join(bob, acme, session)

    for someone in (alice, bob):
        with pytest.raises(Conflict) as refusal:
            join(someone, acme, session)
        assert refusal.value.code == "already_participant"
    assert Participant.objects.filter(session=session).count() == 2


def test_joining_a_full_session_is_refused(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    session = book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[carol.pk])
    join(bob, acme, session)
    before = planning_rows()

    with pytest.raises(Conflict) as refusal:
        join(carol, acme, session)

    assert refusal.value.code == "capacity_exceeded"
    assert planning_rows() == before


def test_joining_a_cancelled_session_is_refused(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    services.cancel_session(by=membership_of(alice, acme), session=session)

    with pytest.raises(Conflict) as refusal:
        join(bob, acme, session)

    assert refusal.value.code == "session_cancelled"
    assert not Participant.objects.filter(user=bob).exists()


def test_joining_a_finished_session_is_refused(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with time_machine.travel(at(FROZEN_MONDAY, 12), tick=False), pytest.raises(Conflict) as refusal:
        join(bob, acme, session)

    assert refusal.value.code == "session_over"
    assert not Participant.objects.filter(user=bob).exists()


def test_joining_a_running_session_needs_a_seat_only_from_now_on(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    session = book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17))
    # With Carol's seat, the two-seat room is full this morning only.
    book(carol, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 11))

    with time_machine.travel(at(FROZEN_MONDAY, 12), tick=False):
        join(bob, acme, session)

    assert statuses(session)[bob.pk] == ParticipantStatus.GOING


def test_joining_while_going_elsewhere_is_refused(
    alice: User, bob: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    book(bob, acme, small_room, at(FROZEN_MONDAY, 11), at(FROZEN_MONDAY, 13))

    with pytest.raises(Conflict) as refusal:
        join(bob, acme, session)

    assert refusal.value.code == "overlapping_session"
    assert not Participant.objects.filter(session=session, user=bob).exists()


def test_joining_a_session_at_a_workspace_one_may_no_longer_see_is_not_found(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    restrict_to_admins(alice, acme, paris)

    with pytest.raises(NotFound):
        join(bob, acme, session)
    with pytest.raises(NotFound):
        selectors.get_session_for_member(membership_of(bob, acme), session.pk)

    assert not Participant.objects.filter(session=session, user=bob).exists()


def test_declining_an_invitation(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])

    declined = services.decline_session(by=membership_of(bob, acme), session=session)

    assert declined.status == ParticipantStatus.DECLINED
    assert statuses(session)[bob.pk] == ParticipantStatus.DECLINED


def test_declining_without_an_invitation_is_a_conflict(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with pytest.raises(Conflict) as refusal:
        services.decline_session(by=membership_of(bob, acme), session=session)

    assert refusal.value.code == "not_participant"
    assert not Participant.objects.filter(session=session, user=bob).exists()


def test_declining_after_accepting_gives_the_seat_back(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    session = book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk, carol.pk])
    join(bob, acme, session)

    declined = services.decline_session(by=membership_of(bob, acme), session=session)

    assert declined.status == ParticipantStatus.DECLINED
    assert join(carol, acme, session).status == ParticipantStatus.GOING


def test_leaving_gives_the_seat_back(
    alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    session = book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    join(bob, acme, session)

    services.leave_session(by=membership_of(bob, acme), session=session)

    assert statuses(session) == {alice.pk: ParticipantStatus.GOING, bob.pk: ParticipantStatus.DECLINED}
    assert join(carol, acme, session).status == ParticipantStatus.GOING


def test_leaving_twice_is_harmless_and_announced_once(
    alice: User,
    bob: User,
    acme: Organization,
    paris: Workspace,
    received: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    join(bob, acme, session)

    with django_capture_on_commit_callbacks(execute=True):
        services.leave_session(by=membership_of(bob, acme), session=session)
        services.leave_session(by=membership_of(bob, acme), session=session)

    assert statuses(session)[bob.pk] == ParticipantStatus.DECLINED
    assert received == [("left", {"session_id": session.pk, "user_id": bob.pk})]


def test_leaving_a_session_one_is_not_in_changes_nothing(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    before = planning_rows()

    services.leave_session(by=membership_of(bob, acme), session=session)

    assert planning_rows() == before


def test_an_organizer_who_leaves_hands_over_to_the_longest_standing_going_participant(
    alice: User, bob: User, carol: User, dave: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[dave.pk])
    with time_machine.travel(at(date(2026, 12, 2), 10, 5), tick=False):
        join(carol, acme, session)
    with time_machine.travel(at(date(2026, 12, 2), 10, 10), tick=False):
        join(bob, acme, session)
    # Dave was invited first but has not said yes: he cannot inherit the session.

    services.leave_session(by=membership_of(alice, acme), session=session)

    session.refresh_from_db()
    assert session.organizer_id == carol.pk
    assert session.cancelled_at is None
    assert statuses(session) == {
        alice.pk: ParticipantStatus.DECLINED,
        bob.pk: ParticipantStatus.GOING,
        carol.pk: ParticipantStatus.GOING,
        dave.pk: ParticipantStatus.INVITED,
    }


def test_an_organizer_who_leaves_alone_cancels_the_session(
    alice: User,
    bob: User,
    acme: Organization,
    paris: Workspace,
    received: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])

    with django_capture_on_commit_callbacks(execute=True):
        services.leave_session(by=membership_of(alice, acme), session=session)

    session.refresh_from_db()
    assert session.cancelled_at == at(date(2026, 12, 2), 10)
    assert session.organizer_id == alice.pk
    assert [name for name, _arguments in received] == ["left", "cancelled"]


def test_leaving_a_finished_session_is_refused(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    join(bob, acme, session)

    with time_machine.travel(at(FROZEN_MONDAY, 13), tick=False), pytest.raises(Conflict) as refusal:
        services.leave_session(by=membership_of(alice, acme), session=session)

    assert refusal.value.code == "session_over"
    session.refresh_from_db()
    assert (session.organizer_id, session.cancelled_at) == (alice.pk, None)
    assert statuses(session) == {alice.pk: ParticipantStatus.GOING, bob.pk: ParticipantStatus.GOING}


# --- Invitation-only sessions and invitations -----------------------------------------------------------------


def test_an_invitation_only_session_is_invisible_to_others_even_admins(
    alice: User, bob: User, carol: User, dave: User, acme: Organization, paris: Workspace
) -> None:
    session = book(
        bob,
        acme,
        paris,
        at(FROZEN_MONDAY, 9),
        at(FROZEN_MONDAY, 12),
        visibility=Visibility.INVITED,
        invitee_ids=[dave.pk],
    )

    for outsider in (alice, carol):
        with pytest.raises(NotFound):
            selectors.get_session_for_member(membership_of(outsider, acme), session.pk)
        assert not selectors.visible_sessions(membership_of(outsider, acme)).filter(pk=session.pk).exists()
    for insider in (bob, dave):
        assert selectors.get_session_for_member(membership_of(insider, acme), session.pk).pk == session.pk


def test_another_organizations_session_is_not_found(
    alice: User, olivia: User, acme: Organization, globex: Organization, globex_office: Workspace
) -> None:
    session = book(olivia, globex, globex_office, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with pytest.raises(NotFound):
        selectors.get_session_for_member(membership_of(alice, acme), session.pk)
    with pytest.raises(NotFound):
        selectors.get_membership_and_session(alice, session.pk)


@pytest.mark.parametrize("session_id", ["abc", 0, -5, 10**25, None, "1; DROP TABLE"])
def test_a_malformed_session_id_is_not_found(alice: User, acme: Organization, session_id: Any) -> None:
    with pytest.raises(NotFound):
        selectors.get_session_for_member(membership_of(alice, acme), session_id)
    with pytest.raises(NotFound):
        selectors.get_membership_and_session(alice, session_id)


def test_the_organizer_invites_colleagues(
    alice: User,
    bob: User,
    carol: User,
    acme: Organization,
    paris: Workspace,
    received: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with django_capture_on_commit_callbacks(execute=True):
        invited = services.invite_to_session(
            by=membership_of(alice, acme), session=session, user_ids=[bob.pk, carol.pk]
        )

    assert sorted(p.user_id for p in invited) == sorted([bob.pk, carol.pk])
    assert statuses(session) == {
        alice.pk: ParticipantStatus.GOING,
        bob.pk: ParticipantStatus.INVITED,
        carol.pk: ParticipantStatus.INVITED,
    }
    assert received == [
        (
            "invited",
            {"session_id": session.pk, "by_user_id": alice.pk, "user_ids": [bob.pk, carol.pk]},
        )
    ]


def test_a_going_participant_may_invite(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    join(bob, acme, session)

    [invitation] = services.invite_to_session(by=membership_of(bob, acme), session=session, user_ids=[carol.pk])

    assert (invitation.user_id, invitation.status, invitation.invited_by_id) == (
        carol.pk,
        ParticipantStatus.INVITED,
        bob.pk,
    )


def test_someone_only_invited_may_not_invite(
    alice: User, bob: User, carol: User, dave: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])

    for someone in (bob, carol):
        with pytest.raises(Forbidden):
            services.invite_to_session(by=membership_of(someone, acme), session=session, user_ids=[dave.pk])

    assert not Participant.objects.filter(user=dave).exists()


def test_inviting_people_already_in_is_a_conflict(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    join(carol, acme, session)
    before = planning_rows()

    with pytest.raises(Conflict) as refusal:
        services.invite_to_session(by=membership_of(alice, acme), session=session, user_ids=[bob.pk, carol.pk])

    assert refusal.value.code == "already_participant"
    assert planning_rows() == before


def test_inviting_again_someone_who_declined(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    services.decline_session(by=membership_of(bob, acme), session=session)

    services.invite_to_session(by=membership_of(alice, acme), session=session, user_ids=[bob.pk])

    assert statuses(session)[bob.pk] == ParticipantStatus.INVITED


def test_inviting_an_outsider_is_not_found(alice: User, olivia: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with pytest.raises(NotFound):
        services.invite_to_session(by=membership_of(alice, acme), session=session, user_ids=[olivia.pk])

    assert not Participant.objects.filter(user=olivia).exists()


def test_inviting_someone_without_access_is_refused(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    session = book(carol, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    restrict_to_admins(alice, acme, paris)

    with pytest.raises(InvalidInput):
        services.invite_to_session(by=membership_of(carol, acme), session=session, user_ids=[bob.pk])

    assert not Participant.objects.filter(user=bob).exists()


def test_inviting_nobody_is_invalid(alice: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with pytest.raises(InvalidInput):
        services.invite_to_session(by=membership_of(alice, acme), session=session, user_ids=[])


def test_inviting_to_a_cancelled_session_is_refused(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    services.cancel_session(by=membership_of(alice, acme), session=session)

    with pytest.raises(Conflict) as refusal:
        services.invite_to_session(by=membership_of(alice, acme), session=session, user_ids=[bob.pk])

    assert refusal.value.code == "session_cancelled"
    assert not Participant.objects.filter(user=bob).exists()


# --- Domain events --------------------------------------------------------------------------------------------


def test_creating_announces_created_and_invited_once_after_commit(
    alice: User,
    bob: User,
    acme: Organization,
    paris: Workspace,
    received: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
        # Still inside the test's transaction: nothing may be announced before the commit.
        assert received == []

    assert received == [
        ("created", {"session_id": session.pk, "by_user_id": alice.pk}),
        ("invited", {"session_id": session.pk, "by_user_id": alice.pk, "user_ids": [bob.pk]}),
    ]


def test_joining_announces_joined_once(
    alice: User,
    bob: User,
    acme: Organization,
    paris: Workspace,
    received: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))

    with django_capture_on_commit_callbacks(execute=True):
        join(bob, acme, session)

    assert received == [("joined", {"session_id": session.pk, "user_id": bob.pk})]


def test_a_refused_change_announces_nothing(
    alice: User,
    bob: User,
    carol: User,
    acme: Organization,
    small_room: Workspace,
    received: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = book(alice, acme, small_room, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    join(bob, acme, session)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Conflict):
            join(carol, acme, session)
        with pytest.raises(Conflict):
            book(carol, acme, small_room, at(FROZEN_MONDAY, 10), at(FROZEN_MONDAY, 11), invitee_ids=[alice.pk])
        with pytest.raises(Conflict):
            update(alice, acme, session, end=at(FROZEN_MONDAY, 21))

    assert callbacks == []
    assert received == []


def test_a_failing_receiver_does_not_undo_the_change(
    alice: User, acme: Organization, paris: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    def broken(sender: Any, **arguments: Any) -> None:
        raise RuntimeError("notifications are down")

    events.session_created.connect(broken, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    finally:
        events.session_created.disconnect(broken)

    assert Session.objects.filter(pk=session.pk).exists()
