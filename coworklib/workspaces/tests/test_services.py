"""Services and selectors as the web pages call them: roles, tenancy, archived workspaces, concurrency."""

import threading
from datetime import date
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test import Client

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.core.errors import Forbidden, InvalidInput, MfaRequired, NotFound
from coworklib.organizations.models import Organization, Role
from coworklib.workspaces import selectors, services
from coworklib.workspaces.models import Favourite, OpeningInterval, Workspace, WorkspaceView
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import call, make_workspace, membership_of


def test_a_member_cannot_use_admin_services(bob: User, acme: Organization, paris: Workspace) -> None:
    by = membership_of(bob, acme)

    with pytest.raises(Forbidden):
        services.create_workspace(by=by, name="Mine", capacity=1, timezone="UTC")
    with pytest.raises(Forbidden):
        services.update_workspace(by=by, workspace=paris, capacity=1)
    with pytest.raises(Forbidden):
        services.set_opening_hours(by=by, workspace=paris, intervals=[])
    assert Workspace.objects.count() == 1
    assert OpeningInterval.objects.filter(workspace=paris).count() == 5


def test_an_admin_of_another_organization_gets_not_found(olivia: User, globex: Organization, paris: Workspace) -> None:
    with pytest.raises(NotFound):
        services.archive_workspace(by=membership_of(olivia, globex), workspace=paris)
    paris.refresh_from_db()
    assert paris.archived_at is None


def test_admins_need_two_factor_authentication_when_the_organization_requires_it(
    carol: User, acme: Organization, paris: Workspace, client: Client
) -> None:
    acme.require_mfa_for_admins = True
    acme.save()

    with pytest.raises(MfaRequired):
        services.update_workspace(by=membership_of(carol, acme), workspace=paris, capacity=3)
    response = call(client, "PATCH", f"/workspaces/{paris.pk}", carol, {"capacity": 3})
    assert (response.status_code, response.json()["code"]) == (403, "mfa_required")

    Authenticator.objects.create(user=carol, type=Authenticator.Type.TOTP, data={})
    services.update_workspace(by=membership_of(carol, acme), workspace=paris, capacity=3)
    paris.refresh_from_db()
    assert paris.capacity == 3


def test_update_leaves_unset_fields_alone(alice: User, acme: Organization, paris: Workspace) -> None:
    services.update_workspace(by=membership_of(alice, acme), workspace=paris, city="Lyon")

    paris.refresh_from_db()
    assert (paris.city, paris.name, paris.capacity) == ("Lyon", "Paris HQ", 20)


def test_hours_problems_name_every_interval_at_fault(alice: User, acme: Organization, paris: Workspace) -> None:
    bad = [WeeklyInterval(0, 600, 500), WeeklyInterval(1, 480, 720), WeeklyInterval(1, 700, 800)]

    with pytest.raises(InvalidInput) as raised:
        services.set_opening_hours(by=membership_of(alice, acme), workspace=paris, intervals=bad)

    assert [error["loc"] for error in raised.value.extra["errors"]] == [
        ["opening_hours", 0, "closes"],
        ["opening_hours", 2, "opens"],
    ]


def test_the_selector_takes_a_membership_or_a_user(bob: User, acme: Organization, paris: Workspace) -> None:
    assert selectors.get_workspace_for_member(membership_of(bob, acme), paris.pk) == paris
    assert selectors.get_workspace_for_member(bob, str(paris.pk)) == paris


@pytest.mark.parametrize("workspace_id", [None, "", "abc", -1, 0, 2**63, "1e3", True])
def test_the_selector_refuses_what_cannot_be_an_id(bob: User, paris: Workspace, workspace_id: Any) -> None:
    with pytest.raises(NotFound):
        selectors.get_workspace_for_member(bob, workspace_id)


def test_admins_get_archived_workspaces_and_members_do_not(
    alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    services.archive_workspace(by=membership_of(alice, acme), workspace=paris)

    assert selectors.get_workspace_for_member(alice, paris.pk) == paris
    with pytest.raises(NotFound):
        selectors.get_workspace_for_member(bob, paris.pk)
    assert selectors.get_workspace_for_member(bob, paris.pk, include_archived=True) == paris


def test_free_seats_are_the_capacity_until_sessions_exist(paris: Workspace) -> None:
    assert selectors.free_seats_by_workspace([paris], date(2026, 12, 7)) == {paris.pk: 20}


def test_search_workspaces_gives_cards_for_the_web_pages(bob: User, acme: Organization, paris: Workspace) -> None:
    page = selectors.search_workspaces(membership_of(bob, acme), selectors.WorkspaceFilters(query="paris"))

    assert page.count == 1
    assert (page.items[0].workspace, page.items[0].free_seats, page.items[0].is_favourite) == (paris, 20, False)


def test_access_rule_of_lists_roles_and_members(alice: User, acme: Organization, paris: Workspace) -> None:
    dave = make_member(acme, "dave@acme.test", Role.MEMBER, first_name="Dave", last_name="Durand")
    services.set_access_rule(
        by=membership_of(alice, acme),
        workspace=paris,
        restricted=True,
        allowed_roles=[Role.MEMBER, Role.MEMBER],
        allowed_member_ids=[dave.pk],
    )

    rule = selectors.access_rule_of(paris)

    assert (rule.restricted, rule.allowed_roles, rule.allowed_members) == (True, ["member"], [dave])


# --- Concurrency (PostgreSQL: real row locks and upserts) ---------------------------------------------------


def run_together(count: int, action: Any) -> list[BaseException]:
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            action()
        except BaseException as error:  # collected for the assertion, whatever it is
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_concurrent_stars_and_views_make_one_row_each(acme: Organization, alice: User, bob: User) -> None:
    paris = make_workspace(alice, acme, "Paris HQ")

    failures = run_together(8, lambda: services.add_favourite(user=bob, workspace=paris))
    failures += run_together(8, lambda: services.record_view(user=bob, workspace=paris))

    assert failures == []
    assert Favourite.objects.filter(user=bob, workspace=paris).count() == 1
    assert WorkspaceView.objects.filter(user=bob, workspace=paris).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_concurrent_hour_changes_never_mix(acme: Organization, alice: User) -> None:
    paris = make_workspace(alice, acme, "Paris HQ")
    by = membership_of(alice, acme)
    weeks = [[WeeklyInterval(day, 60 * hour, 60 * (hour + 1)) for day in range(7)] for hour in range(8)]

    failures = run_together(
        len(weeks), lambda: services.set_opening_hours(by=by, workspace=paris, intervals=weeks.pop())
    )

    assert failures == []
    stored = sorted((row.weekday, row.opens) for row in OpeningInterval.objects.filter(workspace=paris))
    assert len(stored) == 7
    assert len({opens for _day, opens in stored}) == 1
