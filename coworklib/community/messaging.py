"""Messages: direct conversations between two members, comment threads of sessions, blocks.

Who may read what:
- a direct conversation, its two members, inside the organization it belongs to
  (a member of several organizations has one conversation with a colleague per organization);
- a session's thread, whoever may see the session (planning.selectors.get_session_for_member);
- never a message whose author the reader blocked: it is hidden from them
  (not counted as unread, not shown as the last message).

Anything else answers NotFound, exactly like a conversation that does not exist.
Between two people of whom one blocked the other, no direct conversation
starts and no direct message is posted (Forbidden `blocked`).

Posting is rate limited per user (`MESSAGES_PER_MINUTE`, `MESSAGES_PER_DAY`)
with fixed windows in the Django cache, shared by every process
(docs/decisions/0001-shared-cache.md), like organizations.throttling. The
read-modify-write of a counter is not atomic: concurrent posts of one user
can each get a message past the limit, an overshoot bounded by the number of
workers, which is harmless here.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coworklib.accounts.models import User
from coworklib.community.events import announce, message_posted
from coworklib.community.models import (
    MESSAGE_MAX_LENGTH,
    Block,
    Conversation,
    ConversationKind,
    ConversationMember,
    MemberFollow,
    Message,
)
from coworklib.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from coworklib.core.throttling import Allowance, Throttled, consume
from coworklib.organizations.models import Membership
from coworklib.organizations.selectors import get_membership_for_user
from coworklib.planning.models import Session
from coworklib.planning.selectors import get_session_for_member
from coworklib.workspaces.selectors import as_id

MESSAGES_PER_MINUTE = 20
MESSAGES_PER_DAY = 200
_MINUTE = 60
_DAY = 24 * 3600
_THROTTLE_KEY_PREFIX = "community:messages-posted"
MESSAGES_PAGE_SIZE = 50
# Before any message: what an unread count compares with when someone never read a conversation.
_NEVER = datetime(2000, 1, 1, tzinfo=UTC)


# --- Errors -------------------------------------------------------------------------------------------------


class MessagesThrottled(Throttled):
    def explain(self, *, minutes: int) -> str:
        return ngettext(
            "Vous avez envoyé beaucoup de messages en peu de temps. Réessayez dans %(minutes)d minute.",
            "Vous avez envoyé beaucoup de messages en peu de temps. Réessayez dans %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}


def _body_error(message: str) -> InvalidInput:
    return InvalidInput(
        message, code="invalid", extra={"errors": [{"loc": ["body"], "msg": message, "type": "invalid"}]}
    )


def _blocked_error() -> Forbidden:
    return Forbidden(_("Vous ne pouvez pas échanger de messages avec cette personne."), code="blocked")


# --- Shapes -------------------------------------------------------------------------------------------------


def deleted_user_name() -> str:
    return _("Utilisateur supprimé")


def author_name(message: Message) -> str:
    """The author's name as readers see it: "Utilisateur supprimé" once the account is erased or gone."""
    if message.author is None:
        return deleted_user_name()
    return message.author.display_name


@dataclass
class ConversationRow:
    """A direct conversation as its member sees it in their list."""

    conversation: Conversation
    other: User | None  # None once the other account is gone
    last_message: Message | None
    unread: int

    @property
    def other_name(self) -> str:
        return self.other.display_name if self.other is not None else deleted_user_name()


@dataclass
class Page[T]:
    items: list[T]
    count: int
    offset: int = 0
    limit: int = MESSAGES_PAGE_SIZE

    @property
    def has_earlier(self) -> bool:
        return self.offset > 0

    @property
    def has_later(self) -> bool:
        return self.offset + len(self.items) < self.count

    @property
    def earlier_offset(self) -> int:
        return max(self.offset - self.limit, 0)

    @property
    def later_offset(self) -> int:
        return self.offset + self.limit


# --- Blocks -------------------------------------------------------------------------------------------------


def blocked_user_ids(user_id: int) -> set[int]:
    """The people `user_id` blocked."""
    return set(Block.objects.filter(blocker_id=user_id).values_list("blocked_id", flat=True))


def _blocked_by(user_id: int) -> QuerySet[Block, Any]:
    # A subquery, so that hiding blocked authors costs no query of its own.
    return Block.objects.filter(blocker_id=user_id).values("blocked_id")


def is_blocked_between(user_id: int, other_user_id: int) -> bool:
    return Block.objects.filter(
        Q(blocker_id=user_id, blocked_id=other_user_id) | Q(blocker_id=other_user_id, blocked_id=user_id)
    ).exists()


def block_state(user_id: int, other_user_id: int) -> tuple[bool, bool]:
    """(the user blocked the other, the other blocked the user), in one query."""
    pairs = set(
        Block.objects.filter(
            Q(blocker_id=user_id, blocked_id=other_user_id) | Q(blocker_id=other_user_id, blocked_id=user_id)
        ).values_list("blocker_id", flat=True)
    )
    return user_id in pairs, other_user_id in pairs


def _other_member(membership: Membership, user_id: Any) -> Membership:
    pk = as_id(user_id)
    if pk is None or pk == membership.user_id:
        raise NotFound
    target = (
        Membership.objects.select_related("user")
        .filter(organization_id=membership.organization_id, user_id=pk, user__deleted_at__isnull=True)
        .first()
    )
    if target is None:
        raise NotFound
    return target


def block_member(*, membership: Membership, user_id: Any) -> tuple[Block, bool]:
    """Block a member of the caller's organization; (the block, whether it is new). Idempotent.

    Their follows of the caller end (a blocked person follows nobody who blocked them),
    in every organization: a block is between two people.
    """
    pk = as_id(user_id)
    if pk is not None and pk == membership.user_id:
        message = _("Vous ne pouvez pas vous bloquer vous-même.")
        raise InvalidInput(message, extra={"errors": [{"loc": ["user"], "msg": message, "type": "invalid"}]})
    target = _other_member(membership, user_id)
    with transaction.atomic():
        block, created = Block.objects.get_or_create(blocker_id=membership.user_id, blocked_id=target.user_id)
        MemberFollow.objects.filter(follower_id=target.user_id, followed_id=membership.user_id).delete()
    return block, created


def unblock_member(*, membership: Membership, user_id: Any) -> None:
    """Lift the caller's block. Idempotent for a member of the organization; someone the caller
    blocked may be unblocked even after leaving it. Anyone else is NotFound."""
    pk = as_id(user_id)
    if pk is None:
        raise NotFound
    deleted, _rows = Block.objects.filter(blocker_id=membership.user_id, blocked_id=pk).delete()
    if not deleted:
        _other_member(membership, pk)


def blocks_of(membership: Membership) -> QuerySet[Block]:
    """The caller's blocks, newest first, with the blocked people."""
    return Block.objects.filter(blocker_id=membership.user_id).select_related("blocked")


# --- Conversations ------------------------------------------------------------------------------------------


def direct_key(organization_id: int, user_id: int, other_user_id: int) -> str:
    low, high = sorted((user_id, other_user_id))
    return f"{organization_id}:{low}:{high}"


def get_or_create_direct_conversation(*, membership: Membership, other_user_id: Any) -> tuple[Conversation, bool]:
    """The caller's direct conversation with a member of the same organization; (it, whether it is new).

    NotFound for the caller themself or anyone outside the organization;
    Forbidden `blocked` when either of them blocked the other.
    """
    other = _other_member(membership, other_user_id)
    if is_blocked_between(membership.user_id, other.user_id):
        raise _blocked_error()
    key = direct_key(membership.organization_id, membership.user_id, other.user_id)
    existing = Conversation.objects.filter(direct_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                organization_id=membership.organization_id, kind=ConversationKind.DIRECT, direct_key=key
            )
            ConversationMember.objects.bulk_create(
                [
                    ConversationMember(conversation=conversation, user_id=membership.user_id),
                    ConversationMember(conversation=conversation, user_id=other.user_id),
                ]
            )
    except IntegrityError:
        # Both started it at the same time: the other request's conversation is the one.
        return Conversation.objects.get(direct_key=key), False
    return conversation, True


def existing_session_thread(session: Session) -> Conversation | None:
    """The session's thread if anyone wrote or read there, without creating it."""
    return Conversation.objects.filter(session_id=session.pk).first()


def session_thread(membership: Membership, session: Session) -> Conversation:
    """The thread of a session the caller may see (fetched with get_session_for_member), created on first use."""
    existing = existing_session_thread(session)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Conversation.objects.create(
                organization_id=session.organization_id, kind=ConversationKind.SESSION, session=session
            )
    except IntegrityError:
        return Conversation.objects.get(session_id=session.pk)


def get_conversation_for_member(membership: Membership, conversation_id: Any) -> Conversation:
    """A conversation of the caller's organization they may read; NotFound otherwise."""
    pk = as_id(conversation_id)
    if pk is None:
        raise NotFound
    conversation = Conversation.objects.filter(pk=pk, organization_id=membership.organization_id).first()
    if conversation is None:
        raise NotFound
    if conversation.kind == ConversationKind.SESSION:
        if conversation.session_id is None:
            raise NotFound
        conversation.session = get_session_for_member(membership, conversation.session_id)
        return conversation
    if not ConversationMember.objects.filter(conversation=conversation, user_id=membership.user_id).exists():
        raise NotFound
    return conversation


def get_membership_and_conversation(user: User, conversation_id: Any) -> tuple[Membership, Conversation]:
    """For endpoints that know only the conversation: the caller's membership of its organization, and it."""
    pk = as_id(conversation_id)
    if pk is None:
        raise NotFound
    organization_id = Conversation.objects.filter(pk=pk).values_list("organization_id", flat=True).first()
    if organization_id is None:
        raise NotFound
    membership = get_membership_for_user(user, organization_id)
    return membership, get_conversation_for_member(membership, pk)


def other_member_of(conversation: Conversation, user_id: int) -> User | None:
    """The other person of a direct conversation (None once their account is gone)."""
    member = (
        ConversationMember.objects.filter(conversation=conversation)
        .exclude(user_id=user_id)
        .select_related("user")
        .first()
    )
    return member.user if member is not None else None


def _visible_messages(conversation_id: Any, reader_id: int) -> QuerySet[Message]:
    return Message.objects.filter(conversation_id=conversation_id).exclude(author_id__in=_blocked_by(reader_id))


def _unread_messages(conversation_ref: Any, reader_id: int, last_read_ref: Any) -> QuerySet[Message]:
    return (
        _visible_messages(conversation_ref, reader_id)
        .filter(deleted_at__isnull=True, created_at__gt=Coalesce(last_read_ref, Value(_NEVER)))
        .exclude(author_id=reader_id)
    )


def _direct_memberships(membership: Membership) -> QuerySet[ConversationMember]:
    """The caller's rows of the direct conversations of this organization that hold a message."""
    return ConversationMember.objects.filter(
        user_id=membership.user_id,
        conversation__organization_id=membership.organization_id,
        conversation__kind=ConversationKind.DIRECT,
        conversation__last_message_at__isnull=False,
    )


def _rows(membership: Membership, members: QuerySet[ConversationMember]) -> list[ConversationRow]:
    reader_id = membership.user_id
    unread = (
        _unread_messages(OuterRef("conversation_id"), reader_id, OuterRef("last_read_at"))
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    last_visible = (
        _visible_messages(OuterRef("conversation_id"), reader_id).order_by("-created_at", "-id").values("pk")[:1]
    )
    annotated = list(
        members.select_related("conversation").annotate(
            unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
            last_visible_id=Subquery(last_visible),
        )
    )
    conversation_ids = [member.conversation_id for member in annotated]
    others: dict[int, User] = {
        other.conversation_id: other.user
        for other in ConversationMember.objects.filter(conversation_id__in=conversation_ids)
        .exclude(user_id=reader_id)
        .select_related("user")
    }
    last_messages = Message.objects.select_related("author").in_bulk(
        [member.last_visible_id for member in annotated if member.last_visible_id is not None]  # type: ignore[attr-defined]
    )
    return [
        ConversationRow(
            conversation=member.conversation,
            other=others.get(member.conversation_id),
            last_message=last_messages.get(member.last_visible_id),  # type: ignore[attr-defined]
            unread=member.unread_count,  # type: ignore[attr-defined]
        )
        for member in annotated
    ]


def conversations_of(
    membership: Membership, *, offset: int = 0, limit: int = MESSAGES_PAGE_SIZE
) -> Page[ConversationRow]:
    """The caller's direct conversations in this organization, latest message first, with the other person,
    the last message they may see and their unread count. Conversations without any message are left out.
    Four queries, however many conversations."""
    members = _direct_memberships(membership)
    count = members.count()
    page = members.order_by("-conversation__last_message_at", "-conversation_id")[offset : offset + limit]
    return Page(items=_rows(membership, page), count=count, offset=offset, limit=limit)


def conversation_row(membership: Membership, conversation: Conversation) -> ConversationRow:
    """One direct conversation as conversations_of shows it, even before its first message."""
    members = ConversationMember.objects.filter(user_id=membership.user_id, conversation_id=conversation.pk)
    rows = _rows(membership, members)
    if not rows:
        raise NotFound
    return rows[0]


def unread_conversation_count(membership: Membership) -> int:
    """How many direct conversations of this organization hold messages the caller has not read (one query)."""
    unread = _unread_messages(OuterRef("conversation_id"), membership.user_id, OuterRef("last_read_at"))
    return _direct_memberships(membership).filter(Exists(unread)).count()


def messages_of(
    conversation: Conversation, *, reader_id: int, limit: int = MESSAGES_PAGE_SIZE, offset: int | None = None
) -> Page[Message]:
    """Messages the reader may see, oldest first, from `offset`; without one, the newest page. Two queries."""
    messages = _visible_messages(conversation.pk, reader_id)
    count = messages.count()
    start = max(count - limit, 0) if offset is None else offset
    items = list(messages.select_related("author").order_by("created_at", "id")[start : start + limit])
    return Page(items=items, count=count, offset=start, limit=limit)


# --- Writing ------------------------------------------------------------------------------------------------


def _clean_body(body: Any) -> str:
    if not isinstance(body, str):
        raise _body_error(_("Écrivez votre message."))
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise _body_error(_("Écrivez votre message."))
    if len(text) > MESSAGE_MAX_LENGTH:
        raise _body_error(
            _("Votre message est trop long : %(max)d caractères au plus (il en compte %(length)d).")
            % {"max": MESSAGE_MAX_LENGTH, "length": len(text)}
        )
    # Line breaks and tabs belong in a message; other control characters do not (PostgreSQL refuses NUL).
    if any(char not in "\n\t" and (ord(char) < 32 or 127 <= ord(char) < 160) for char in text) or any(
        0xD800 <= ord(char) <= 0xDFFF for char in text
    ):
        raise _body_error(_("Votre message contient des caractères non autorisés."))
    return text


def _consume_message_allowance(user_id: int) -> None:
    """Count one message of the user, or raise MessagesThrottled when a window is used up.

    Called outside the message's transaction (core.throttling).
    """
    retry_after = consume(
        [
            Allowance(f"{_THROTTLE_KEY_PREFIX}:minute:{user_id}", MESSAGES_PER_MINUTE, _MINUTE),
            Allowance(f"{_THROTTLE_KEY_PREFIX}:day:{user_id}", MESSAGES_PER_DAY, _DAY),
        ]
    )
    if retry_after is not None:
        raise MessagesThrottled(retry_after=retry_after)


def post_message(*, membership: Membership, conversation: Conversation, body: Any) -> Message:
    """Post in a conversation the caller may read (get_conversation_for_member); announces message_posted.

    InvalidInput for an empty or too long body; in a direct conversation,
    Forbidden `blocked` when either person blocked the other and Conflict
    `not_a_member` once the other person left the organization;
    MessagesThrottled (429) past the per-user limits.
    """
    if conversation.organization_id != membership.organization_id:
        raise NotFound
    text = _clean_body(body)
    if conversation.kind == ConversationKind.DIRECT:
        member_ids = set(ConversationMember.objects.filter(conversation=conversation).values_list("user_id", flat=True))
        if membership.user_id not in member_ids:
            raise NotFound
        others = member_ids - {membership.user_id}
        other = others.pop() if others else None
        if (
            other is None
            or not Membership.objects.filter(
                organization_id=membership.organization_id, user_id=other, user__deleted_at__isnull=True
            ).exists()
        ):
            raise Conflict(_("Cette personne ne fait plus partie de l'organisation."), code="not_a_member")
        if is_blocked_between(membership.user_id, other):
            raise _blocked_error()
    _consume_message_allowance(membership.user_id)
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation, author_id=membership.user_id, body=text, created_at=now
        )
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
        ConversationMember.objects.update_or_create(
            conversation=conversation, user_id=membership.user_id, defaults={"last_read_at": now}
        )
        announce(message_posted, message_id=message.pk)
    conversation.last_message_at = now
    message.author = membership.user
    return message


def mark_conversation_read(*, membership: Membership, conversation: Conversation) -> None:
    """Everything in the conversation so far counts as read by the caller (who may read it)."""
    if conversation.organization_id != membership.organization_id:
        raise NotFound
    now = timezone.now()
    if conversation.kind == ConversationKind.DIRECT:
        # A direct conversation has its two members from the start: nobody else is ever added by reading.
        if not ConversationMember.objects.filter(conversation=conversation, user_id=membership.user_id).update(
            last_read_at=now
        ):
            raise NotFound
        return
    ConversationMember.objects.update_or_create(
        conversation=conversation, user_id=membership.user_id, defaults={"last_read_at": now}
    )
