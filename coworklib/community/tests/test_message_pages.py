"""Message pages: the list, a conversation, writing to a member, blocks, session comments."""

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from coworklib.accounts.models import User
from coworklib.community import messaging
from coworklib.community.message_views import session_thread_context
from coworklib.community.models import Block, Conversation, ConversationMember, Message
from coworklib.community.tests.test_messages import direct, plan, say
from coworklib.organizations.models import Organization
from coworklib.planning.models import Participant, ParticipantStatus, Visibility
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import make_workspace, membership_of


@pytest.fixture
def office(alice: User, acme: Organization) -> Workspace:
    return make_workspace(alice, acme, "Paris HQ", capacity=20)


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def conversation_url(conversation: Conversation, slug: str = "acme") -> str:
    return reverse("community:conversation", args=[slug, conversation.pk])


# --- The list -----------------------------------------------------------------------------------------------


def test_the_list_shows_conversations_with_unread_counts(
    client: Client, alice: User, bob: User, acme: Organization
) -> None:
    say(bob, acme, direct(alice, bob, acme), "Tu viens jeudi ?")

    answer = logged_in(client, alice).get(reverse("community:messages", args=["acme"]))

    assert answer.status_code == 200
    text = answer.content.decode()
    assert "Bob Bernard" in text
    assert "Tu viens jeudi ?" in text
    assert "1 non lu" in text


def test_an_empty_list_says_what_to_do(client: Client, alice: User) -> None:
    answer = logged_in(client, alice).get(reverse("community:messages", args=["acme"]))

    assert "Aucune conversation pour l'instant" in answer.content.decode()


def test_the_list_takes_a_bounded_number_of_queries(
    client: Client, alice: User, acme: Organization, django_assert_max_num_queries: Any
) -> None:
    from conftest import make_member

    for number in range(8):
        colleague = make_member(acme, f"c{number}@acme.test", first_name=f"C{number}")
        say(colleague, acme, direct(alice, colleague, acme), "Bonjour")
    logged_in(client, alice)

    with django_assert_max_num_queries(20):
        answer = client.get(reverse("community:messages", args=["acme"]))
    assert answer.content.decode().count("conversation-row__name") == 8


def test_another_organization_s_pages_are_not_found(client: Client, olivia: User) -> None:
    assert logged_in(client, olivia).get(reverse("community:messages", args=["acme"])).status_code == 404


# --- A conversation -----------------------------------------------------------------------------------------


def test_opening_a_conversation_shows_it_and_marks_it_read(
    client: Client, alice: User, bob: User, acme: Organization
) -> None:
    conversation = direct(alice, bob, acme)
    say(bob, acme, conversation, "Salut <b>Alice</b>")

    answer = logged_in(client, alice).get(conversation_url(conversation))

    assert answer.status_code == 200
    text = answer.content.decode()
    assert "Salut &lt;b&gt;Alice&lt;/b&gt;" in text
    assert 'name="body"' in text
    assert messaging.unread_conversation_count(membership_of(alice, acme)) == 0


def test_sending_a_message_redirects_to_the_conversation(
    client: Client, alice: User, bob: User, acme: Organization
) -> None:
    conversation = direct(alice, bob, acme)

    answer = logged_in(client, alice).post(conversation_url(conversation), {"body": "À jeudi !"})

    assert answer.status_code == 302
    assert answer["Location"] == conversation_url(conversation) + "#latest"
    assert Message.objects.get().body == "À jeudi !"


def test_an_empty_message_is_shown_next_to_the_field(
    client: Client, alice: User, bob: User, acme: Organization
) -> None:
    conversation = direct(alice, bob, acme)

    answer = logged_in(client, alice).post(conversation_url(conversation), {"body": "   "})

    assert answer.status_code == 422
    assert "Écrivez votre message." in answer.content.decode()
    assert not Message.objects.exists()


def test_a_too_long_message_keeps_what_was_typed(client: Client, alice: User, bob: User, acme: Organization) -> None:
    conversation = direct(alice, bob, acme)
    typed = "Très long " * 500

    answer = logged_in(client, alice).post(conversation_url(conversation), {"body": typed})

    assert answer.status_code == 422
    text = answer.content.decode()
    assert "trop long" in text
    assert typed.strip() in text


def test_too_many_messages_are_a_429_and_the_text_stays(
    client: Client, alice: User, bob: User, acme: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messaging, "MESSAGES_PER_MINUTE", 1)
    conversation = direct(alice, bob, acme)
    logged_in(client, alice).post(conversation_url(conversation), {"body": "Un"})

    answer = client.post(conversation_url(conversation), {"body": "Encore un"})

    assert answer.status_code == 429
    assert answer["Retry-After"]
    assert "Encore un" in answer.content.decode()
    assert Message.objects.count() == 1


def test_someone_else_s_conversation_is_not_found(
    client: Client, alice: User, bob: User, carol: User, olivia: User, acme: Organization, globex: Organization
) -> None:
    conversation = direct(alice, bob, acme)

    logged_in(client, carol)
    assert client.get(conversation_url(conversation)).status_code == 404
    assert client.post(conversation_url(conversation), {"body": "Intrus"}).status_code == 404
    logged_in(client, olivia)
    assert client.get(conversation_url(conversation, "globex")).status_code == 404
    assert client.get(conversation_url(conversation)).status_code == 404
    assert not Message.objects.exists()
    assert not ConversationMember.objects.filter(user__in=[carol, olivia]).exists()


def test_a_deleted_author_shows_as_deleted_user(client: Client, alice: User, bob: User, acme: Organization) -> None:
    conversation = direct(alice, bob, acme)
    say(bob, acme, conversation, "Au revoir")
    bob.delete()

    answer = logged_in(client, alice).get(conversation_url(conversation))

    assert "Utilisateur supprimé" in answer.content.decode()


# --- Writing to a member, blocking --------------------------------------------------------------------------


def test_writing_to_a_member_opens_the_conversation(client: Client, alice: User, bob: User) -> None:
    answer = logged_in(client, alice).get(reverse("community:write_to", args=["acme", bob.pk]))

    conversation = Conversation.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == conversation_url(conversation)


def test_writing_to_an_outsider_or_oneself_is_not_found(client: Client, alice: User, olivia: User) -> None:
    logged_in(client, alice)

    assert client.get(reverse("community:write_to", args=["acme", olivia.pk])).status_code == 404
    assert client.get(reverse("community:write_to", args=["acme", alice.pk])).status_code == 404
    assert not Conversation.objects.exists()


def test_writing_to_someone_who_blocked_you_is_refused_with_a_message(client: Client, alice: User, bob: User) -> None:
    Block.objects.create(blocker=bob, blocked=alice)

    answer = logged_in(client, alice).get(reverse("community:write_to", args=["acme", bob.pk]), follow=True)

    assert "Vous ne pouvez pas échanger de messages avec cette personne." in answer.content.decode()
    assert not Conversation.objects.exists()


def test_blocking_from_the_conversation_hides_the_form_and_unblocking_brings_it_back(
    client: Client, alice: User, bob: User, acme: Organization
) -> None:
    conversation = direct(alice, bob, acme)
    logged_in(client, alice)

    blocked = client.post(reverse("community:block", args=["acme", bob.pk]), follow=True)

    assert Block.objects.filter(blocker=alice, blocked=bob).exists()
    assert blocked.redirect_chain[-1][0] == conversation_url(conversation)
    assert 'name="body"' not in blocked.content.decode()
    assert "Débloquer" in blocked.content.decode()

    unblocked = client.post(reverse("community:unblock", args=["acme", bob.pk]), follow=True)

    assert not Block.objects.exists()
    assert 'name="body"' in unblocked.content.decode()


def test_the_blocked_person_cannot_post_from_the_page(
    client: Client, alice: User, bob: User, acme: Organization
) -> None:
    conversation = direct(alice, bob, acme)
    Block.objects.create(blocker=alice, blocked=bob)

    answer = logged_in(client, bob).post(conversation_url(conversation), {"body": "Coucou"})

    assert answer.status_code == 403
    assert not Message.objects.exists()


def test_blocking_needs_a_post_and_a_member(client: Client, alice: User, olivia: User, bob: User) -> None:
    logged_in(client, alice)

    assert client.get(reverse("community:block", args=["acme", bob.pk])).status_code == 405
    assert client.post(reverse("community:block", args=["acme", olivia.pk])).status_code == 404
    assert not Block.objects.exists()


# --- Session comments ---------------------------------------------------------------------------------------


def render_thread(user: User, acme: Organization, session: Any) -> str:
    request = RequestFactory().get("/")
    request.user = user
    membership = membership_of(user, acme)
    return render_to_string(
        "community/_session_thread.html",
        {"thread": session_thread_context(membership, session), "current_membership": membership},
        request=request,
    )


def test_commenting_a_session_redirects_to_its_comments(
    client: Client, alice: User, bob: User, acme: Organization, office: Workspace
) -> None:
    session = plan(alice, office)

    answer = logged_in(client, bob).post(
        reverse("community:session_comment", args=["acme", session.pk]), {"body": "Croissants pour tous"}
    )

    assert answer.status_code == 302
    assert answer["Location"] == reverse("planning:session", args=["acme", session.pk]) + "#comments"
    assert Message.objects.get().conversation.session == session
    assert "Croissants pour tous" in render_thread(alice, acme, session)


def test_an_empty_comment_is_shown_again_with_its_error(
    client: Client, alice: User, bob: User, office: Workspace
) -> None:
    session = plan(alice, office)

    answer = logged_in(client, bob).post(reverse("community:session_comment", args=["acme", session.pk]), {"body": ""})

    assert answer.status_code == 422
    assert "Écrivez votre message." in answer.content.decode()


def test_the_thread_include_renders_an_empty_state_and_a_form(
    alice: User, acme: Organization, office: Workspace
) -> None:
    session = plan(alice, office)

    text = render_thread(alice, acme, session)

    assert 'id="comments"' in text
    assert "Pas encore de commentaire" in text
    assert f'action="{reverse("community:session_comment", args=["acme", session.pk])}"' in text
    assert 'name="csrfmiddlewaretoken"' in text
    assert not Conversation.objects.exists()


def test_an_invitation_only_session_cannot_be_commented_by_others(
    client: Client, alice: User, bob: User, carol: User, olivia: User, acme: Organization, office: Workspace
) -> None:
    session = plan(alice, office, Visibility.INVITED)
    Participant.objects.create(session=session, user=bob, status=ParticipantStatus.INVITED)
    url = reverse("community:session_comment", args=["acme", session.pk])

    assert logged_in(client, carol).post(url, {"body": "Je peux ?"}).status_code == 404
    assert logged_in(client, olivia).post(url, {"body": "Je peux ?"}).status_code == 404
    assert logged_in(client, bob).post(url, {"body": "Avec plaisir"}).status_code == 302
    thread = Conversation.objects.get()
    # Nor read through the conversation pages.
    assert logged_in(client, carol).get(conversation_url(thread)).status_code == 404
    assert logged_in(client, bob).get(conversation_url(thread)).status_code == 302
    assert Message.objects.count() == 1


def test_the_top_bar_badge_counts_conversations_with_unread_messages(
    client: Client, alice: User, bob: User, carol: User, olivia: User, acme: Organization
) -> None:
    say(bob, acme, direct(alice, bob, acme), "Tu viens jeudi ?")
    say(carol, acme, direct(alice, carol, acme), "Réunion à 10 h")
    badge = reverse("community:messages_badge", args=["acme"])

    assert logged_in(client, alice).get(badge).text.startswith("2")
    # Nothing at all, not even a line break: the badge's CSS hides it only when it is :empty.
    assert logged_in(client, bob).get(badge).text == ""
    assert logged_in(client, olivia).get(badge).status_code == 404
