"""From a domain event to notifications: who is told, about what, on which channels.

Runs in a task (`tasks.py`), never in the request that made the change. Every
audience is cut down, in SQL, to current members of the object's
organization who may see it: the workspace's access rule, the session's
visibility (organization, group, invited people only), and who blocked the
actor. The actor is never told about what they did.

Notifications are created with `bulk_create(ignore_conflicts=True)` and a
`dedupe_key` per fact and recipient, so a re-run task (or the second session
of a series) creates nothing twice; each e-mail or push to send becomes a
`Delivery` row in the same transaction, and the sender tasks are enqueued once
it commits.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coworklib.community.models import (
    Block,
    Conversation,
    ConversationKind,
    GroupMembership,
    MemberFollow,
    Message,
    WorkspaceFollow,
)
from coworklib.organizations.models import JoinRequest, Membership
from coworklib.planning.models import Participant, ParticipantStatus, Session, Visibility
from coworklib.workspaces.selectors import member_ids_who_may_see_workspace

from . import preferences
from .models import Channel, Delivery, Notification, NotificationType, PushSubscription, TargetType

# Bulk inserts in chunks: one statement per chunk keeps SQLite under its variable limit and PostgreSQL fast.
BULK_CHUNK = 1000


def _session(session_id: int) -> Session | None:
    return Session.objects.select_related("workspace", "organization").filter(pk=session_id).first()


def may_see_session(session: Session, user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` who are members of the session's organization and may see it (one query)."""
    ids = set(user_ids)
    if not ids:
        return set()
    people = Membership.objects.filter(organization_id=session.organization_id, user_id__in=ids).filter(
        user_id__in=member_ids_who_may_see_workspace(session.workspace), user__deleted_at__isnull=True
    )
    if session.visibility == Visibility.GROUP:
        people = people.filter(
            Q(user_id__in=GroupMembership.objects.filter(group_id=session.group_id or 0).values("user_id"))
            | Q(user_id__in=Participant.objects.filter(session=session).values("user_id"))
            | Q(user_id=session.organizer_id)
        )
    elif session.visibility == Visibility.INVITED:
        people = people.filter(
            Q(user_id__in=Participant.objects.filter(session=session).values("user_id"))
            | Q(user_id=session.organizer_id)
        )
    return set(people.values_list("user_id", flat=True))


def _without_blockers(user_ids: set[int], actor_id: int | None) -> set[int]:
    if actor_id is None or not user_ids:
        return user_ids - {actor_id} if actor_id else user_ids
    blocks = Block.objects.filter(blocked_id=actor_id, blocker_id__in=user_ids)
    blockers = set(blocks.values_list("blocker_id", flat=True))
    return user_ids - blockers - {actor_id}


def notify(
    *,
    organization_id: int,
    notification_type: str,
    recipient_ids: Iterable[int],
    actor_id: int | None,
    target_type: str,
    target_id: int,
    dedupe: str,
    data: dict | None = None,
    now: datetime | None = None,
) -> int:
    """Create the notifications of one fact for `recipient_ids`, and the e-mails and pushes their preferences ask for.

    `dedupe` names the fact; with the recipient it makes the notification's unique key. Returns how many
    notifications were created (0 for those that already existed). Senders are enqueued after commit.
    """
    now = now or timezone.now()
    channels = preferences.enabled_channels(recipient_ids, notification_type)
    wanted = [user_id for user_id, chosen in channels.items() if chosen]
    if not wanted:
        return 0
    with transaction.atomic():
        rows = [
            Notification(
                recipient_id=user_id,
                organization_id=organization_id,
                type=notification_type,
                actor_id=actor_id,
                target_type=target_type,
                target_id=target_id,
                data=data or {},
                dedupe_key=f"{dedupe}:{user_id}",
                created_at=now,
            )
            for user_id in wanted
        ]
        for start in range(0, len(rows), BULK_CHUNK):
            Notification.objects.bulk_create(rows[start : start + BULK_CHUNK], ignore_conflicts=True)
        # ignore_conflicts gives no ids back: read those created now (not the ones an earlier run made).
        created = list(
            Notification.objects.filter(dedupe_key__in=[row.dedupe_key for row in rows], created_at=now).values_list(
                "pk", "recipient_id"
            )
        )
        deliveries = _deliveries(created, channels, now)
        for start in range(0, len(deliveries), BULK_CHUNK):
            Delivery.objects.bulk_create(deliveries[start : start + BULK_CHUNK], ignore_conflicts=True)
        if deliveries:
            from .tasks import enqueue_senders

            transaction.on_commit(enqueue_senders)
    return len(created)


def _deliveries(created: Sequence[tuple[int, int]], channels: dict[int, set[str]], now: datetime) -> list[Delivery]:
    from .delivery import direct_email_wanted

    email_to = direct_email_wanted([user_id for _pk, user_id in created if Channel.EMAIL in channels[user_id]])
    push_to = {user_id for _pk, user_id in created if Channel.PUSH in channels[user_id]}
    subscriptions: dict[int, list[int]] = {}
    for pk, user_id in PushSubscription.objects.filter(user_id__in=push_to).values_list("pk", "user_id"):
        subscriptions.setdefault(user_id, []).append(pk)
    rows: list[Delivery] = []
    for pk, user_id in created:
        if user_id in email_to:
            rows.append(
                Delivery(
                    channel=Channel.EMAIL,
                    recipient_id=user_id,
                    notification_id=pk,
                    dedupe_key=f"email:{pk}",
                    next_attempt_at=now,
                )
            )
        for subscription_id in subscriptions.get(user_id, []):
            rows.append(
                Delivery(
                    channel=Channel.PUSH,
                    recipient_id=user_id,
                    notification_id=pk,
                    push_subscription_id=subscription_id,
                    dedupe_key=f"push:{pk}:{subscription_id}",
                    next_attempt_at=now,
                )
            )
    return rows


# --- Sessions -----------------------------------------------------------------------------------------------


def _tell_about(
    session: Session,
    notification_type: str,
    recipient_ids: Iterable[int],
    *,
    actor_id: int | None,
    dedupe: str,
    data: dict | None = None,
) -> int:
    """`notify` for a fact about `session`: its organization, and the session as the target."""
    return notify(
        organization_id=session.organization_id,
        notification_type=notification_type,
        recipient_ids=recipient_ids,
        actor_id=actor_id,
        target_type=TargetType.SESSION,
        target_id=session.pk,
        dedupe=dedupe,
        data=data,
    )


def _series_or_session(session: Session) -> str:
    # A series tells its discoverers once, about its first session, not once per date.
    return f"series:{session.series_id}" if session.series_id else f"session:{session.pk}"


def session_created(*, session_id: int, by_user_id: int) -> int:
    """Tell those who follow the workspace or the organizer, and the group's members, once each.

    Someone with several reasons hears the closest one: group, then followed member, then followed workspace.
    Invited people are told by `participants_invited`, not here.
    """
    session = _session(session_id)
    if session is None or session.cancelled_at is not None or session.is_walk_in:
        return 0
    invited = set(Participant.objects.filter(session=session).values_list("user_id", flat=True))
    audiences: list[tuple[str, set[int]]] = []
    if session.visibility == Visibility.GROUP and session.group_id:
        audiences.append(
            (
                NotificationType.GROUP_SESSION,
                set(GroupMembership.objects.filter(group_id=session.group_id).values_list("user_id", flat=True)),
            )
        )
    audiences.append(
        (
            NotificationType.FOLLOWED_MEMBER_SESSION,
            set(
                MemberFollow.objects.filter(
                    organization_id=session.organization_id, followed_id=session.organizer_id
                ).values_list("follower_id", flat=True)
            ),
        )
    )
    audiences.append(
        (
            NotificationType.FOLLOWED_WORKSPACE_SESSION,
            set(WorkspaceFollow.objects.filter(workspace_id=session.workspace_id).values_list("user_id", flat=True)),
        )
    )
    everyone = set().union(*(people for _kind, people in audiences)) - invited
    allowed = _without_blockers(may_see_session(session, everyone), by_user_id)
    told: set[int] = set()
    created = 0
    more = bool(session.series_id)
    for kind, people in audiences:
        recipients = (people & allowed) - told
        told |= recipients
        created += _tell_about(
            session,
            kind,
            recipients,
            actor_id=by_user_id,
            dedupe=f"{kind}:{_series_or_session(session)}",
            data={"series_more": True} if more else {},
        )
    return created


def participants_invited(*, session_id: int, by_user_id: int, user_ids: Sequence[int]) -> int:
    session = _session(session_id)
    if session is None or session.cancelled_at is not None:
        return 0
    still_invited = set(
        Participant.objects.filter(
            session=session, user_id__in=list(user_ids), status=ParticipantStatus.INVITED
        ).values_list("user_id", flat=True)
    )
    recipients = _without_blockers(may_see_session(session, still_invited), by_user_id)
    # One invitation per series and day: inviting someone to twenty dates at once is one piece of news.
    fact = f"{_series_or_session(session)}:{timezone.now():%Y-%m-%d}" if session.series_id else f"session:{session.pk}"
    return _tell_about(
        session,
        NotificationType.SESSION_INVITATION,
        recipients,
        actor_id=by_user_id,
        dedupe=f"invitation:{fact}:{by_user_id}",
        data={"series_more": True} if session.series_id else {},
    )


def _participants(session: Session) -> set[int]:
    return set(
        Participant.objects.filter(session=session)
        .exclude(status=ParticipantStatus.DECLINED)
        .values_list("user_id", flat=True)
    )


def session_changed(
    *, session_id: int, by_user_id: int, changes: Sequence[str], reconfirm_user_ids: Sequence[int], event_id: str
) -> int:
    """Tell the session's people (not those who declined) what changed; those put back to "invited" are asked
    to confirm again."""
    session = _session(session_id)
    if session is None or session.cancelled_at is not None:
        return 0
    people = _without_blockers(may_see_session(session, _participants(session)), by_user_id)
    reconfirm = set(reconfirm_user_ids) & people
    created = 0
    batches: list[tuple[set[int], dict[str, object]]] = [
        (people - reconfirm, {"changes": list(changes)}),
        (reconfirm, {"changes": list(changes), "reconfirm": True}),
    ]
    for recipients, data in batches:
        created += _tell_about(
            session,
            NotificationType.SESSION_CHANGED,
            recipients,
            actor_id=by_user_id,
            dedupe=f"changed:{session.pk}:{event_id}",
            data=data,
        )
    return created


def session_cancelled(*, session_id: int, by_user_id: int) -> int:
    session = _session(session_id)
    if session is None:
        return 0
    people = _without_blockers(may_see_session(session, _participants(session)), by_user_id)
    return _tell_about(
        session,
        NotificationType.SESSION_CANCELLED,
        people,
        actor_id=by_user_id,
        dedupe=f"cancelled:{session.pk}",
    )


def seat_released(*, session_id: int, user_id: int) -> int:
    session = _session(session_id)
    if session is None:
        return 0
    return _tell_about(
        session,
        NotificationType.SEAT_RELEASED,
        may_see_session(session, [user_id]),
        actor_id=None,
        dedupe=f"released:{session.pk}:{session.start:%Y%m%d%H%M}",
    )


def session_reminder(*, session_id: int, user_id: int, lead: str) -> int:
    """Remind a going participant of a session yet to start (the task runs at the time their setting says)."""
    session = _session(session_id)
    if session is None or session.cancelled_at is not None or session.start <= timezone.now():
        return 0
    going = Participant.objects.filter(session=session, user_id=user_id, status=ParticipantStatus.GOING).exists()
    if not going:
        return 0
    return _tell_about(
        session,
        NotificationType.SESSION_REMINDER,
        may_see_session(session, [user_id]),
        actor_id=None,
        # The start is part of the fact: a session moved later is reminded again, at its new time.
        dedupe=f"reminder:{session.pk}:{session.start:%Y%m%d%H%M}:{lead}",
    )


# --- Groups, messages, join requests ------------------------------------------------------------------------


def group_members_added(*, group_id: int, by_user_id: int, user_ids: Sequence[int]) -> int:
    from coworklib.community.models import Group

    group = Group.objects.filter(pk=group_id).first()
    if group is None:
        return 0
    still_in = set(
        GroupMembership.objects.filter(group=group, user_id__in=list(user_ids)).values_list("user_id", flat=True)
    )
    members = set(
        Membership.objects.filter(organization_id=group.organization_id, user_id__in=still_in).values_list(
            "user_id", flat=True
        )
    )
    return notify(
        organization_id=group.organization_id,
        notification_type=NotificationType.GROUP_ADDED,
        recipient_ids=_without_blockers(members, by_user_id),
        actor_id=by_user_id,
        target_type=TargetType.GROUP,
        target_id=group.pk,
        dedupe=f"group_added:{group.pk}:{timezone.now():%Y%m%d}",
    )


def message_posted(*, message_id: int) -> int:
    """Tell the other person of a direct conversation; for a session's thread, its people and those who wrote
    there, among those who may still see the session."""
    message = Message.objects.select_related("conversation").filter(pk=message_id).first()
    if message is None or message.author_id is None:
        return 0
    conversation: Conversation = message.conversation
    members = set(conversation.members.values_list("user_id", flat=True))
    if conversation.kind == ConversationKind.SESSION:
        session = _session(conversation.session_id) if conversation.session_id else None
        if session is None:
            return 0
        audience = may_see_session(session, members | _participants(session))
    else:
        audience = set(
            Membership.objects.filter(organization_id=conversation.organization_id, user_id__in=members).values_list(
                "user_id", flat=True
            )
        )
    return notify(
        organization_id=conversation.organization_id,
        notification_type=NotificationType.NEW_MESSAGE,
        recipient_ids=_without_blockers(audience, message.author_id),
        actor_id=message.author_id,
        target_type=TargetType.CONVERSATION,
        target_id=conversation.pk,
        dedupe=f"message:{message.pk}",
        data={"message": message.pk},
    )


def join_request_created(*, join_request_id: int) -> int:
    request = JoinRequest.objects.filter(pk=join_request_id, status=JoinRequest.Status.PENDING).first()
    if request is None:
        return 0
    admins = Membership.objects.filter(organization_id=request.organization_id).filter(role__in=["owner", "admin"])
    return notify(
        organization_id=request.organization_id,
        notification_type=NotificationType.JOIN_REQUEST,
        recipient_ids=set(admins.values_list("user_id", flat=True)),
        actor_id=None,
        target_type=TargetType.JOIN_REQUEST,
        target_id=request.pk,
        dedupe=f"join_request:{request.pk}",
    )
