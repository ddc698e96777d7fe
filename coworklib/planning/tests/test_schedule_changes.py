"""Hours changed over booked days: a closure cancels the sessions it falls on, new hours list those left out."""

from datetime import date
from typing import Any

import pytest
from django.test import Client

from conftest import bearer
from coworklib.accounts.models import User
from coworklib.core.errors import InvalidInput
from coworklib.organizations.models import Organization
from coworklib.planning import events
from coworklib.planning.models import Session
from coworklib.planning.tests.factories import FROZEN_MONDAY, at, book
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Closure, Workspace
from coworklib.workspaces.tests.factories import membership_of

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 12, 8)


def test_a_closure_cancels_the_sessions_on_its_dates_and_only_those(
    alice: User,
    bob: User,
    acme: Organization,
    paris: Workspace,
    frozen_now: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monday = book(bob, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17))
    tuesday = book(bob, acme, paris, at(TUESDAY, 9), at(TUESDAY, 17))
    cancelled: list[int] = []

    def on_cancelled(sender: Any, session_id: int, **kwargs: Any) -> None:
        cancelled.append(session_id)

    events.session_cancelled.connect(on_cancelled)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            closure = workspace_services.add_closure(
                by=membership_of(alice, acme), workspace=paris, start_date=TUESDAY, end_date=TUESDAY, reason="Travaux"
            )
    finally:
        events.session_cancelled.disconnect(on_cancelled)

    assert closure.cancelled_session_ids == (tuesday.pk,)
    assert cancelled == [tuesday.pk]
    assert Session.objects.get(pk=tuesday.pk).is_cancelled
    assert not Session.objects.get(pk=monday.pk).is_cancelled


def test_the_closure_api_lists_the_cancelled_sessions(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, frozen_now: Any
) -> None:
    tuesday = book(bob, acme, paris, at(TUESDAY, 9), at(TUESDAY, 17))

    response = client.post(
        f"/api/v1/workspaces/{paris.pk}/closures",
        {"start_date": "2026-12-08", "end_date": "2026-12-09", "reason": "Travaux"},
        content_type="application/json",
        headers=bearer(alice),
    )

    assert response.status_code == 201
    assert response.json()["cancelled_sessions"] == [tuesday.pk]
    assert Session.objects.get(pk=tuesday.pk).is_cancelled


def test_the_console_says_how_many_sessions_a_closure_cancelled(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, frozen_now: Any
) -> None:
    book(bob, acme, paris, at(TUESDAY, 9), at(TUESDAY, 17))
    client.force_login(alice)

    response = client.post(
        f"/o/acme/console/workspaces/{paris.pk}/closures/",
        {"start_date": "2026-12-08", "end_date": "2026-12-08", "reason": "Travaux"},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 session prévue ces jours-là a été annulée." in response.content.decode()
    assert Closure.objects.filter(workspace=paris).count() == 1


def test_a_refused_closure_cancels_nothing(
    alice: User, bob: User, acme: Organization, paris: Workspace, frozen_now: Any
) -> None:
    tuesday = book(bob, acme, paris, at(TUESDAY, 9), at(TUESDAY, 17))

    with pytest.raises(InvalidInput):
        workspace_services.add_closure(
            by=membership_of(alice, acme), workspace=paris, start_date=TUESDAY, end_date=FROZEN_MONDAY
        )

    assert not Session.objects.get(pk=tuesday.pk).is_cancelled


def test_new_hours_keep_booked_sessions_and_list_those_they_no_longer_cover(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, frozen_now: Any
) -> None:
    morning = book(bob, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    evening = book(bob, acme, paris, at(TUESDAY, 15), at(TUESDAY, 18))
    afternoon_only = [{"weekday": day, "opens": "13:00", "closes": "19:00"} for day in range(5)]

    response = client.put(
        f"/api/v1/workspaces/{paris.pk}/opening-hours",
        {"opening_hours": afternoon_only},
        content_type="application/json",
        headers=bearer(alice),
    )

    assert response.status_code == 200
    assert response.json()["sessions_outside_hours"] == [morning.pk]
    assert not Session.objects.get(pk=morning.pk).is_cancelled
    assert not Session.objects.get(pk=evening.pk).is_cancelled


def test_the_console_warns_about_sessions_outside_the_new_hours(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, frozen_now: Any
) -> None:
    book(bob, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12))
    client.force_login(alice)
    form = {"action": "save"}
    for day in range(7):
        form[f"d{day}-0-opens"] = "13:00" if day < 5 else ""
        form[f"d{day}-0-closes"] = "19:00" if day < 5 else ""

    response = client.post(f"/o/acme/console/workspaces/{paris.pk}/hours/", form, follow=True)

    assert response.status_code == 200
    assert "1 session déjà prévue tombe en dehors de ces horaires" in response.content.decode()
