"""Each kind of event reaches the right people through the worker: changes and cancellations, messages, join
requests, news (opt-in only), and web push through the outbox (a gone subscription is removed)."""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from conftest import make_member, make_user
from coworklib.accounts.models import User
from coworklib.community import messaging
from coworklib.notifications import delivery, fanout, services
from coworklib.notifications.models import (
    Delivery,
    DeliveryStatus,
    News,
    Notification,
    NotificationType,
    PushSubscription,
)
from coworklib.notifications.news import send_news
from coworklib.notifications.tests.conftest import Browser, PushService
from coworklib.organizations import services as organization_services
from coworklib.organizations.models import Organization
from coworklib.planning import services as planning_services
from coworklib.planning.models import Session
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import make_workspace, membership_of

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker() -> None:
    call_command("worker", "--batch", verbosity=0)


@pytest.fixture
def paris(alice: User, acme: Organization) -> Workspace:
    return make_workspace(alice, acme, "Paris HQ")


def plan(user: User, organization: Organization, workspace: Workspace, **extra: Any) -> Session:
    start = (timezone.now() + timedelta(days=2)).replace(hour=8, minute=0, second=0, microsecond=0)
    return planning_services.create_session(
        by=membership_of(user, organization), workspace=workspace, start=start, end=start + timedelta(hours=8), **extra
    )


def types_of(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("type", flat=True))


def test_the_people_of_a_session_are_told_it_moved_then_was_cancelled(
    alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    session = plan(alice, acme, paris, invitee_ids=[bob.pk, carol.pk])
    run_worker()
    planning_services.decline_session(by=membership_of(carol, acme), session=session)
    planning_services.update_session(
        by=membership_of(alice, acme), session=session, start=session.start + timedelta(hours=1), end=session.end
    )
    run_worker()
    planning_services.cancel_session(by=membership_of(alice, acme), session=session)
    run_worker()

    assert types_of(bob) == [
        NotificationType.SESSION_INVITATION,
        NotificationType.SESSION_CHANGED,
        NotificationType.SESSION_CANCELLED,
    ]
    # Carol declined: the invitation only. Alice did it all: nothing.
    assert types_of(carol) == [NotificationType.SESSION_INVITATION]
    assert types_of(alice) == []
    changed = Notification.objects.get(recipient=bob, type=NotificationType.SESSION_CHANGED)
    assert changed.data["changes"] == ["start"]


def test_what_was_cancelled_before_the_worker_ran_is_only_told_as_cancelled(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    session = plan(alice, acme, paris, invitee_ids=[bob.pk])
    planning_services.cancel_session(by=membership_of(alice, acme), session=session)
    run_worker()
    assert types_of(bob) == [NotificationType.SESSION_CANCELLED]


def test_a_direct_message_tells_the_other_person_unless_they_blocked_the_author(
    alice: User, bob: User, carol: User, acme: Organization
) -> None:
    to_bob, _created = messaging.get_or_create_direct_conversation(
        membership=membership_of(alice, acme), other_user_id=bob.pk
    )
    messaging.post_message(membership=membership_of(alice, acme), conversation=to_bob, body="Tu viens jeudi ?")
    run_worker()
    [told] = Notification.objects.filter(recipient=bob)
    assert (told.type, told.target_id, told.actor_id) == (NotificationType.NEW_MESSAGE, to_bob.pk, alice.pk)
    assert types_of(alice) == []

    to_carol, _created = messaging.get_or_create_direct_conversation(
        membership=membership_of(alice, acme), other_user_id=carol.pk
    )
    messaging.post_message(membership=membership_of(alice, acme), conversation=to_carol, body="Salut")
    messaging.block_member(membership=membership_of(carol, acme), user_id=alice.pk)
    Notification.objects.all().delete()
    last = to_carol.messages.latest("id")
    assert fanout.message_posted(message_id=last.pk) == 0


def test_a_comment_tells_the_sessions_people(alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    session = plan(alice, acme, paris, invitee_ids=[bob.pk])
    thread = messaging.session_thread(membership_of(bob, acme), session)
    messaging.post_message(membership=membership_of(bob, acme), conversation=thread, body="J'apporte les croissants")
    run_worker()
    assert NotificationType.NEW_MESSAGE in types_of(alice)
    assert NotificationType.NEW_MESSAGE not in types_of(bob)


def test_admins_are_told_of_a_join_request(alice: User, carol: User, bob: User, acme: Organization) -> None:
    acme.allow_join_requests = True
    acme.save(update_fields=["allow_join_requests"])
    newcomer = make_user("newcomer@elsewhere.test", first_name="Nina", last_name="Nouveau")
    organization_services.request_to_join(user=newcomer, org_ref="acme", message="Bonjour")
    run_worker()
    assert types_of(alice) == [NotificationType.JOIN_REQUEST]
    assert types_of(carol) == [NotificationType.JOIN_REQUEST]
    assert types_of(bob) == []


def test_news_go_only_to_who_opted_in_and_did_not_restrict_processing(
    alice: User, bob: User, carol: User, acme: Organization
) -> None:
    services.update_settings(user=bob, news=True)
    services.update_settings(user=carol, news=True)
    carol.processing_restricted_at = timezone.now()
    carol.save(update_fields=["processing_restricted_at"])
    news = News.objects.create(subject_fr="Nouveau", subject_en="New", body_fr="Du nouveau", body_en="Something new")

    assert send_news(news) == 1
    assert send_news(news) == 0  # once each
    run_worker()
    [message] = mail.outbox
    assert message.to == [bob.email]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_push_goes_through_the_outbox_and_a_gone_subscription_is_removed(
    alice: User,
    bob: User,
    acme: Organization,
    paris: Workspace,
    push_service: PushService,
    subscriber: Browser,
) -> None:
    subscription = PushSubscription.objects.create(
        user=bob, endpoint=push_service.endpoint("bob"), p256dh=subscriber.p256dh, auth=subscriber.auth
    )
    plan(alice, acme, paris, invitee_ids=[bob.pk])
    run_worker()
    [received] = push_service.received
    payload = subscriber.decrypt(received.body)
    assert payload["title"] == "Invitation à une session"
    assert payload["url"].startswith("/o/acme/sessions/")
    assert Delivery.objects.get(push_subscription=subscription).status == DeliveryStatus.SENT

    push_service.status = 410
    session = Session.objects.get()
    planning_services.cancel_session(by=membership_of(alice, acme), session=session)
    run_worker()
    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()
    assert delivery.send_push_batch() == 0


def test_a_member_who_left_is_not_e_mailed(alice: User, acme: Organization, paris: Workspace) -> None:
    leaver = make_member(acme, "leaver@acme.test")
    session = plan(alice, acme, paris, invitee_ids=[leaver.pk])
    fanout.participants_invited(session_id=session.pk, by_user_id=alice.pk, user_ids=[leaver.pk])
    organization_services.leave_organization(membership=membership_of(leaver, acme))
    run_worker()
    assert all(leaver.email not in message.to for message in mail.outbox)
