"""The messages API: conversations, messages, reading, session comments, blocks; tenancy and limits."""

from typing import Any

import pytest
from django.test import Client

from coworklib.accounts.models import User
from coworklib.community import messaging
from coworklib.community.models import Block, Conversation, ConversationMember, Message
from coworklib.community.tests.test_messages import direct, plan, say
from coworklib.organizations.models import Organization
from coworklib.planning.models import Participant, ParticipantStatus, Visibility
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import call, make_workspace


@pytest.fixture
def office(alice: User, acme: Organization) -> Workspace:
    return make_workspace(alice, acme, "Paris HQ", capacity=20)


def start(client: Client, user: User, other: User, org: str = "acme") -> Any:
    return call(client, "POST", f"/organizations/{org}/conversations", user, {"user": other.pk})


# --- Conversations ------------------------------------------------------------------------------------------


def test_starting_a_conversation_answers_201_then_200(client: Client, alice: User, bob: User) -> None:
    first = start(client, alice, bob)
    again = start(client, bob, alice)

    assert first.status_code == 201, first.content
    assert again.status_code == 200
    body = first.json()
    assert body["id"] == again.json()["id"]
    assert body["kind"] == "direct"
    assert body["other"] == {"id": bob.pk, "display_name": "Bob Bernard"}
    assert (body["last_message"], body["unread"]) == (None, 0)
    assert Conversation.objects.count() == 1


def test_starting_a_conversation_with_an_outsider_or_oneself_is_not_found(
    client: Client, alice: User, olivia: User
) -> None:
    assert start(client, alice, olivia).status_code == 404
    assert start(client, alice, alice).status_code == 404
    # Olivia is not a member of Acme: the organization itself is not found.
    assert start(client, olivia, alice).status_code == 404
    assert start(client, olivia, alice, org="globex").status_code == 404
    assert not Conversation.objects.exists()


def test_starting_a_conversation_with_someone_blocked_is_forbidden(client: Client, alice: User, bob: User) -> None:
    Block.objects.create(blocker=bob, blocked=alice)

    answer = start(client, alice, bob)

    assert answer.status_code == 403
    assert answer.json()["code"] == "blocked"


@pytest.mark.parametrize("body", [{}, {"user": "x"}, {"user": True}, {"user": 0}, {"user": 2**70}, [1], None])
def test_a_bad_conversation_body_is_a_422(client: Client, alice: User, body: Any) -> None:
    answer = call(client, "POST", "/organizations/acme/conversations", alice, body if body is not None else "null")

    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid"


def test_the_list_shows_the_caller_s_conversations_with_unread_counts(
    client: Client, alice: User, bob: User, carol: User, acme: Organization
) -> None:
    with_bob = direct(alice, bob, acme)
    say(bob, acme, with_bob, "Salut Alice")
    say(carol, acme, direct(carol, bob, acme), "Pas pour Alice")

    answer = call(client, "GET", "/organizations/acme/conversations?limit=10", alice)

    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["id"] == with_bob.pk
    assert item["unread"] == 1
    assert item["last_message"]["body"] == "Salut Alice"
    assert item["last_message"]["author"] == {"id": bob.pk, "display_name": "Bob Bernard"}
    assert item["last_message"]["mine"] is False


def test_the_list_is_paginated(client: Client, alice: User, acme: Organization) -> None:
    from conftest import make_member

    for number in range(3):
        colleague = make_member(acme, f"c{number}@acme.test")
        say(colleague, acme, direct(alice, colleague, acme), "Bonjour")

    answer = call(client, "GET", "/organizations/acme/conversations?limit=2&offset=2", alice)

    assert answer.json()["count"] == 3
    assert len(answer.json()["items"]) == 1
    assert call(client, "GET", "/organizations/acme/conversations?offset=-1", alice).status_code == 422


def test_another_organization_s_list_is_not_found(client: Client, olivia: User) -> None:
    assert call(client, "GET", "/organizations/acme/conversations", olivia).status_code == 404


# --- Messages -----------------------------------------------------------------------------------------------


def test_posting_a_message_answers_201_and_writes_it(
    client: Client, alice: User, bob: User, acme: Organization
) -> None:
    conversation = direct(alice, bob, acme)

    answer = call(client, "POST", f"/conversations/{conversation.pk}/messages", alice, {"body": "  Tu viens ?  "})

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["body"] == "Tu viens ?"
    assert body["mine"] is True
    assert body["author"]["id"] == alice.pk
    assert Message.objects.get().body == "Tu viens ?"
    listed = call(client, "GET", f"/conversations/{conversation.pk}/messages", bob).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]


@pytest.mark.parametrize(
    "body", [{"body": ""}, {"body": "   "}, {"body": "x" * 4001}, {"body": 3}, {"body": "\x00"}, {}]
)
def test_a_bad_message_is_a_422(client: Client, alice: User, bob: User, acme: Organization, body: Any) -> None:
    conversation = direct(alice, bob, acme)

    answer = call(client, "POST", f"/conversations/{conversation.pk}/messages", alice, body)

    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid"
    assert not Message.objects.exists()


def test_a_blocked_member_cannot_write(client: Client, alice: User, bob: User, acme: Organization) -> None:
    conversation = direct(alice, bob, acme)
    Block.objects.create(blocker=alice, blocked=bob)

    answer = call(client, "POST", f"/conversations/{conversation.pk}/messages", bob, {"body": "Coucou"})

    assert answer.status_code == 403
    assert answer.json()["code"] == "blocked"
    assert not Message.objects.exists()


def test_posting_too_often_is_a_429_with_retry_after(
    client: Client, alice: User, bob: User, acme: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messaging, "MESSAGES_PER_MINUTE", 2)
    conversation = direct(alice, bob, acme)
    path = f"/conversations/{conversation.pk}/messages"
    assert call(client, "POST", path, alice, {"body": "Un"}).status_code == 201
    assert call(client, "POST", path, alice, {"body": "Deux"}).status_code == 201

    answer = call(client, "POST", path, alice, {"body": "Trois"})

    assert answer.status_code == 429
    assert answer.json()["code"] == "throttled"
    assert 0 < int(answer["Retry-After"]) <= 60
    assert Message.objects.count() == 2


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_someone_else_s_conversation_is_not_found(
    client: Client, method: str, alice: User, bob: User, carol: User, olivia: User, acme: Organization
) -> None:
    conversation = direct(alice, bob, acme)
    body = {"body": "Intrus"} if method == "POST" else None

    for intruder in (carol, olivia):
        answer = call(client, method, f"/conversations/{conversation.pk}/messages", intruder, body)
        assert answer.status_code == 404
        assert answer.json() == {"detail": "Introuvable.", "code": "not_found"}
        assert call(client, "POST", f"/conversations/{conversation.pk}/read", intruder).status_code == 404
    assert call(client, method, "/conversations/999999/messages", alice, body).status_code == 404
    assert not Message.objects.exists()


def test_reading_clears_the_unread_count(client: Client, alice: User, bob: User, acme: Organization) -> None:
    conversation = direct(alice, bob, acme)
    say(bob, acme, conversation, "Tu es là ?")

    answer = call(client, "POST", f"/conversations/{conversation.pk}/read", alice)

    assert answer.status_code == 204
    assert ConversationMember.objects.get(conversation=conversation, user=alice).last_read_at is not None
    listed = call(client, "GET", "/organizations/acme/conversations", alice).json()
    assert listed["items"][0]["unread"] == 0


def test_a_deleted_author_shows_as_deleted_user(client: Client, alice: User, bob: User, acme: Organization) -> None:
    conversation = direct(alice, bob, acme)
    say(bob, acme, conversation, "Au revoir")
    bob.delete()

    answer = call(client, "GET", f"/conversations/{conversation.pk}/messages", alice, HTTP_ACCEPT_LANGUAGE="fr")

    assert answer.json()["items"][0]["author"] == {"id": None, "display_name": "Utilisateur supprimé"}


# --- Session comments ---------------------------------------------------------------------------------------


def test_commenting_a_session(client: Client, alice: User, bob: User, office: Workspace) -> None:
    session = plan(alice, office)

    answer = call(client, "POST", f"/sessions/{session.pk}/comments", bob, {"body": "Je viens !"})

    assert answer.status_code == 201, answer.content
    listed = call(client, "GET", f"/sessions/{session.pk}/comments", alice).json()
    assert listed["count"] == 1
    assert listed["items"][0]["body"] == "Je viens !"
    assert Conversation.objects.get().session == session


def test_a_session_without_comments_lists_none_and_creates_nothing(
    client: Client, alice: User, office: Workspace
) -> None:
    session = plan(alice, office)

    assert call(client, "GET", f"/sessions/{session.pk}/comments", alice).json() == {"items": [], "count": 0}
    assert not Conversation.objects.exists()


def test_an_invitation_only_session_s_comments_are_for_its_people(
    client: Client, alice: User, bob: User, carol: User, olivia: User, office: Workspace
) -> None:
    session = plan(alice, office, Visibility.INVITED)
    Participant.objects.create(session=session, user=bob, status=ParticipantStatus.INVITED)
    assert call(client, "POST", f"/sessions/{session.pk}/comments", bob, {"body": "OK"}).status_code == 201

    for outsider in (carol, olivia):
        assert call(client, "GET", f"/sessions/{session.pk}/comments", outsider).status_code == 404
        assert call(client, "POST", f"/sessions/{session.pk}/comments", outsider, {"body": "?"}).status_code == 404
    thread = Conversation.objects.get()
    assert call(client, "GET", f"/conversations/{thread.pk}/messages", carol).status_code == 404
    assert call(client, "GET", f"/conversations/{thread.pk}/messages", bob).status_code == 200
    assert Message.objects.count() == 1


# --- Blocks -------------------------------------------------------------------------------------------------


def test_blocking_and_unblocking(client: Client, alice: User, bob: User) -> None:
    answer = call(client, "POST", "/organizations/acme/blocks", alice, {"user": bob.pk})
    again = call(client, "POST", "/organizations/acme/blocks", alice, {"user": bob.pk})

    assert answer.status_code == 201, answer.content
    assert again.status_code == 200
    assert answer.json()["user"] == {"id": bob.pk, "display_name": "Bob Bernard"}
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()

    assert call(client, "DELETE", f"/organizations/acme/blocks/{bob.pk}", alice).status_code == 204
    assert call(client, "DELETE", f"/organizations/acme/blocks/{bob.pk}", alice).status_code == 204
    assert not Block.objects.exists()


def test_blocking_across_organizations_is_not_found(client: Client, alice: User, olivia: User) -> None:
    assert call(client, "POST", "/organizations/acme/blocks", alice, {"user": olivia.pk}).status_code == 404
    assert call(client, "POST", "/organizations/acme/blocks", olivia, {"user": alice.pk}).status_code == 404
    assert call(client, "POST", "/organizations/globex/blocks", olivia, {"user": alice.pk}).status_code == 404
    assert call(client, "DELETE", f"/organizations/acme/blocks/{olivia.pk}", alice).status_code == 404
    assert call(client, "POST", "/organizations/acme/blocks", alice, {"user": alice.pk}).status_code == 422
    assert not Block.objects.exists()


def test_anonymous_calls_are_refused(client: Client, alice: User, bob: User, acme: Organization) -> None:
    conversation = direct(alice, bob, acme)

    assert call(client, "GET", "/organizations/acme/conversations").status_code == 401
    assert call(client, "GET", f"/conversations/{conversation.pk}/messages").status_code == 401
    assert call(client, "POST", f"/conversations/{conversation.pk}/messages", body={"body": "x"}).status_code == 401
