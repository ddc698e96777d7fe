"""Invariant 1 over generated sequences: create (one-off, inviting, recurring), join, accept, leave, decline,
move, extend, cancel, check in and out, cut capacity.

A hypothesis state machine plays random operations of six members on two
small workspaces while the clock moves forward, and after every step checks,
from the raw rows (plain SQL in `concurrency.py`, not the code under test):

- at every instant from now on, the going participants of a workspace's live
  sessions fit its capacity. From now on, not over all time: what is past is
  history, and joining a running session or cutting the capacity only needs
  the seats from now on (a join at 11:00 still shows the joiner in the
  session's 09:00 hour). The clock only moves forward, so every instant is
  checked while it is still present or future;
- no member is going to two overlapping live sessions.

It also checks the refusals the other way round: a `capacity_exceeded` or
`sessions_over_capacity` only when the raw rows say the seats really lack.
"""

import itertools
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from conftest import make_member
from coworklib.core.errors import Conflict, DomainError
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.planning import services
from coworklib.planning.models import Participant, ParticipantStatus, Session
from coworklib.planning.tests.concurrency import add_members, double_bookings, membership, peak_going
from coworklib.planning.tests.factories import at
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import make_workspace

# A Monday; the clock starts at its 08:00 and moves forward only.
DAY = date(2027, 3, 1)
SLOT = timedelta(minutes=30)
# From 07:00, an hour before opening, so that some requests fall outside the hours (08:00–20:00).
FIRST_SLOT = at(DAY, 7)
MEMBERS = 6
organizations = itertools.count()

slots = st.integers(min_value=0, max_value=28)
lengths = st.integers(min_value=1, max_value=8)
members = st.integers(min_value=0, max_value=MEMBERS - 1)
workspace_numbers = st.integers(min_value=0, max_value=1)
picks = st.integers(min_value=0, max_value=10_000)


class PlanningMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.travel = time_machine.travel(at(DAY, 8), tick=False)
        self.clock = self.travel.start()
        number = next(organizations)
        self.organization = Organization.objects.create(name=f"Org {number}", slug=f"org-{number}")
        owner = make_member(self.organization, f"owner{number}@acme.test", Role.OWNER)
        self.admin = membership(owner, self.organization)
        self.members = [
            membership(user, self.organization)
            for user in add_members(self.organization, MEMBERS, prefix=f"member{number}-")
        ]
        hours = [WeeklyInterval(day, 8 * 60, 20 * 60) for day in range(7)]
        self.workspaces = [
            make_workspace(owner, self.organization, "Petite salle", capacity=2, opening_hours=hours),
            make_workspace(owner, self.organization, "Grande salle", capacity=3, opening_hours=hours),
        ]
        self.session_ids: list[int] = []

    def teardown(self) -> None:
        self.travel.stop()

    # --- Helpers ------------------------------------------------------------------------------------------------

    def session(self, pick: int) -> Session | None:
        """One of the machine's planned sessions still on (walk-ins are check-ins' business), or None."""
        live = list(
            Session.objects.filter(pk__in=self.session_ids, cancelled_at__isnull=True, is_walk_in=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        return Session.objects.get(pk=live[pick % len(live)]) if live else None

    def organizer_of(self, session: Session | None) -> Membership | None:
        if session is None:
            return None
        return next((by for by in self.members if by.user_id == session.organizer_id), None)

    def workspace(self, number: int) -> Workspace:
        return Workspace.objects.get(pk=self.workspaces[number].pk)

    @staticmethod
    def attempt(call: Any, **kwargs: Any) -> object:
        """The service's result, or the domain error it refused with; anything else fails the test."""
        try:
            result = call(**kwargs)
        except DomainError as error:
            # One request at a time: nothing can hold the lock for long.
            assert error.code != "busy"
            event(f"{call.__name__}: {error.code}")
            return error
        event(f"{call.__name__}: done")
        return result

    @staticmethod
    def refused_for(outcome: object, code: str) -> bool:
        return isinstance(outcome, Conflict) and outcome.code == code

    # --- Rules --------------------------------------------------------------------------------------------------

    @rule(
        member=members,
        workspace_number=workspace_numbers,
        first=slots,
        length=lengths,
        invitees=st.lists(members, max_size=3, unique=True),
    )
    def create(self, member: int, workspace_number: int, first: int, length: int, invitees: list[int]) -> None:
        workspace = self.workspace(workspace_number)
        start = FIRST_SLOT + first * SLOT
        end = start + length * SLOT
        full = peak_going(workspace.pk, start, end) + 1 > workspace.capacity
        outcome = self.attempt(
            services.create_session,
            by=self.members[member],
            workspace=workspace,
            start=start,
            end=end,
            invitee_ids=[self.members[number].user_id for number in invitees],
        )
        if isinstance(outcome, Session):
            self.session_ids.append(outcome.pk)
            assert not full
        elif self.refused_for(outcome, "capacity_exceeded"):
            assert full

    @rule(member=members, workspace_number=workspace_numbers, first=slots, length=lengths)
    def create_recurring(self, member: int, workspace_number: int, first: int, length: int) -> None:
        """Monday to Wednesday at the same hours: each day is booked or skipped on its own."""
        workspace = self.workspace(workspace_number)
        start = FIRST_SLOT + first * SLOT
        end = start + length * SLOT
        outcome = self.attempt(
            services.create_recurring_sessions,
            by=self.members[member],
            workspace=workspace,
            start=start,
            end=end,
            weekdays=[0, 1, 2],
            until=DAY + timedelta(days=2),
        )
        if isinstance(outcome, services.SeriesResult):
            self.session_ids.extend(session.pk for session in outcome.sessions)
            skipped = [(occurrence.day, occurrence.code) for occurrence in outcome.skipped]
        elif self.refused_for(outcome, "no_occurrence_available"):
            skipped = [(date.fromisoformat(item["date"]), item["code"]) for item in outcome.extra["skipped"]]  # type: ignore[attr-defined]
        else:
            return
        for day, code in skipped:
            if code == "capacity_exceeded":
                # The days do not overlap each other: the state now is the state each one was checked against.
                day_start, day_end = start + (day - DAY), end + (day - DAY)
                assert peak_going(workspace.pk, day_start, day_end) + 1 > workspace.capacity

    @rule(pick=picks, member=members)
    def invite(self, pick: int, member: int) -> None:
        session = self.session(pick)
        organizer = self.organizer_of(session)
        if session is not None and organizer is not None:
            self.attempt(
                services.invite_to_session, by=organizer, session=session, user_ids=[self.members[member].user_id]
            )

    @rule(member=members, pick=picks)
    def join(self, member: int, pick: int) -> None:
        """Join, or accept an invitation: the same seat check."""
        session = self.session(pick)
        if session is None:
            return
        workspace = self.workspace_of(session)
        full = peak_going(workspace.pk, max(session.start, timezone.now()), session.end) + 1 > workspace.capacity
        outcome = self.attempt(services.join_session, by=self.members[member], session=session)
        if isinstance(outcome, Participant):
            assert not full
        elif self.refused_for(outcome, "capacity_exceeded"):
            assert full

    @rule(member=members, pick=picks)
    def leave(self, member: int, pick: int) -> None:
        session = self.session(pick)
        if session is not None:
            self.attempt(services.leave_session, by=self.members[member], session=session)

    @rule(member=members, pick=picks)
    def decline(self, member: int, pick: int) -> None:
        session = self.session(pick)
        if session is not None:
            self.attempt(services.decline_session, by=self.members[member], session=session)

    @rule(pick=picks, first=slots, length=lengths, workspace_number=st.none() | workspace_numbers)
    def move(self, pick: int, first: int, length: int, workspace_number: int | None) -> None:
        """Move, extend or shorten, maybe to the other workspace."""
        session = self.session(pick)
        organizer = self.organizer_of(session)
        if session is None or organizer is None:
            return
        start = FIRST_SLOT + first * SLOT
        end = start + length * SLOT
        target = self.workspace_of(session) if workspace_number is None else self.workspace(workspace_number)
        going = list(
            Participant.objects.filter(session=session, status=ParticipantStatus.GOING).values_list(
                "user_id", flat=True
            )
        )
        # Those going elsewhere at the new time are asked to confirm again: they take no seat.
        elsewhere = set(
            Participant.objects.filter(
                user_id__in=going,
                status=ParticipantStatus.GOING,
                session__cancelled_at__isnull=True,
                session__start__lt=end,
                session__end__gt=start,
            )
            .exclude(session=session)
            .values_list("user_id", flat=True)
        )
        seats = len(going) - len(elsewhere - {organizer.user_id})
        full = peak_going(target.pk, start, end, excluding_session=session.pk) + seats > target.capacity
        outcome = self.attempt(
            services.update_session,
            by=organizer,
            session=session,
            start=start,
            end=end,
            **({} if workspace_number is None else {"workspace": target}),
        )
        if self.refused_for(outcome, "capacity_exceeded"):
            assert full

    @precondition(lambda self: len(self.session_ids) >= 3)
    @rule(pick=picks, by_admin=st.booleans())
    def cancel(self, pick: int, by_admin: bool) -> None:
        session = self.session(pick)
        if session is not None:
            organizer = self.organizer_of(session)
            by = self.admin if by_admin or organizer is None else organizer
            self.attempt(services.cancel_session, by=by, session=session)

    @rule(member=members, workspace_number=workspace_numbers)
    def check_in(self, member: int, workspace_number: int) -> None:
        # A walk-in seat is a session too: the invariants below count it like any other.
        self.attempt(services.check_in, by=self.members[member], workspace=self.workspace(workspace_number))

    @rule(member=members)
    def check_out(self, member: int) -> None:
        services.check_out(user=self.members[member].user)

    @rule(workspace_number=workspace_numbers, capacity=st.integers(min_value=1, max_value=4))
    def change_capacity(self, workspace_number: int, capacity: int) -> None:
        workspace = self.workspace(workspace_number)
        too_small = peak_going(workspace.pk, timezone.now()) > capacity
        outcome = self.attempt(
            workspace_services.update_workspace, by=self.admin, workspace=workspace, capacity=capacity
        )
        if self.refused_for(outcome, "sessions_over_capacity"):
            assert capacity < workspace.capacity
            assert too_small
        elif capacity < workspace.capacity:
            assert not too_small

    @rule(minutes=st.sampled_from([10, 30, 60, 150]))
    def time_passes(self, minutes: int) -> None:
        self.clock.shift(timedelta(minutes=minutes))

    def workspace_of(self, session: Session) -> Workspace:
        return Workspace.objects.get(pk=session.workspace_id)

    # --- Invariants ---------------------------------------------------------------------------------------------

    @invariant()
    def seats_never_outnumbered_from_now_on(self) -> None:
        now: datetime = timezone.now()
        for workspace in Workspace.objects.filter(pk__in=[place.pk for place in self.workspaces]):
            assert peak_going(workspace.pk, now) <= workspace.capacity, workspace.name

    @invariant()
    def nobody_going_to_two_overlapping_sessions(self) -> None:
        assert double_bookings(self.organization.pk) == []


@pytest.mark.django_db
def test_random_sequences_of_planning_operations_keep_the_invariants() -> None:
    run_state_machine_as_test(
        PlanningMachine,
        settings=settings(
            max_examples=50,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
