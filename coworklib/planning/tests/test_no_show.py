"""No-show release: N minutes after the start, going participants who have not checked in give their seat back.

Off by default (Organization.no_show_release_minutes is null). The clock starts on Wednesday 2 December 2026,
10:00 in Paris; the session runs 11:00–13:00 that day, so with 15 minutes the deadline is 11:15.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from coworklib.accounts.models import User
from coworklib.core.errors import Conflict
from coworklib.notifications.delivery import send_email_batch
from coworklib.organizations.models import Organization
from coworklib.planning import events, services
from coworklib.planning.models import Participant, ParticipantStatus, Session
from coworklib.planning.tasks import release_no_shows_task
from coworklib.planning.tests.factories import at, book
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import membership_of

TODAY = date(2026, 12, 2)
START, END = at(TODAY, 11), at(TODAY, 13)
DEADLINE = at(TODAY, 11, 15)
TASK_PATH = "coworklib.planning.tasks.release_no_shows_task"


@pytest.fixture
def released() -> Iterator[list[tuple[int, int]]]:
    log: list[tuple[int, int]] = []

    def on_released(sender: Any, session_id: int, user_id: int, **arguments: Any) -> None:
        log.append((session_id, user_id))

    events.seat_released.connect(on_released, weak=False)
    yield log
    events.seat_released.disconnect(on_released)


@pytest.fixture
def release_after_15_minutes(acme: Organization) -> Organization:
    acme.no_show_release_minutes = 15
    acme.save(update_fields=["no_show_release_minutes"])
    return acme


def statuses(session: Session) -> dict[int, str]:
    return dict(Participant.objects.filter(session=session).values_list("user_id", "status"))


def release(session: Session, now: datetime, capture: Any) -> list[int]:
    with time_machine.travel(now, tick=False), capture(execute=True):
        return services.release_no_shows(session_id=session.pk)


def tell_released() -> None:
    """What the worker does next: the notifications' fan-out tasks queued by the release, then the e-mails."""
    for row in DBTaskResult.objects.filter(status="READY", task_path__startswith="coworklib.notifications."):
        import_string(row.task_path).call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
    send_email_batch()


def planned_checks() -> list[tuple[list[Any], datetime]]:
    return [
        (row.args_kwargs["args"], row.run_after)
        for row in DBTaskResult.objects.filter(task_path=TASK_PATH).order_by("enqueued_at", "run_after")
    ]


@pytest.fixture
def team_session(alice: User, bob: User, acme: Organization, paris: Workspace, frozen_now: Any) -> Session:
    """Alice organises 11:00–13:00 today; Bob is going too."""
    session = book(alice, acme, paris, START, END)
    services.join_session(by=membership_of(bob, acme), session=session)
    return session


# --- Off by default -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_nothing_is_planned_when_the_organization_has_no_delay(
    alice: User,
    bob: User,
    acme: Organization,
    paris: Workspace,
    frozen_now: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        session = book(alice, acme, paris, START, END)
        services.join_session(by=membership_of(bob, acme), session=session)

    assert not DBTaskResult.objects.filter(task_path=TASK_PATH).exists()


@pytest.mark.django_db
def test_nothing_is_released_when_the_organization_has_no_delay(
    team_session: Session, released: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    assert release(team_session, at(TODAY, 12), django_capture_on_commit_callbacks) == []

    assert set(statuses(team_session).values()) == {ParticipantStatus.GOING}
    assert released == []
    assert mail.outbox == []


# --- Planned with the change ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_creating_plans_the_check_for_start_plus_the_delay_after_commit(
    alice: User,
    acme: Organization,
    release_after_15_minutes: Organization,
    paris: Workspace,
    frozen_now: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        session = book(alice, acme, paris, START, END)
        assert not DBTaskResult.objects.filter(task_path=TASK_PATH).exists()

    assert planned_checks() == [([session.pk], DEADLINE)]
    row = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert row.status == "READY"


@pytest.mark.django_db
def test_joining_plans_the_check_again(
    alice: User,
    bob: User,
    acme: Organization,
    release_after_15_minutes: Organization,
    paris: Workspace,
    frozen_now: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = book(alice, acme, paris, START, END)

    with django_capture_on_commit_callbacks(execute=True):
        services.join_session(by=membership_of(bob, acme), session=session)

    assert planned_checks() == [([session.pk], DEADLINE)]


@pytest.mark.django_db
def test_a_refused_join_plans_nothing(
    alice: User,
    bob: User,
    carol: User,
    acme: Organization,
    release_after_15_minutes: Organization,
    small_room: Workspace,
    frozen_now: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = book(alice, acme, small_room, START, END)
    services.join_session(by=membership_of(bob, acme), session=session)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        services.join_session(by=membership_of(carol, acme), session=session)

    assert not DBTaskResult.objects.filter(task_path=TASK_PATH).exists()


@pytest.mark.django_db
def test_moving_the_start_plans_a_check_for_the_new_start(
    alice: User,
    acme: Organization,
    release_after_15_minutes: Organization,
    paris: Workspace,
    frozen_now: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = book(alice, acme, paris, START, END)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(by=membership_of(alice, acme), session=session, start=at(TODAY, 12))

    assert planned_checks() == [([session.pk], at(TODAY, 12, 15))]
    # The check planned for the old start finds it too early and does nothing.
    with time_machine.travel(DEADLINE, tick=False):
        assert services.release_no_shows(session_id=session.pk) == []


# --- The release ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_before_the_deadline_nothing_is_released(
    release_after_15_minutes: Organization,
    team_session: Session,
    released: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert release(team_session, DEADLINE - timedelta(seconds=1), django_capture_on_commit_callbacks) == []

    assert set(statuses(team_session).values()) == {ParticipantStatus.GOING}
    assert released == []


@pytest.mark.django_db
def test_after_the_deadline_no_shows_are_put_back_to_invited_and_told(
    alice: User,
    bob: User,
    acme: Organization,
    release_after_15_minutes: Organization,
    paris: Workspace,
    team_session: Session,
    released: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with time_machine.travel(at(TODAY, 10, 50), tick=False):
        services.check_in(by=membership_of(alice, acme), workspace=paris)

    assert release(team_session, DEADLINE, django_capture_on_commit_callbacks) == [bob.pk]

    assert statuses(team_session) == {alice.pk: ParticipantStatus.GOING, bob.pk: ParticipantStatus.INVITED}
    assert released == [(team_session.pk, bob.pk)]
    tell_released()
    [message] = mail.outbox
    assert message.to == [bob.email]
    assert "Paris HQ" in message.subject
    assert "mercredi 2 décembre, 11:00–13:00" in message.body
    assert f"/o/acme/sessions/{team_session.pk}/" in message.body


@pytest.mark.django_db
def test_the_released_member_is_told_in_their_language(
    bob: User,
    release_after_15_minutes: Organization,
    team_session: Session,
    django_capture_on_commit_callbacks: Any,
) -> None:
    bob.language = "en"
    bob.save(update_fields=["language"])

    release(team_session, DEADLINE, django_capture_on_commit_callbacks)
    tell_released()

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert "Wednesday 2 December" in by_recipient[bob.email].body
    assert "mercredi" in by_recipient["alice@acme.test"].body


@pytest.mark.django_db
def test_releasing_twice_releases_nothing_more(
    bob: User,
    release_after_15_minutes: Organization,
    team_session: Session,
    released: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = release(team_session, DEADLINE, django_capture_on_commit_callbacks)

    second = release(team_session, at(TODAY, 11, 30), django_capture_on_commit_callbacks)

    assert set(first) == {team_session.organizer_id, bob.pk}
    assert second == []
    assert len(released) == 2
    tell_released()
    tell_released()
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_released_seat_is_free_for_someone_else(
    alice: User,
    bob: User,
    carol: User,
    acme: Organization,
    release_after_15_minutes: Organization,
    small_room: Workspace,
    frozen_now: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = book(alice, acme, small_room, START, END)
    services.join_session(by=membership_of(bob, acme), session=session)
    with time_machine.travel(at(TODAY, 11, 5), tick=False):
        services.check_in(by=membership_of(alice, acme), workspace=small_room)

    release(session, DEADLINE, django_capture_on_commit_callbacks)

    with time_machine.travel(at(TODAY, 11, 20), tick=False):
        walk_in, _created = services.check_in(by=membership_of(carol, acme), workspace=small_room)
    assert walk_in.session is not None and walk_in.session.is_walk_in


@pytest.mark.django_db
def test_someone_who_arrived_before_the_early_window_and_stayed_keeps_the_seat(
    alice: User,
    bob: User,
    acme: Organization,
    release_after_15_minutes: Organization,
    paris: Workspace,
    team_session: Session,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Bob walked in at 08:30 (a walk-in seat until his 11:00 session) and is still there.
    with time_machine.travel(at(TODAY, 8, 30), tick=False):
        services.check_in(by=membership_of(bob, acme), workspace=paris)

    released_ids = release(team_session, DEADLINE, django_capture_on_commit_callbacks)

    assert bob.pk not in released_ids
    assert statuses(team_session)[bob.pk] == ParticipantStatus.GOING


@pytest.mark.django_db
def test_someone_who_came_and_left_before_the_session_is_released(
    bob: User,
    acme: Organization,
    release_after_15_minutes: Organization,
    paris: Workspace,
    team_session: Session,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with time_machine.travel(at(TODAY, 8, 30), tick=False):
        services.check_in(by=membership_of(bob, acme), workspace=paris)
    with time_machine.travel(at(TODAY, 9), tick=False):
        services.check_out(user=bob)

    assert bob.pk in release(team_session, DEADLINE, django_capture_on_commit_callbacks)


@pytest.mark.django_db
def test_a_check_in_at_another_workspace_does_not_count(
    bob: User,
    acme: Organization,
    release_after_15_minutes: Organization,
    small_room: Workspace,
    team_session: Session,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with time_machine.travel(at(TODAY, 10, 30), tick=False):
        services.check_in(by=membership_of(bob, acme), workspace=small_room)

    assert bob.pk in release(team_session, DEADLINE, django_capture_on_commit_callbacks)


@pytest.mark.django_db
def test_someone_who_joined_after_the_deadline_is_not_released_at_once(
    carol: User,
    acme: Organization,
    release_after_15_minutes: Organization,
    team_session: Session,
    django_capture_on_commit_callbacks: Any,
) -> None:
    release(team_session, DEADLINE, django_capture_on_commit_callbacks)
    with time_machine.travel(at(TODAY, 11, 40), tick=False), django_capture_on_commit_callbacks(execute=True):
        services.join_session(by=membership_of(carol, acme), session=team_session)

    # The check the join planned runs straight away (its time is past): Carol is on her way, not a no-show.
    assert carol.pk not in release(team_session, at(TODAY, 11, 41), django_capture_on_commit_callbacks)
    assert statuses(team_session)[carol.pk] == ParticipantStatus.GOING


@pytest.mark.django_db
def test_nothing_is_released_in_a_cancelled_or_finished_session(
    alice: User,
    acme: Organization,
    release_after_15_minutes: Organization,
    team_session: Session,
    released: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert release(team_session, END, django_capture_on_commit_callbacks) == []
    services.cancel_session(by=membership_of(alice, acme), session=team_session)
    assert release(team_session, DEADLINE, django_capture_on_commit_callbacks) == []

    assert set(statuses(team_session).values()) == {ParticipantStatus.GOING}
    assert released == []


@pytest.mark.django_db
def test_an_unknown_session_is_ignored(release_after_15_minutes: Organization) -> None:
    assert services.release_no_shows(session_id=987654) == []


# --- Through the real worker ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_planned_check_once_its_time_has_come(
    alice: User, bob: User, acme: Organization, paris: Workspace, released: list[Any]
) -> None:
    acme.no_show_release_minutes = 15
    acme.save(update_fields=["no_show_release_minutes"])
    with time_machine.travel(at(TODAY, 10), tick=False):
        session = book(alice, acme, paris, START, END)
        services.join_session(by=membership_of(bob, acme), session=session)
    with time_machine.travel(at(TODAY, 10, 55), tick=False):
        services.check_in(by=membership_of(alice, acme), workspace=paris)
    assert DBTaskResult.objects.filter(task_path=TASK_PATH).count() == 2

    with time_machine.travel(at(TODAY, 11, 10), tick=False):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    assert statuses(session)[bob.pk] == ParticipantStatus.GOING

    with time_machine.travel(at(TODAY, 11, 16), tick=False):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert statuses(session) == {alice.pk: ParticipantStatus.GOING, bob.pk: ParticipantStatus.INVITED}
    results = list(DBTaskResult.objects.filter(task_path=TASK_PATH).values_list("status", "return_value"))
    assert sorted(results, key=str) == sorted([("SUCCESSFUL", [bob.pk]), ("SUCCESSFUL", [])], key=str)
    assert released == [(session.pk, bob.pk)]
    assert [message.to for message in mail.outbox] == [[bob.email]]


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_task_enqueued_by_hand(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    acme.no_show_release_minutes = 15
    acme.save(update_fields=["no_show_release_minutes"])
    with time_machine.travel(at(TODAY, 10), tick=False):
        session = book(alice, acme, paris, START, END)
    DBTaskResult.objects.all().delete()

    with time_machine.travel(at(TODAY, 11, 20), tick=False):
        result = release_no_shows_task.enqueue(session.pk)
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.return_value) == ("SUCCESSFUL", [alice.pk])
    assert statuses(session) == {alice.pk: ParticipantStatus.INVITED}
