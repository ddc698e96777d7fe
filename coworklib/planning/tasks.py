"""Background work of planning, run by `db_worker` (django-tasks-db).

Tasks take ids, reload, and are safe to run twice or early.
"""

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from coworklib.planning.models import Session


@task
def release_no_shows_task(session_id: int) -> list[int]:
    from coworklib.planning.services import release_no_shows

    return release_no_shows(session_id=session_id)


def schedule_no_show_release(session: Session) -> None:
    """Once the transaction commits, plan the no-show check of the session for its start + the organization's delay.

    Off (nothing enqueued) when the organization has not set a delay. A
    session moved later enqueues another check; the earlier one finds it too
    early and does nothing.
    """
    minutes = session.organization.no_show_release_minutes
    if not minutes or session.is_walk_in:
        return
    run_after = session.start + timedelta(minutes=minutes)
    transaction.on_commit(partial(release_no_shows_task.using(run_after=run_after).enqueue, session.pk))


@task
def schedule_organization_no_shows_task(organization_id: int) -> int:
    """The organization just turned the no-show release on: plan the check of its sessions yet to start.

    Sessions already under way are left alone: their participants could not
    know a check-in would be required. Returns how many checks were planned.
    """
    upcoming = Session.objects.filter(
        organization_id=organization_id, cancelled_at__isnull=True, is_walk_in=False, start__gt=timezone.now()
    ).select_related("organization")
    planned = 0
    with transaction.atomic():
        for session in upcoming.iterator():
            schedule_no_show_release(session)
            planned += 1
    return planned
