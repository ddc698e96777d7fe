"""Message pages: my conversations, one conversation, writing to a member, blocks, and session comments.

Org-scoped pages go through `organization_view` (404 for outsiders) and fetch
conversations through `messaging.get_conversation_for_member`, so another
organization's conversation, or one the member is not part of, answers 404
like one that does not exist. A refusal of the service (empty message,
blocked, too many messages) is shown next to the message field, with what
was typed still in it.

The session page shows the comment thread by including
`community/_session_thread.html` with `thread=session_thread_context(membership, session)`.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coworklib.community import messaging
from coworklib.community.models import MESSAGE_MAX_LENGTH, Conversation, ConversationKind
from coworklib.core.errors import DomainError, NotFound
from coworklib.core.tenancy import organization_view
from coworklib.organizations.models import Membership
from coworklib.planning.models import Session
from coworklib.planning.selectors import get_session_for_member

CONVERSATIONS_PAGE_SIZE = 30


class MessageForm(forms.Form):
    # Not required here: the service says what is wrong (empty, too long), for the pages and the API alike.
    body = forms.CharField(
        label=gettext_lazy("Votre message"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_MAX_LENGTH}),
    )


class CommentForm(MessageForm):
    body = forms.CharField(
        label=gettext_lazy("Votre commentaire"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MESSAGE_MAX_LENGTH}),
    )


@dataclass
class SessionThread:
    """What `community/_session_thread.html` shows: a session's comments and the form to add one."""

    session: Session
    messages: messaging.Page[Any]
    form: MessageForm
    viewer_id: int


def _offset(request: HttpRequest) -> int | None:
    raw = request.GET.get("offset", "")
    if raw.isascii() and raw.isdigit() and len(raw) <= 9:
        return int(raw)
    return None


def _post(request: HttpRequest, membership: Membership, conversation: Conversation, form: MessageForm) -> int | None:
    """Post the form's message; None when it went, else the status to answer with (the error is on the form)."""
    try:
        messaging.post_message(membership=membership, conversation=conversation, body=form.data.get("body", ""))
    except messaging.MessagesThrottled as exc:
        form.add_error("body", exc.detail)
        request.retry_after = exc.retry_after  # type: ignore[attr-defined]
        return exc.status
    except DomainError as exc:
        form.add_error("body", exc.detail)
        return exc.status
    return None


def _with_retry_after(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    retry_after = getattr(request, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


# --- Direct conversations -----------------------------------------------------------------------------------


@organization_view()
@require_safe
def messages_badge(request: HttpRequest, membership: Membership) -> HttpResponse:
    """How many conversations hold unread messages, for the top bar's icon (htmx, after load and every minute)."""
    response = render(
        request, "community/messages/_badge.html", {"unread": messaging.unread_conversation_count(membership)}
    )
    response["Cache-Control"] = "no-store"
    return response


@organization_view()
@require_safe
def conversations(request: HttpRequest, membership: Membership) -> HttpResponse:
    page = messaging.conversations_of(membership, offset=_offset(request) or 0, limit=CONVERSATIONS_PAGE_SIZE)
    return render(request, "community/messages/list.html", {"page": page})


def _conversation_page(
    request: HttpRequest, membership: Membership, conversation: Conversation, form: MessageForm, *, status: int = 200
) -> HttpResponse:
    other = messaging.other_member_of(conversation, membership.user_id)
    i_blocked, blocked_me = messaging.block_state(membership.user_id, other.pk) if other else (False, False)
    other_is_member = (
        other is not None
        and not other.is_deleted
        and Membership.objects.filter(organization_id=membership.organization_id, user_id=other.pk).exists()
    )
    context = {
        "conversation": conversation,
        "other": other,
        "other_name": other.display_name if other is not None else messaging.deleted_user_name(),
        "other_is_member": other_is_member,
        "i_blocked": i_blocked,
        "blocked_me": blocked_me,
        "page": messaging.messages_of(conversation, reader_id=membership.user_id, offset=_offset(request)),
        "form": form,
    }
    return _with_retry_after(request, render(request, "community/messages/conversation.html", context, status=status))


@organization_view()
@require_http_methods(["GET", "HEAD", "POST"])
def conversation(request: HttpRequest, membership: Membership, conversation_id: int) -> HttpResponse:
    try:
        found = messaging.get_conversation_for_member(membership, conversation_id)
    except NotFound:
        raise Http404 from None
    if found.kind == ConversationKind.SESSION and found.session_id is not None:
        return redirect(
            reverse("planning:session", args=[membership.organization.slug, found.session_id]) + "#comments"
        )
    if request.method != "POST":
        messaging.mark_conversation_read(membership=membership, conversation=found)
        return _conversation_page(request, membership, found, MessageForm())
    form = MessageForm(request.POST)
    status = _post(request, membership, found, form)
    if status is not None:
        return _conversation_page(request, membership, found, form, status=status)
    return redirect(reverse("community:conversation", args=[membership.organization.slug, found.pk]) + "#latest")


@organization_view()
@require_safe
def write_to(request: HttpRequest, membership: Membership, user_id: int) -> HttpResponse:
    """Open (starting it if need be) the direct conversation with a member, from a link on their profile."""
    try:
        found, _created = messaging.get_or_create_direct_conversation(membership=membership, other_user_id=user_id)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("community:messages", slug=membership.organization.slug)
    return redirect("community:conversation", slug=membership.organization.slug, conversation_id=found.pk)


def _back_to_conversation(membership: Membership, user_id: int) -> HttpResponse:
    key = messaging.direct_key(membership.organization_id, membership.user_id, user_id)
    existing = Conversation.objects.filter(direct_key=key).values_list("pk", flat=True).first()
    if existing is None:
        return redirect("community:messages", slug=membership.organization.slug)
    return redirect("community:conversation", slug=membership.organization.slug, conversation_id=existing)


@organization_view()
@require_POST
def block(request: HttpRequest, membership: Membership, user_id: int) -> HttpResponse:
    try:
        blocked, _created = messaging.block_member(membership=membership, user_id=user_id)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("Vous avez bloqué %(name)s : vous ne recevrez plus ses messages.")
            % {"name": blocked.blocked.display_name},
        )
    return _back_to_conversation(membership, user_id)


@organization_view()
@require_POST
def unblock(request: HttpRequest, membership: Membership, user_id: int) -> HttpResponse:
    try:
        messaging.unblock_member(membership=membership, user_id=user_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("Cette personne n'est plus bloquée : vous pouvez à nouveau échanger des messages."))
    return _back_to_conversation(membership, user_id)


# --- Session comments ---------------------------------------------------------------------------------------


def session_thread_context(membership: Membership, session: Session, form: MessageForm | None = None) -> SessionThread:
    """The `thread` the session page passes to `community/_session_thread.html`, for a session the member may see
    (fetched with get_session_for_member). Showing it counts the comments as read by the member."""
    existing = messaging.existing_session_thread(session)
    if existing is None:
        page: messaging.Page[Any] = messaging.Page(items=[], count=0)
    else:
        page = messaging.messages_of(existing, reader_id=membership.user_id)
        if form is None:
            messaging.mark_conversation_read(membership=membership, conversation=existing)
    return SessionThread(session=session, messages=page, form=form or CommentForm(), viewer_id=membership.user_id)


@organization_view()
@require_POST
def comment_session(request: HttpRequest, membership: Membership, session_id: int) -> HttpResponse:
    try:
        session = get_session_for_member(membership, session_id)
    except NotFound:
        raise Http404 from None
    form = CommentForm(request.POST)
    status = _post(request, membership, messaging.session_thread(membership, session), form)
    if status is None:
        url = reverse("planning:session", args=[membership.organization.slug, session.pk])
        return redirect(url + "#comments")
    context = {"session": session, "thread": session_thread_context(membership, session, form)}
    return _with_retry_after(
        request, render(request, "community/messages/session_comment.html", context, status=status)
    )


urlpatterns: list[URLPattern] = [
    path("o/<slug:slug>/messages/", conversations, name="messages"),
    path("o/<slug:slug>/messages/badge/", messages_badge, name="messages_badge"),
    path("o/<slug:slug>/messages/<dbid:conversation_id>/", conversation, name="conversation"),
    path("o/<slug:slug>/messages/to/<dbid:user_id>/", write_to, name="write_to"),
    path("o/<slug:slug>/messages/block/<dbid:user_id>/", block, name="block"),
    path("o/<slug:slug>/messages/unblock/<dbid:user_id>/", unblock, name="unblock"),
    path("o/<slug:slug>/sessions/<dbid:session_id>/comments/", comment_session, name="session_comment"),
]
