"""The last owner under concurrency, for real: two owners demote each other at the same time.

Each thread stops right after counting the owners until the other has counted
too (or until it is clear the other is blocked on the organization's row
lock). With the lock, the second request waits, re-reads its own role and is
refused; the negative control, without the lock, shows the race the lock
prevents: both requests see two owners and the organization ends with none.
"""

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from conftest import make_member
from coworklib.core.errors import DomainError
from coworklib.organizations import services
from coworklib.organizations.models import Membership, Organization, Role

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        "postgresql" not in str(settings.DATABASES["default"]["ENGINE"]), reason="needs PostgreSQL row locks"
    ),
    pytest.mark.django_db(transaction=True),
]


def _demote_each_other(organization: Organization, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    first = make_member(organization, "first@acme.test", Role.OWNER)
    second = make_member(organization, "second@acme.test", Role.OWNER)
    both_counted = threading.Barrier(2, timeout=2)
    real_count: Callable[[Organization], int] = services.owners_count

    def count_then_wait(org: Organization) -> int:
        count = real_count(org)
        # A broken barrier means the other request is blocked on the lock: carry on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_counted.wait()
        return count

    monkeypatch.setattr(services, "owners_count", count_then_wait)
    outcomes: list[object] = []

    def demote(actor: Any, target: Any) -> None:
        try:
            by = Membership.objects.select_related("organization", "user").get(organization=organization, user=actor)
            outcomes.append(services.change_role(by=by, user_id=target.pk, role=Role.MEMBER))
        except DomainError as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(first, second)),
        threading.Thread(target=demote, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_demotions_always_leave_an_owner(acme: Organization, monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes = _demote_each_other(acme, monkeypatch)

    assert sum(isinstance(outcome, DomainError) for outcome in outcomes) == 1
    assert Membership.objects.filter(organization=acme, role=Role.OWNER).count() == 1


def test_negative_control_without_the_lock_both_demotions_win(
    acme: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "_lock_organization", lambda pk: Organization.objects.get(pk=pk))

    outcomes = _demote_each_other(acme, monkeypatch)

    assert not any(isinstance(outcome, DomainError) for outcome in outcomes)
    assert Membership.objects.filter(organization=acme, role=Role.OWNER).count() == 0
