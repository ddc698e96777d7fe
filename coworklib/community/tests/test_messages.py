"""Messaging services and selectors: direct conversations, session threads, blocks, unread counts, limits."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.community import messaging
from coworklib.community.events import message_posted
from coworklib.community.models import Block, Conversation, ConversationMember, MemberFollow, Message
from coworklib.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.planning.models import Participant, ParticipantStatus, Session, Visibility
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import make_workspace, membership_of


def plan(organizer: User, workspace: Workspace, visibility: str = Visibility.ORGANIZATION, **fields: Any) -> Session:
    """A session tomorrow, written directly: these tests are about its thread, not about booking."""
    start = timezone.now() + timedelta(days=1)
    session = Session.objects.create(
        organization_id=workspace.organization_id,
        workspace=workspace,
        organizer=organizer,
        start=start,
        end=start + timedelta(hours=3),
        visibility=visibility,
        **fields,
    )
    Participant.objects.create(session=session, user=organizer, status=ParticipantStatus.GOING)
    return session


def direct(user: User, other: User, organization: Organization) -> Conversation:
    conversation, _created = messaging.get_or_create_direct_conversation(
        membership=membership_of(user, organization), other_user_id=other.pk
    )
    return conversation


def say(user: User, organization: Organization, conversation: Conversation, body: str) -> Message:
    return messaging.post_message(membership=membership_of(user, organization), conversation=conversation, body=body)


class Received:
    def __init__(self) -> None:
        self.message_ids: list[int] = []

    def __call__(self, sender: Any, message_id: int, **kwargs: Any) -> None:
        self.message_ids.append(message_id)


@pytest.fixture
def received() -> Any:
    receiver = Received()
    message_posted.connect(receiver, weak=False)
    yield receiver
    message_posted.disconnect(receiver)


@pytest.fixture
def office(alice: User, acme: Organization) -> Workspace:
    """Acme's office, open to every member."""
    return make_workspace(alice, acme, "Paris HQ", capacity=20)


@pytest.fixture
def dave(acme: Organization) -> User:
    return make_member(acme, "dave@acme.test", Role.MEMBER, first_name="Dave", last_name="Durand")


# --- Direct conversations -----------------------------------------------------------------------------------


def test_two_members_have_one_direct_conversation_whoever_starts_it(alice: User, bob: User, acme: Organization) -> None:
    first, created = messaging.get_or_create_direct_conversation(
        membership=membership_of(alice, acme), other_user_id=bob.pk
    )
    second, created_again = messaging.get_or_create_direct_conversation(
        membership=membership_of(bob, acme), other_user_id=alice.pk
    )

    assert created and not created_again
    assert first == second
    assert first.direct_key == f"{acme.pk}:{min(alice.pk, bob.pk)}:{max(alice.pk, bob.pk)}"
    assert set(first.members.values_list("user_id", flat=True)) == {alice.pk, bob.pk}


@pytest.mark.parametrize("who", ["outsider", "self", "nobody"])
def test_a_direct_conversation_needs_another_member_of_the_same_organization(
    who: str, alice: User, olivia: User, acme: Organization
) -> None:
    other_id = {"outsider": olivia.pk, "self": alice.pk, "nobody": 999_999}[who]

    with pytest.raises(NotFound):
        messaging.get_or_create_direct_conversation(membership=membership_of(alice, acme), other_user_id=other_id)
    assert not Conversation.objects.exists()


def test_someone_in_two_organizations_has_one_conversation_per_organization(
    alice: User, bob: User, acme: Organization, globex: Organization
) -> None:
    Membership.objects.create(organization=globex, user=alice, role=Role.MEMBER)
    Membership.objects.create(organization=globex, user=bob, role=Role.MEMBER)

    assert direct(alice, bob, acme) != direct(alice, bob, globex)


@pytest.mark.parametrize("blocker", ["caller", "other"])
def test_no_direct_conversation_starts_between_blocked_people(
    blocker: str, alice: User, bob: User, acme: Organization
) -> None:
    if blocker == "caller":
        Block.objects.create(blocker=alice, blocked=bob)
    else:
        Block.objects.create(blocker=bob, blocked=alice)

    with pytest.raises(Forbidden) as refused:
        direct(alice, bob, acme)
    assert refused.value.code == "blocked"
    assert not Conversation.objects.exists()


def test_a_conversation_of_another_organization_is_not_found(
    alice: User, bob: User, olivia: User, acme: Organization, globex: Organization
) -> None:
    conversation = direct(alice, bob, acme)
    Membership.objects.create(organization=globex, user=bob, role=Role.MEMBER)

    with pytest.raises(NotFound):
        messaging.get_conversation_for_member(membership_of(olivia, globex), conversation.pk)
    # Bob is in Globex too, but the conversation belongs to Acme.
    with pytest.raises(NotFound):
        messaging.get_conversation_for_member(membership_of(bob, globex), conversation.pk)
    assert messaging.get_conversation_for_member(membership_of(bob, acme), conversation.pk) == conversation


def test_a_colleague_outside_a_direct_conversation_cannot_read_it(
    alice: User, bob: User, carol: User, acme: Organization
) -> None:
    conversation = direct(alice, bob, acme)

    with pytest.raises(NotFound):
        messaging.get_conversation_for_member(membership_of(carol, acme), conversation.pk)
    with pytest.raises(NotFound):
        say(carol, acme, conversation, "Coucou")
    with pytest.raises(NotFound):
        messaging.mark_conversation_read(membership=membership_of(carol, acme), conversation=conversation)
    assert not ConversationMember.objects.filter(user=carol).exists()


# --- Posting ------------------------------------------------------------------------------------------------


def test_posting_strips_the_body_and_moves_the_conversation_and_the_authors_reading(
    alice: User, bob: User, acme: Organization
) -> None:
    conversation = direct(alice, bob, acme)

    message = say(alice, acme, conversation, "  Tu viens jeudi ?\r\n ")

    message.refresh_from_db()
    conversation.refresh_from_db()
    assert message.body == "Tu viens jeudi ?"
    assert message.author == alice
    assert conversation.last_message_at == message.created_at
    assert ConversationMember.objects.get(conversation=conversation, user=alice).last_read_at == message.created_at
    assert ConversationMember.objects.get(conversation=conversation, user=bob).last_read_at is None


@pytest.mark.parametrize("body", ["", "   \n\t ", "x" * 4001, "nul\x00", 42])
def test_an_empty_too_long_or_unprintable_message_is_refused(
    body: Any, alice: User, bob: User, acme: Organization
) -> None:
    conversation = direct(alice, bob, acme)

    with pytest.raises(InvalidInput) as refused:
        say(alice, acme, conversation, body)
    assert refused.value.extra["errors"][0]["loc"] == ["body"]
    assert not Message.objects.exists()


def test_a_message_of_the_longest_length_is_accepted(alice: User, bob: User, acme: Organization) -> None:
    say(alice, acme, direct(alice, bob, acme), "x" * 4000 + "   ")

    assert len(Message.objects.get().body) == 4000


@pytest.mark.parametrize("blocker", ["author", "recipient"])
def test_a_blocked_member_cannot_write_in_an_existing_conversation(
    blocker: str, alice: User, bob: User, acme: Organization
) -> None:
    conversation = direct(alice, bob, acme)
    messaging.block_member(
        membership=membership_of(bob if blocker == "recipient" else alice, acme),
        user_id=(alice if blocker == "recipient" else bob).pk,
    )

    with pytest.raises(Forbidden) as refused:
        say(alice, acme, conversation, "Coucou")
    assert refused.value.code == "blocked"
    assert not Message.objects.exists()


def test_no_message_goes_to_someone_who_left_the_organization(alice: User, bob: User, acme: Organization) -> None:
    conversation = direct(alice, bob, acme)
    Membership.objects.filter(user=bob, organization=acme).delete()

    with pytest.raises(Conflict) as refused:
        say(alice, acme, conversation, "Tu es là ?")
    assert refused.value.code == "not_a_member"


def test_message_posted_is_announced_on_commit(
    alice: User, bob: User, acme: Organization, received: Received, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = direct(alice, bob, acme)

    with django_capture_on_commit_callbacks(execute=True):
        message = say(alice, acme, conversation, "Salut")
        assert received.message_ids == []

    assert received.message_ids == [message.pk]


def test_a_message_rolled_back_announces_nothing(
    alice: User, bob: User, acme: Organization, received: Received, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    conversation = direct(alice, bob, acme)

    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Abort), transaction.atomic():
        say(alice, acme, conversation, "Salut")
        raise Abort

    assert callbacks == []
    assert received.message_ids == []
    assert not Message.objects.exists()


def test_posting_is_limited_per_minute(
    alice: User, bob: User, acme: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messaging, "MESSAGES_PER_MINUTE", 3)
    conversation = direct(alice, bob, acme)
    for number in range(3):
        say(alice, acme, conversation, f"Message {number}")

    with pytest.raises(messaging.MessagesThrottled) as refused:
        say(alice, acme, conversation, "Un de trop")

    assert refused.value.status == 429
    assert 0 < refused.value.retry_after <= 60
    assert Message.objects.count() == 3
    # The limit is the author's: Bob still writes.
    say(bob, acme, conversation, "Moi je peux")


def test_posting_is_limited_per_day(
    alice: User, bob: User, acme: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messaging, "MESSAGES_PER_DAY", 2)
    conversation = direct(alice, bob, acme)
    say(alice, acme, conversation, "Un")
    say(alice, acme, conversation, "Deux")

    with pytest.raises(messaging.MessagesThrottled) as refused:
        say(alice, acme, conversation, "Trois")

    assert refused.value.retry_after > 3600


def test_a_refused_message_does_not_use_the_allowance(
    alice: User, bob: User, acme: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messaging, "MESSAGES_PER_MINUTE", 1)
    conversation = direct(alice, bob, acme)
    with pytest.raises(InvalidInput):
        say(alice, acme, conversation, " ")

    say(alice, acme, conversation, "Bonjour")


# --- Lists, unread counts, reading -------------------------------------------------------------------------


def test_conversations_come_latest_first_with_the_other_person_last_message_and_unread_count(
    alice: User, bob: User, carol: User, dave: User, acme: Organization
) -> None:
    with_bob = direct(alice, bob, acme)
    with_carol = direct(alice, carol, acme)
    direct(alice, dave, acme)  # never written in: not listed
    say(bob, acme, with_bob, "Un")
    say(bob, acme, with_bob, "Deux")
    say(alice, acme, with_carol, "Bonjour Carol")

    page = messaging.conversations_of(membership_of(alice, acme))

    assert page.count == 2
    assert [row.conversation for row in page.items] == [with_carol, with_bob]
    assert [row.other for row in page.items] == [carol, bob]
    assert [row.last_message.body for row in page.items if row.last_message] == ["Bonjour Carol", "Deux"]
    assert [row.unread for row in page.items] == [0, 2]
    assert messaging.unread_conversation_count(membership_of(alice, acme)) == 1
    assert messaging.unread_conversation_count(membership_of(carol, acme)) == 1


def test_reading_a_conversation_clears_its_unread_count(alice: User, bob: User, acme: Organization) -> None:
    conversation = direct(alice, bob, acme)
    say(bob, acme, conversation, "Tu viens ?")

    messaging.mark_conversation_read(membership=membership_of(alice, acme), conversation=conversation)

    assert messaging.unread_conversation_count(membership_of(alice, acme)) == 0
    assert messaging.conversations_of(membership_of(alice, acme)).items[0].unread == 0
    say(bob, acme, conversation, "Alors ?")
    assert messaging.conversations_of(membership_of(alice, acme)).items[0].unread == 1


def test_the_list_of_conversations_takes_the_same_queries_for_one_or_many(
    alice: User, bob: User, acme: Organization, django_assert_max_num_queries: Any
) -> None:
    say(bob, acme, direct(alice, bob, acme), "Un")
    for number in range(6):
        colleague = make_member(acme, f"colleague{number}@acme.test")
        say(colleague, acme, direct(alice, colleague, acme), f"Message {number}")
    membership = membership_of(alice, acme)

    with django_assert_max_num_queries(4):
        page = messaging.conversations_of(membership)
        names = [(row.other_name, row.last_message and row.last_message.body, row.unread) for row in page.items]
    with django_assert_max_num_queries(1):
        assert messaging.unread_conversation_count(membership) == 7

    assert len(names) == 7


def test_a_conversation_is_listed_only_in_its_organization(
    alice: User, bob: User, acme: Organization, globex: Organization
) -> None:
    Membership.objects.create(organization=globex, user=alice, role=Role.MEMBER)
    say(bob, acme, direct(alice, bob, acme), "Côté Acme")

    assert messaging.conversations_of(membership_of(alice, globex)).count == 0
    assert messaging.unread_conversation_count(membership_of(alice, globex)) == 0


def test_messages_come_oldest_first_and_the_newest_page_by_default(alice: User, bob: User, acme: Organization) -> None:
    conversation = direct(alice, bob, acme)
    for number in range(5):
        say(alice if number % 2 else bob, acme, conversation, f"Message {number}")

    newest = messaging.messages_of(conversation, reader_id=alice.pk, limit=2)
    oldest = messaging.messages_of(conversation, reader_id=alice.pk, limit=2, offset=0)

    assert [m.body for m in newest.items] == ["Message 3", "Message 4"]
    assert (newest.count, newest.offset, newest.has_earlier, newest.has_later) == (5, 3, True, False)
    assert [m.body for m in oldest.items] == ["Message 0", "Message 1"]


def test_messages_of_someone_the_reader_blocked_are_hidden_from_the_reader_only(
    alice: User, bob: User, carol: User, acme: Organization, office: Workspace
) -> None:
    thread = messaging.session_thread(membership_of(alice, acme), plan(alice, office))
    say(bob, acme, thread, "Je viens")
    say(carol, acme, thread, "Moi aussi")
    messaging.block_member(membership=membership_of(alice, acme), user_id=bob.pk)

    assert [m.body for m in messaging.messages_of(thread, reader_id=alice.pk).items] == ["Moi aussi"]
    assert [m.body for m in messaging.messages_of(thread, reader_id=carol.pk).items] == ["Je viens", "Moi aussi"]


def test_a_blocked_persons_messages_count_neither_as_unread_nor_as_last_message(
    alice: User, bob: User, acme: Organization
) -> None:
    conversation = direct(alice, bob, acme)
    say(alice, acme, conversation, "Ma question")
    say(bob, acme, conversation, "Sa réponse")
    messaging.block_member(membership=membership_of(alice, acme), user_id=bob.pk)

    row = messaging.conversations_of(membership_of(alice, acme)).items[0]

    assert row.unread == 0
    assert row.last_message is not None and row.last_message.body == "Ma question"
    assert messaging.unread_conversation_count(membership_of(alice, acme)) == 0


def test_a_deleted_author_shows_as_deleted_user(alice: User, bob: User, acme: Organization) -> None:
    conversation = direct(alice, bob, acme)
    message = say(bob, acme, conversation, "Au revoir")
    bob.delete()

    message.refresh_from_db()
    with translation.override("fr"):
        assert messaging.author_name(message) == "Utilisateur supprimé"
        shown = messaging.messages_of(conversation, reader_id=alice.pk).items
        assert [messaging.author_name(m) for m in shown] == ["Utilisateur supprimé"]
        row = messaging.conversations_of(membership_of(alice, acme)).items[0]
        assert row.other is None and row.other_name == "Utilisateur supprimé"


# --- Session threads ----------------------------------------------------------------------------------------


def test_a_session_has_one_thread(alice: User, bob: User, acme: Organization, office: Workspace) -> None:
    session = plan(alice, office)

    first = messaging.session_thread(membership_of(alice, acme), session)
    second = messaging.session_thread(membership_of(bob, acme), session)

    assert first == second
    assert first.kind == "session" and first.organization_id == acme.pk


def test_an_invitation_only_sessions_thread_is_for_its_people_only(
    alice: User, bob: User, carol: User, acme: Organization, office: Workspace
) -> None:
    session = plan(alice, office, Visibility.INVITED)
    Participant.objects.create(session=session, user=bob, status=ParticipantStatus.INVITED)
    thread = messaging.session_thread(membership_of(alice, acme), session)
    say(bob, acme, thread, "J'arrive")

    assert messaging.get_conversation_for_member(membership_of(bob, acme), thread.pk) == thread
    with pytest.raises(NotFound):
        messaging.get_conversation_for_member(membership_of(carol, acme), thread.pk)


def test_a_sessions_thread_is_not_found_from_another_organization(
    alice: User, olivia: User, acme: Organization, globex: Organization, office: Workspace
) -> None:
    thread = messaging.session_thread(membership_of(alice, acme), plan(alice, office))

    with pytest.raises(NotFound):
        messaging.get_conversation_for_member(membership_of(olivia, globex), thread.pk)
    with pytest.raises(NotFound):
        messaging.get_membership_and_conversation(olivia, thread.pk)


def test_commenting_a_session_creates_the_readers_row_and_blocks_do_not_silence_a_thread(
    alice: User, bob: User, acme: Organization, office: Workspace
) -> None:
    thread = messaging.session_thread(membership_of(alice, acme), plan(alice, office))
    messaging.block_member(membership=membership_of(alice, acme), user_id=bob.pk)

    say(bob, acme, thread, "Je viens quand même")

    assert ConversationMember.objects.filter(conversation=thread, user=bob).exists()
    assert Message.objects.filter(conversation=thread).count() == 1


# --- Blocks -------------------------------------------------------------------------------------------------


def test_blocking_is_idempotent_and_ends_the_blocked_persons_follow(alice: User, bob: User, acme: Organization) -> None:
    MemberFollow.objects.create(organization=acme, follower=bob, followed=alice)
    MemberFollow.objects.create(organization=acme, follower=alice, followed=bob)

    _block, created = messaging.block_member(membership=membership_of(alice, acme), user_id=bob.pk)
    _again, created_again = messaging.block_member(membership=membership_of(alice, acme), user_id=bob.pk)

    assert created and not created_again
    assert messaging.blocked_user_ids(alice.pk) == {bob.pk}
    assert list(MemberFollow.objects.values_list("follower_id", flat=True)) == [alice.pk]


def test_blocking_needs_a_member_of_the_organization(alice: User, olivia: User, acme: Organization) -> None:
    with pytest.raises(NotFound):
        messaging.block_member(membership=membership_of(alice, acme), user_id=olivia.pk)
    with pytest.raises(InvalidInput):
        messaging.block_member(membership=membership_of(alice, acme), user_id=alice.pk)
    assert not Block.objects.exists()


def test_unblocking_lets_them_write_again(alice: User, bob: User, acme: Organization) -> None:
    conversation = direct(alice, bob, acme)
    messaging.block_member(membership=membership_of(alice, acme), user_id=bob.pk)

    messaging.unblock_member(membership=membership_of(alice, acme), user_id=bob.pk)
    messaging.unblock_member(membership=membership_of(alice, acme), user_id=bob.pk)

    say(bob, acme, conversation, "Merci")
    assert not Block.objects.exists()


def test_unblocking_someone_outside_the_organization_is_not_found_unless_they_were_blocked(
    alice: User, bob: User, olivia: User, acme: Organization
) -> None:
    with pytest.raises(NotFound):
        messaging.unblock_member(membership=membership_of(alice, acme), user_id=olivia.pk)

    messaging.block_member(membership=membership_of(alice, acme), user_id=bob.pk)
    Membership.objects.filter(user=bob, organization=acme).delete()
    messaging.unblock_member(membership=membership_of(alice, acme), user_id=bob.pk)
    assert not Block.objects.exists()
