"""Retention (promise 4): a warning after 23 months without use, anonymisation after 24, both idempotent."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from coworklib.accounts.models import ApiToken, User
from coworklib.privacy.models import InactivityNotice
from coworklib.privacy.retention import ensure_retention, next_run, warn_inactive_users
from coworklib.privacy.services import erase_user

PARIS = ZoneInfo("Europe/Paris")


def last_used(user: User, days_ago: int) -> datetime:
    moment = timezone.now() - timedelta(days=days_ago)
    User.objects.filter(pk=user.pk).update(last_login=moment, date_joined=moment - timedelta(days=30))
    return moment


def test_an_account_unused_for_the_warning_period_gets_one_email(bob: User, alice: User, settings: Any) -> None:
    last_used(bob, settings.INACTIVITY_WARNING_DAYS + 1)
    last_used(alice, 3)
    assert warn_inactive_users() == 1
    assert [message.to for message in mail.outbox] == [["bob@acme.test"]]
    assert "anonymisé" in mail.outbox[0].subject
    assert warn_inactive_users() == 0
    assert len(mail.outbox) == 1
    assert InactivityNotice.objects.filter(user=bob).exists()


def test_an_account_used_a_day_after_the_threshold_is_not_warned(bob: User, settings: Any) -> None:
    last_used(bob, settings.INACTIVITY_WARNING_DAYS - 1)
    assert warn_inactive_users() == 0
    assert mail.outbox == []


def test_using_an_api_token_counts_as_activity(bob: User, settings: Any) -> None:
    last_used(bob, settings.INACTIVITY_WARNING_DAYS + 10)
    token, _raw = ApiToken.issue(user=bob, name="phone")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(days=2))
    assert warn_inactive_users() == 0


def test_coming_back_after_a_warning_starts_a_new_spell(bob: User, settings: Any) -> None:
    last_used(bob, settings.INACTIVITY_WARNING_DAYS + 1)
    warn_inactive_users()
    User.objects.filter(pk=bob.pk).update(last_login=timezone.now())
    warn_inactive_users()
    assert not InactivityNotice.objects.filter(user=bob).exists()
    last_used(bob, settings.INACTIVITY_WARNING_DAYS + 1)
    assert warn_inactive_users() == 1
    assert len(mail.outbox) == 2


def test_the_warning_is_in_the_users_language(bob: User, settings: Any) -> None:
    User.objects.filter(pk=bob.pk).update(language="en")
    last_used(bob, settings.INACTIVITY_WARNING_DAYS + 1)
    warn_inactive_users()
    assert "anonymised" in mail.outbox[0].subject
    assert "/accounts/login/" in mail.outbox[0].body


def test_a_deleted_account_is_never_warned(bob: User, settings: Any) -> None:
    erase_user(user=bob)
    last_used(bob, settings.INACTIVITY_WARNING_DAYS + 1)
    assert warn_inactive_users() == 0


def test_the_daily_run_is_planned_once_at_three_in_the_morning(db: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    assert ensure_retention() is True
    assert ensure_retention() is False
    planned = DBTaskResult.objects.get(task_path__endswith="retention_task")
    assert timezone.localtime(planned.run_after, PARIS).hour == 3


def test_the_next_run_is_tomorrow_once_today_s_has_passed() -> None:
    after = datetime(2026, 12, 5, 4, 0, tzinfo=PARIS)
    assert next_run(after) == datetime(2026, 12, 6, 3, 0, tzinfo=PARIS)
    assert next_run(datetime(2026, 12, 5, 2, 0, tzinfo=PARIS)) == datetime(2026, 12, 5, 3, 0, tzinfo=PARIS)


def test_an_inactive_only_owner_hands_the_organization_to_an_admin_before_being_anonymised(
    alice: User, bob: User, carol: User, settings: Any
) -> None:
    from coworklib.organizations.models import Membership, Role
    from coworklib.privacy.retention import erase_inactive_users

    last_used(alice, settings.INACTIVITY_ERASURE_DAYS + 1)
    InactivityNotice.objects.create(user=alice, sent_at=timezone.now() - timedelta(days=31))
    assert erase_inactive_users() == 1
    alice.refresh_from_db()
    assert alice.is_deleted
    # Carol is an admin, Bob a member: the admin takes over.
    assert Membership.objects.get(user=carol).role == Role.OWNER
    assert Membership.objects.get(user=bob).role == Role.MEMBER


def test_login_history_older_than_its_period_is_forgotten(bob: User, settings: Any) -> None:
    from coworklib.accounts.models import LoginEvent
    from coworklib.privacy.retention import forget_old_logins

    old = LoginEvent.objects.create(
        user=bob, method="web", ip_address="192.0.2.1", occurred_at=timezone.now() - timedelta(days=366)
    )
    recent = LoginEvent.objects.create(user=bob, method="web", ip_address="192.0.2.2")
    assert forget_old_logins() == 1
    assert not LoginEvent.objects.filter(pk=old.pk).exists()
    assert LoginEvent.objects.filter(pk=recent.pk).exists()


def test_a_web_login_is_recorded_in_the_login_history(client: Any, bob: User) -> None:
    from conftest import PASSWORD
    from coworklib.accounts.models import LoginEvent

    client.post("/accounts/login/", {"login": "bob@acme.test", "password": PASSWORD}, HTTP_USER_AGENT="Firefox 140")
    event = LoginEvent.objects.get(user=bob)
    assert event.method == "web" and event.user_agent == "Firefox 140" and event.ip_address == "127.0.0.1"
    assert event.session_key == client.session.session_key


def test_nobody_is_anonymised_without_being_warned_a_month_before(bob: User, alice: User, settings: Any) -> None:
    # Already past both periods the first time the job runs (a new deployment, a stopped worker).
    from coworklib.privacy.retention import run_retention

    last_used(bob, settings.INACTIVITY_ERASURE_DAYS + 100)
    last_used(alice, 1)
    start = timezone.now()
    first = run_retention(now=start)
    assert first["erased"] == 0 and first["warned"] == 1
    # The e-mail gives the real date, a month from now, not a date already past.
    with translation.override("fr"):
        assert date_format(timezone.localtime(start + timedelta(days=30)), "j F Y") in mail.outbox[0].body
    assert run_retention(now=start + timedelta(days=29))["erased"] == 0
    bob.refresh_from_db()
    assert not bob.is_deleted
    assert run_retention(now=start + timedelta(days=30, minutes=1))["erased"] == 1
    bob.refresh_from_db()
    assert bob.is_deleted


def test_an_account_that_cannot_be_erased_does_not_hold_up_the_others(
    bob: User, carol: User, settings: Any, monkeypatch: Any
) -> None:
    from coworklib.privacy import retention

    for user in (bob, carol):
        last_used(user, settings.INACTIVITY_ERASURE_DAYS + 1)
        InactivityNotice.objects.create(user=user, sent_at=timezone.now() - timedelta(days=40))
    real_erase = retention.erase_user

    def erase_except_bob(*, user: User, **kwargs: Any) -> None:
        if user.pk == bob.pk:
            raise RuntimeError("disk full")
        real_erase(user=user, **kwargs)

    monkeypatch.setattr(retention, "erase_user", erase_except_bob)
    assert retention.erase_inactive_users() == 1
    carol.refresh_from_db()
    bob.refresh_from_db()
    assert carol.is_deleted and not bob.is_deleted


def test_the_daily_run_plans_the_next_one_even_when_it_fails(db: Any, monkeypatch: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from coworklib.privacy import retention

    def broken(**kwargs: Any) -> dict[str, int]:
        raise RuntimeError("database went away")

    monkeypatch.setattr(retention, "run_retention", broken)
    with pytest.raises(RuntimeError):
        retention.retention_task.call()
    assert DBTaskResult.objects.filter(task_path__endswith="retention_task", status="READY").count() == 1
