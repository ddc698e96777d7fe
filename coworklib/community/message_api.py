"""Messages under /api/v1: direct conversations, session comments, blocks.

`{org}` is an organization's id or slug. A conversation outside the caller's
organizations, a direct conversation they are not part of, or the comments of
a session they may not see answer 404 `not_found`, exactly like one that does
not exist. Writing to or with someone blocked (either way) is 403 `blocked`;
posting too often, 429 `throttled` with `Retry-After`.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router, Status

from coworklib.accounts.models import User
from coworklib.api.schemas import CONFLICT_ERRORS, READ_ERRORS, WRITE_ERRORS
from coworklib.community import messaging
from coworklib.community.message_schemas import (
    ConversationIn,
    ConversationOut,
    ConversationPageOut,
    MessageBlockIn,
    MessageBlockOut,
    MessageIn,
    MessageOut,
    MessagePageOut,
)
from coworklib.community.models import Block, Conversation, Message
from coworklib.organizations.models import Membership
from coworklib.organizations.selectors import get_membership_for_user
from coworklib.planning import selectors as planning_selectors
from coworklib.workspaces.schemas import MAX_ID, PageIn, page

router = Router(tags=["messages"])

ConversationId = Path(..., ge=1, le=MAX_ID, description="Conversation id")
SessionId = Path(..., ge=1, le=MAX_ID, description="Session id")
UserId = Path(..., ge=1, le=MAX_ID, description="User id")


# --- Shaping answers ----------------------------------------------------------------------------------------


def _caller(request: HttpRequest) -> User:
    # Set by coworklib.api.auth (bearer token or session cookie) before any endpoint runs.
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _person(user: User | None) -> dict[str, Any]:
    # display_name is read now, in the request's language ("Deleted user" / "Utilisateur supprimé").
    if user is None:
        return {"id": None, "display_name": messaging.deleted_user_name()}
    return {"id": None if user.is_deleted else user.pk, "display_name": user.display_name}


def _message_out(message: Message, caller: User) -> dict[str, Any]:
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "author": _person(message.author),
        "mine": message.author_id == caller.pk,
        "body": "" if message.deleted_at is not None else message.body,
        "created_at": message.created_at,
        "deleted": message.deleted_at is not None,
    }


def _conversation_out(row: messaging.ConversationRow, caller: User) -> dict[str, Any]:
    conversation = row.conversation
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "organization": conversation.organization_id,
        "other": _person(row.other),
        "last_message": _message_out(row.last_message, caller) if row.last_message is not None else None,
        "last_message_at": conversation.last_message_at,
        "unread": row.unread,
    }


def _message_page(conversation: Conversation, caller: User, pagination: PageIn) -> dict[str, Any]:
    messages = messaging.messages_of(
        conversation, reader_id=caller.pk, limit=pagination.limit, offset=pagination.offset
    )
    return page([_message_out(message, caller) for message in messages.items], messages.count)


def _post(membership: Membership, conversation: Conversation, body: str, response: HttpResponse) -> Any:
    try:
        message = messaging.post_message(membership=membership, conversation=conversation, body=body)
    except messaging.MessagesThrottled as exc:
        response["Retry-After"] = str(exc.retry_after)
        return Status(429, {"detail": exc.detail, "code": exc.code})
    return Status(201, _message_out(message, membership.user))


# --- Direct conversations -----------------------------------------------------------------------------------


@router.get("/organizations/{org}/conversations", response={200: ConversationPageOut, **READ_ERRORS})
def list_conversations(request: HttpRequest, org: str, pagination: Query[PageIn]) -> Any:
    """The caller's direct conversations in the organization, latest message first, with unread counts.

    A conversation nobody has written in yet is not listed.
    """
    membership = get_membership_for_user(_caller(request), org)
    conversations = messaging.conversations_of(membership, offset=pagination.offset, limit=pagination.limit)
    return page([_conversation_out(row, membership.user) for row in conversations.items], conversations.count)


@router.post(
    "/organizations/{org}/conversations", response={200: ConversationOut, 201: ConversationOut, **WRITE_ERRORS}
)
def start_conversation(request: HttpRequest, org: str, data: ConversationIn) -> Any:
    """The caller's direct conversation with `user`: 201 when it starts, 200 when it existed.

    404 for the caller themself or anyone outside the organization; 403 `blocked` when either blocked the other.
    """
    membership = get_membership_for_user(_caller(request), org)
    conversation, created = messaging.get_or_create_direct_conversation(membership=membership, other_user_id=data.user)
    row = messaging.conversation_row(membership, conversation)
    return Status(201 if created else 200, _conversation_out(row, membership.user))


@router.get("/conversations/{id}/messages", response={200: MessagePageOut, **READ_ERRORS})
def list_messages(request: HttpRequest, pagination: Query[PageIn], id: int = ConversationId) -> Any:
    """Messages oldest first (`offset` from the oldest); those of people the caller blocked are left out."""
    membership, conversation = messaging.get_membership_and_conversation(_caller(request), id)
    return _message_page(conversation, membership.user, pagination)


@router.post("/conversations/{id}/messages", response={201: MessageOut, **CONFLICT_ERRORS})
def post_message(request: HttpRequest, data: MessageIn, response: HttpResponse, id: int = ConversationId) -> Any:
    """Write in a conversation. 422 for an empty or too long body; 403 `blocked`; 409 `not_a_member` when the
    other person left the organization; 429 `throttled` past 20 messages a minute or 200 a day."""
    membership, conversation = messaging.get_membership_and_conversation(_caller(request), id)
    return _post(membership, conversation, data.body, response)


@router.post("/conversations/{id}/read", response={204: None, **WRITE_ERRORS})
def mark_read(request: HttpRequest, id: int = ConversationId) -> Any:
    """Everything in the conversation so far counts as read by the caller."""
    membership, conversation = messaging.get_membership_and_conversation(_caller(request), id)
    messaging.mark_conversation_read(membership=membership, conversation=conversation)
    return Status(204, None)


# --- Session comments ---------------------------------------------------------------------------------------


@router.get("/sessions/{id}/comments", response={200: MessagePageOut, **READ_ERRORS})
def list_session_comments(request: HttpRequest, pagination: Query[PageIn], id: int = SessionId) -> Any:
    """The session's comments, oldest first; 404 for a session the caller may not see."""
    membership, session = planning_selectors.get_membership_and_session(_caller(request), id)
    conversation = messaging.existing_session_thread(session)
    if conversation is None:
        return page([], 0)
    return _message_page(conversation, membership.user, pagination)


@router.post("/sessions/{id}/comments", response={201: MessageOut, **CONFLICT_ERRORS})
def comment_session(request: HttpRequest, data: MessageIn, response: HttpResponse, id: int = SessionId) -> Any:
    """Comment on a session the caller may see. 422 for an empty or too long body; 429 `throttled`."""
    membership, session = planning_selectors.get_membership_and_session(_caller(request), id)
    conversation = messaging.session_thread(membership, session)
    return _post(membership, conversation, data.body, response)


# --- Blocks -------------------------------------------------------------------------------------------------


def _block_out(block: Block) -> dict[str, Any]:
    return {"user": _person(block.blocked), "created_at": block.created_at}


@router.post("/organizations/{org}/blocks", response={200: MessageBlockOut, 201: MessageBlockOut, **WRITE_ERRORS})
def block_member(request: HttpRequest, org: str, data: MessageBlockIn) -> Any:
    """Block a member: no direct messages either way, their messages hidden from the caller, their follow of the
    caller ended. 201, or 200 when already blocked; 404 for anyone outside the organization, 422 for oneself."""
    membership = get_membership_for_user(_caller(request), org)
    block, created = messaging.block_member(membership=membership, user_id=data.user)
    return Status(201 if created else 200, _block_out(block))


@router.delete("/organizations/{org}/blocks/{user_id}", response={204: None, **WRITE_ERRORS})
def unblock_member(request: HttpRequest, org: str, user_id: int = UserId) -> Any:
    """Lift a block (idempotent); 404 for someone outside the organization the caller never blocked."""
    membership = get_membership_for_user(_caller(request), org)
    messaging.unblock_member(membership=membership, user_id=user_id)
    return Status(204, None)
