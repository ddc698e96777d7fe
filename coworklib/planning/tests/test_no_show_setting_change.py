"""Turning the no-show release on plans the check of the sessions already booked, not only of new ones."""

from datetime import timedelta
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from coworklib.accounts.models import User
from coworklib.organizations import services as organization_services
from coworklib.organizations.models import Organization
from coworklib.planning.tasks import schedule_organization_no_shows_task
from coworklib.planning.tests.factories import FROZEN_MONDAY, at, book
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import membership_of

pytestmark = pytest.mark.django_db


def _release_checks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__endswith="release_no_shows_task").order_by("run_after"))


def test_turning_the_release_on_plans_checks_for_sessions_yet_to_start(
    alice: User,
    bob: User,
    acme: Organization,
    paris: Workspace,
    frozen_now: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17))
    second = book(bob, acme, paris, at(FROZEN_MONDAY, 10), at(FROZEN_MONDAY, 12))
    assert _release_checks() == []

    with django_capture_on_commit_callbacks(execute=True):
        organization_services.update_organization_settings(by=membership_of(alice, acme), no_show_release_minutes=15)
    assert [task.task_path for task in DBTaskResult.objects.all()] == [
        "coworklib.planning.tasks.schedule_organization_no_shows_task"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        planned = schedule_organization_no_shows_task.call(acme.pk)

    assert planned == 2
    assert [task.run_after for task in _release_checks()] == [
        first.start + timedelta(minutes=15),
        second.start + timedelta(minutes=15),
    ]


def test_turning_the_release_off_plans_nothing(
    alice: User, acme: Organization, paris: Workspace, frozen_now: Any, django_capture_on_commit_callbacks: Any
) -> None:
    acme.no_show_release_minutes = 15
    acme.save()
    book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17))
    DBTaskResult.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        organization_services.update_organization_settings(by=membership_of(alice, acme), no_show_release_minutes=None)

    assert DBTaskResult.objects.count() == 0
