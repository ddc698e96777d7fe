"""Notifications end to end: a change commits, the worker fans it out, the in-app list, the e-mails through a
real SMTP server (aiosmtpd), exactly once, retried with backoff, never about what the recipient may not see."""

import email
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import Message as EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.community import services as community_services
from coworklib.notifications import delivery, preferences, services, tasks
from coworklib.notifications.emails import unsubscribe_token
from coworklib.notifications.models import Channel, Delivery, DeliveryStatus, Notification, NotificationType
from coworklib.organizations.models import Organization
from coworklib.planning import services as planning_services
from coworklib.planning.models import Session, Visibility
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import call, make_workspace, membership_of

# The worker commits and closes its connection like a real one: these tests run outside a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)
PARIS = ZoneInfo("Europe/Paris")


class Mailbox:
    """An SMTP server on localhost that keeps what it is sent, or answers `refuse` (an SMTP reply) instead."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return self.refuse
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    with socket.socket() as probe:  # a free port: aiosmtpd cannot be told to pick one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    yield mailbox
    controller.stop()


def part(message: EmailMessage, content_type: str) -> str:
    found = next(p for p in message.walk() if p.get_content_type() == content_type)
    payload = found.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def subject(message: EmailMessage) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def run_worker() -> None:
    call_command("worker", "--batch", verbosity=0)


@pytest.fixture
def paris(alice: User, acme: Organization) -> Workspace:
    return make_workspace(alice, acme, "Paris HQ")


@pytest.fixture
def dave(acme: Organization) -> User:
    return make_member(acme, "dave@acme.test", first_name="Dave", last_name="Dupont")


def plan(user: User, organization: Organization, workspace: Workspace, days: int = 2, **extra: Any) -> Session:
    start = (timezone.now() + timedelta(days=days)).replace(hour=8, minute=0, second=0, microsecond=0)
    return planning_services.create_session(
        by=membership_of(user, organization), workspace=workspace, start=start, end=start + timedelta(hours=8), **extra
    )


def follow(user: User, organization: Organization, workspace: Workspace) -> None:
    community_services.follow_workspace(membership=membership_of(user, organization), workspace=workspace)


def test_followers_of_a_workspace_are_told_of_a_new_session(
    client: Client,
    alice: User,
    bob: User,
    acme: Organization,
    paris: Workspace,
    django_capture_on_commit_callbacks: Any,
) -> None:
    follow(bob, acme, paris)
    with django_capture_on_commit_callbacks(execute=True):
        session = plan(alice, acme, paris)
    run_worker()

    body = call(client, "GET", "/me/notifications?unread=true", bob).json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["type"] == "followed_workspace_session"
    assert item["read"] is False
    assert item["target"] == {"type": "session", "id": session.pk}
    assert "Alice Arnaud a planifié une session à Paris HQ" in item["text"]
    assert item["created_at"].endswith(("+00:00", "Z"))
    # The organizer is not told about what they did.
    assert call(client, "GET", "/me/notifications", alice).json()["count"] == 0


def test_a_rolled_back_change_notifies_nobody(bob: User, dave: User, acme: Organization) -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        community_services.create_group(membership=membership_of(bob, acme), name="Design", member_ids=[dave.pk])
        raise Abort
    run_worker()
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_nobody_is_told_about_what_they_may_not_see(
    alice: User,
    bob: User,
    dave: User,
    olivia: User,
    acme: Organization,
    paris: Workspace,
    django_capture_on_commit_callbacks: Any,
) -> None:
    secret = make_workspace(alice, acme, "Direction")
    follow(bob, acme, secret)
    follow(dave, acme, paris)
    # Bob lost access after following; Dave follows Paris but the session is for invited people only.
    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=secret, restricted=True)
    with django_capture_on_commit_callbacks(execute=True):
        plan(alice, acme, secret)
        plan(alice, acme, paris, days=3, visibility=Visibility.INVITED)
    run_worker()
    assert not Notification.objects.filter(recipient__in=[bob, dave, olivia]).exists()


def test_one_reason_per_person_the_closest_one(
    alice: User, bob: User, acme: Organization, paris: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    follow(bob, acme, paris)
    community_services.follow_member(membership=membership_of(bob, acme), user_id=alice.pk)
    with django_capture_on_commit_callbacks(execute=True):
        plan(alice, acme, paris)
    run_worker()
    assert list(Notification.objects.filter(recipient=bob).values_list("type", flat=True)) == [
        NotificationType.FOLLOWED_MEMBER_SESSION
    ]


def test_an_invitation_is_e_mailed_once_with_its_calendar_and_an_unsubscribe_link(
    smtp: Mailbox, alice: User, bob: User, acme: Organization, paris: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        plan(alice, acme, paris, invitee_ids=[bob.pk])
    run_worker()
    run_worker()  # a second run finds the e-mail sent and sends nothing

    [message] = smtp.messages
    assert message["To"] == bob.email
    assert "Invitation à une session" in subject(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= set(parts)
    assert b"BEGIN:VEVENT" in parts["text/calendar"].get_payload(decode=True)
    assert Delivery.objects.get(channel=Channel.EMAIL).status == DeliveryStatus.SENT


def test_a_refused_e_mail_is_retried_later_then_given_up(
    smtp: Mailbox, alice: User, bob: User, acme: Organization, paris: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    smtp.refuse = "451 4.3.0 Try again later"
    with django_capture_on_commit_callbacks(execute=True):
        plan(alice, acme, paris, invitee_ids=[bob.pk])
    run_worker()
    row = Delivery.objects.get(channel=Channel.EMAIL)
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 1)
    assert row.next_attempt_at > timezone.now()
    assert "451" in row.last_error

    smtp.refuse = ""
    assert delivery.send_email_batch(now=row.next_attempt_at) == 1
    assert len(smtp.messages) == 1
    assert delivery.send_email_batch(now=row.next_attempt_at + timedelta(hours=1)) == 0


def test_a_permanent_refusal_is_not_retried(
    smtp: Mailbox, alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    smtp.refuse = "550 5.1.1 No such mailbox"
    plan(alice, acme, paris, invitee_ids=[bob.pk])
    run_worker()
    row = Delivery.objects.get(channel=Channel.EMAIL)
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 1)
    assert "550" in row.last_error


def test_a_send_interrupted_midway_is_not_sent_again(alice: User, bob: User, acme: Organization) -> None:
    notification = Notification.objects.create(
        recipient=bob,
        organization=acme,
        type=NotificationType.GROUP_ADDED,
        target_type="group",
        target_id=1,
        created_at=timezone.now(),
    )
    row = Delivery.objects.create(
        channel=Channel.EMAIL,
        recipient=bob,
        notification=notification,
        status=DeliveryStatus.SENDING,
        claimed_until=timezone.now() - timedelta(seconds=1),
        next_attempt_at=timezone.now(),
    )
    assert delivery.send_email_batch() == 0
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED
    assert mail.outbox == []


def test_a_member_added_to_a_group_is_told_in_their_language(
    smtp: Mailbox, bob: User, dave: User, acme: Organization, django_capture_on_commit_callbacks: Any
) -> None:
    dave.language = "en"
    dave.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        community_services.create_group(membership=membership_of(bob, acme), name="Design", member_ids=[dave.pk])
    run_worker()
    [message] = smtp.messages
    text = part(message, "text/plain")
    assert 'Bob Bernard added you to the group "Design".' in text and text.startswith("Hello Dave,")


def test_the_digest_replaces_single_e_mails_with_one(
    smtp: Mailbox, alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    morning = datetime(2026, 12, 10, 9, 0, tzinfo=PARIS)
    with time_machine.travel(morning.replace(hour=8), tick=False):
        services.update_settings(user=bob, digest_enabled=True, digest_hour=18)
    with time_machine.travel(morning, tick=False):
        plan(alice, acme, paris, invitee_ids=[bob.pk])
        plan(alice, acme, paris, days=3, invitee_ids=[bob.pk])
        run_worker()
    assert smtp.messages == []  # no single e-mail: they wait for the digest

    with time_machine.travel(morning.replace(hour=17, minute=59), tick=False):
        assert tasks.write_digests() == 0  # not its hour yet
    with time_machine.travel(morning.replace(hour=18, minute=1), tick=False):
        run_worker()
        assert tasks.write_digests() == 0  # once a day
    [digest] = smtp.messages
    assert "résumé" in subject(digest)
    html = part(digest, "text/html")
    assert html.count("Invitation à une session") == 2


def test_turning_a_type_off_by_e_mail_keeps_it_in_the_app(
    smtp: Mailbox, alice: User, bob: User, acme: Organization, paris: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    preferences.set_preferences(user=bob, choices={(NotificationType.SESSION_INVITATION, Channel.EMAIL): False})
    with django_capture_on_commit_callbacks(execute=True):
        plan(alice, acme, paris, invitee_ids=[bob.pk])
    run_worker()
    assert smtp.messages == []
    assert Notification.objects.filter(recipient=bob, type=NotificationType.SESSION_INVITATION).count() == 1


def test_the_unsubscribe_link_works_without_logging_in(client: Client, bob: User) -> None:
    token = unsubscribe_token(bob.pk, NotificationType.SESSION_INVITATION)
    page = client.get(f"/notifications/unsubscribe/{token}/")
    assert page.status_code == 200 and "Se désabonner" in page.text
    assert preferences.enabled_channels([bob.pk], NotificationType.SESSION_INVITATION)[bob.pk] >= {Channel.EMAIL}

    done = client.post(f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert Channel.EMAIL not in preferences.enabled_channels([bob.pk], NotificationType.SESSION_INVITATION)[bob.pk]
    assert client.get("/notifications/unsubscribe/forged/").status_code == 404


def test_reading_notifications_from_the_list_and_the_api(
    client: Client,
    alice: User,
    bob: User,
    acme: Organization,
    paris: Workspace,
    django_capture_on_commit_callbacks: Any,
) -> None:
    follow(bob, acme, paris)
    with django_capture_on_commit_callbacks(execute=True):
        first = plan(alice, acme, paris)
        plan(alice, acme, paris, days=3)
    run_worker()
    client.force_login(bob)
    page = client.get("/notifications/")
    assert page.status_code == 200 and page.text.count("Nouvelle session à Paris HQ") == 2
    assert client.get("/notifications/badge/").text.startswith("2")
    client.force_login(alice)
    assert client.get("/notifications/badge/").text == ""  # :empty, so the CSS hides it
    client.force_login(bob)

    opened = Notification.objects.get(recipient=bob, target_id=first.pk)
    response = client.post(f"/notifications/{opened.pk}/open/")
    assert response["Location"] == f"/o/acme/sessions/{first.pk}/"
    assert call(client, "GET", "/me/notifications?unread=true", bob).json()["count"] == 1

    assert call(client, "POST", "/me/notifications/read-all", bob).status_code == 204
    assert call(client, "GET", "/me/notifications?unread=true", bob).json()["count"] == 0
    # Someone else's notification is not found.
    assert call(client, "POST", f"/me/notifications/{opened.pk}/read", alice).status_code == 404


def test_settings_from_the_page_and_the_api(client: Client, bob: User) -> None:
    client.force_login(bob)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200 and "Invitation à une session" in page.text
    client.post(
        "/notifications/settings/",
        {"pref:session_invitation:in_app": "on", "reminder_lead": "hour_before", "digest_hour": "7", "news": "on"},
    )
    body = call(client, "GET", "/me/notification-settings", bob).json()
    invitation = next(row for row in body["preferences"] if row["type"] == "session_invitation")
    assert invitation["channels"] == {"in_app": True, "email": False, "push": False}
    assert (body["reminder_lead"], body["digest_hour"], body["news"]) == ("hour_before", 7, True)

    patched = call(
        client,
        "PATCH",
        "/me/notification-settings",
        bob,
        {"preferences": [{"type": "session_invitation", "channel": "email", "enabled": True}], "news": False},
    )
    assert patched.status_code == 200 and patched.json()["news"] is False
    assert call(client, "PATCH", "/me/notification-settings", bob, {"digest_hour": 24}).status_code == 422
    bad_type = {"preferences": [{"type": "nope", "channel": "email", "enabled": True}]}
    assert call(client, "PATCH", "/me/notification-settings", bob, bad_type).status_code == 422


def test_a_reminder_is_planned_at_the_time_chosen(
    alice: User, acme: Organization, paris: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        session = plan(alice, acme, paris)
    run_worker()
    from django_tasks_db.models import DBTaskResult

    reminder = DBTaskResult.objects.get(task_path__endswith="reminder_task", status="READY")
    assert reminder.run_after == tasks.reminder_time(session, "evening_before")
    assert tasks.reminder_task.call(session.pk, alice.pk, session.start.isoformat(), "evening_before") == 1
    assert tasks.reminder_task.call(session.pk, alice.pk, session.start.isoformat(), "evening_before") == 0


def test_a_task_its_dead_worker_left_running_is_run_again(bob: User, dave: User, acme: Organization) -> None:
    from django_tasks_db.models import DBTaskResult

    community_services.create_group(membership=membership_of(bob, acme), name="Design", member_ids=[dave.pk])
    fan_out = DBTaskResult.objects.get(task_path__endswith="fan_out_task")
    # A worker took it, then died: django-tasks-db leaves it RUNNING for good.
    DBTaskResult.objects.filter(pk=fan_out.pk).update(
        status="RUNNING", started_at=timezone.now() - tasks.STALLED_AFTER - timedelta(minutes=1)
    )
    run_worker()
    assert Notification.objects.filter(recipient=dave, type=NotificationType.GROUP_ADDED).count() == 1
    fresh = DBTaskResult.objects.filter(pk=fan_out.pk).update(status="RUNNING", started_at=timezone.now())
    assert fresh == 1 and tasks.recover_stalled_tasks() == 0  # one still in the hands of a live worker stays
