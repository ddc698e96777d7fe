"""Receivers: the domain events of planning and community, and new join requests, become fan-out tasks.

Planning and community announce their events once their transaction commits
(`planning.events.announce`), so a rolled-back change enqueues nothing. Each
receiver only enqueues: who is told is decided in the task (fanout.py).
"""

import uuid
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from coworklib.community import events as community_events
from coworklib.organizations.models import JoinRequest
from coworklib.planning import events as planning_events

from .tasks import fan_out, schedule_reminders_task


@receiver(planning_events.session_created, dispatch_uid="notifications.session_created")
def on_session_created(sender: Any, session_id: int, by_user_id: int, **kwargs: Any) -> None:
    fan_out("session_created", session_id=session_id, by_user_id=by_user_id)
    schedule_reminders_task.enqueue(session_id, [by_user_id])


@receiver(planning_events.participants_invited, dispatch_uid="notifications.participants_invited")
def on_participants_invited(sender: Any, session_id: int, by_user_id: int, user_ids: list[int], **kwargs: Any) -> None:
    fan_out("participants_invited", session_id=session_id, by_user_id=by_user_id, user_ids=list(user_ids))


@receiver(planning_events.session_changed, dispatch_uid="notifications.session_changed")
def on_session_changed(
    sender: Any, session_id: int, by_user_id: int, changes: list[str], reconfirm_user_ids: list[int], **kwargs: Any
) -> None:
    # The change's own id: a re-run of this fan-out finds its notifications; the next change makes new ones.
    fan_out(
        "session_changed",
        session_id=session_id,
        by_user_id=by_user_id,
        changes=list(changes),
        reconfirm_user_ids=list(reconfirm_user_ids),
        event_id=uuid.uuid4().hex,
    )
    if "start" in changes:
        schedule_reminders_task.enqueue(session_id, None)


@receiver(planning_events.session_cancelled, dispatch_uid="notifications.session_cancelled")
def on_session_cancelled(sender: Any, session_id: int, by_user_id: int, **kwargs: Any) -> None:
    fan_out("session_cancelled", session_id=session_id, by_user_id=by_user_id)


@receiver(planning_events.participant_joined, dispatch_uid="notifications.participant_joined")
def on_participant_joined(sender: Any, session_id: int, user_id: int, **kwargs: Any) -> None:
    schedule_reminders_task.enqueue(session_id, [user_id])


@receiver(planning_events.seat_released, dispatch_uid="notifications.seat_released")
def on_seat_released(sender: Any, session_id: int, user_id: int, **kwargs: Any) -> None:
    fan_out("seat_released", session_id=session_id, user_id=user_id)


@receiver(community_events.group_members_added, dispatch_uid="notifications.group_members_added")
def on_group_members_added(sender: Any, group_id: int, by_user_id: int, user_ids: list[int], **kwargs: Any) -> None:
    fan_out("group_members_added", group_id=group_id, by_user_id=by_user_id, user_ids=list(user_ids))


@receiver(community_events.message_posted, dispatch_uid="notifications.message_posted")
def on_message_posted(sender: Any, message_id: int, **kwargs: Any) -> None:
    fan_out("message_posted", message_id=message_id)


@receiver(post_save, sender=JoinRequest, dispatch_uid="notifications.join_request_created")
def on_join_request_saved(sender: type[JoinRequest], instance: JoinRequest, created: bool, **kwargs: Any) -> None:
    if created and instance.status == JoinRequest.Status.PENDING:
        transaction.on_commit(partial(fan_out, "join_request_created", join_request_id=instance.pk))
