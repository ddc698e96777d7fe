"""The demo data plans the coming two weeks through the services, within every rule."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from coworklib.planning.capacity import bookings_between, peak_occupancy
from coworklib.planning.models import Participant, ParticipantStatus, Session

pytestmark = pytest.mark.django_db


def test_seed_demo_plans_sessions_over_the_coming_two_weeks_within_capacity() -> None:
    # Before seeding: a session of today may end while the seeding runs, but none was over when it was booked.
    seeded_at = timezone.now()
    call_command("seed_demo", verbosity=0)

    sessions = Session.objects.filter(organization__slug="demo").select_related("workspace")
    assert sessions.count() > 20
    assert all(session.end > seeded_at and session.start < seeded_at + timedelta(days=16) for session in sessions)
    for session in sessions:
        held = peak_occupancy(
            bookings_between(session.workspace_id, session.start, session.end), session.start, session.end
        )
        assert held <= session.workspace.capacity
    statuses = set(Participant.objects.filter(session__in=sessions).values_list("status", flat=True))
    assert {ParticipantStatus.GOING, ParticipantStatus.INVITED} <= statuses
    assert Session.objects.filter(organization__slug="other").exists()


def test_seed_demo_twice_plans_nothing_more() -> None:
    call_command("seed_demo", verbosity=0)
    first = (Session.objects.count(), Participant.objects.count())

    call_command("seed_demo", verbosity=0)

    assert (Session.objects.count(), Participant.objects.count()) == first
