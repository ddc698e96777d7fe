"""Access rules granted to groups: their current members see and use the workspace, nobody else does."""

from datetime import datetime, time
from typing import Any

import pytest
from django.test import Client

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.community.models import Group, GroupMembership
from coworklib.core.errors import NotFound
from coworklib.organizations.models import Organization, Role
from coworklib.planning.models import Session
from coworklib.workspaces import selectors, services
from coworklib.workspaces.models import Workspace, WorkspaceAccessGrant
from coworklib.workspaces.tests.factories import NEXT_MONDAY, PARIS, call, make_workspace, membership_of

# A Monday ahead of today, whatever day the tests run.
MONDAY_9 = datetime.combine(NEXT_MONDAY, time(9), tzinfo=PARIS).isoformat()
MONDAY_17 = datetime.combine(NEXT_MONDAY, time(17), tzinfo=PARIS).isoformat()


@pytest.fixture
def dave(acme: Organization) -> User:
    return make_member(acme, "dave@acme.test", Role.MEMBER, first_name="Dave", last_name="Durand")


@pytest.fixture
def erin(acme: Organization) -> User:
    return make_member(acme, "erin@acme.test", Role.MEMBER, first_name="Erin", last_name="Espinasse")


@pytest.fixture
def team(acme: Organization, bob: User) -> Group:
    group = Group.objects.create(organization=acme, name="Équipe produit", created_by=bob)
    GroupMembership.objects.create(group=group, user=bob)
    return group


@pytest.fixture
def lab(alice: User, acme: Organization, team: Group) -> Workspace:
    """Acme's lab, open every day, restricted to the product team."""
    workspace = make_workspace(alice, acme, "Labo", capacity=6, city="Paris")
    services.set_access_rule(
        by=membership_of(alice, acme), workspace=workspace, restricted=True, allowed_group_ids=[team.pk]
    )
    return workspace


def visible_ids(user: User, organization: Organization) -> set[int]:
    return set(selectors.visible_workspaces(membership_of(user, organization)).values_list("pk", flat=True))


# --- Services and selectors -----------------------------------------------------------------------------------


def test_a_group_grant_lets_its_members_in_only(
    acme: Organization, bob: User, dave: User, lab: Workspace, team: Group
) -> None:
    assert lab.pk in visible_ids(bob, acme)
    assert lab.pk not in visible_ids(dave, acme)
    assert list(WorkspaceAccessGrant.objects.filter(workspace=lab).values_list("group_id", flat=True)) == [team.pk]


def test_leaving_the_group_takes_the_access_away_at_the_next_read(
    acme: Organization, bob: User, lab: Workspace, team: Group
) -> None:
    membership = membership_of(bob, acme)
    assert selectors.visible_workspaces(membership).filter(pk=lab.pk).exists()
    GroupMembership.objects.filter(group=team, user=bob).delete()
    assert not selectors.visible_workspaces(membership).filter(pk=lab.pk).exists()
    assert not selectors.visible_workspaces_for_user(bob).filter(pk=lab.pk).exists()


def test_joining_the_group_gives_the_access(acme: Organization, dave: User, lab: Workspace, team: Group) -> None:
    GroupMembership.objects.create(group=team, user=dave)
    assert lab.pk in visible_ids(dave, acme)
    assert selectors.visible_workspaces_for_user(dave).filter(pk=lab.pk).exists()


def test_a_group_of_another_organization_is_404_and_changes_nothing(
    alice: User, acme: Organization, globex: Organization, olivia: User, paris: Workspace
) -> None:
    theirs = Group.objects.create(organization=globex, name="Globex")
    with pytest.raises(NotFound):
        services.set_access_rule(
            by=membership_of(alice, acme), workspace=paris, restricted=True, allowed_group_ids=[theirs.pk]
        )
    paris.refresh_from_db()
    assert paris.restricted is False
    assert not WorkspaceAccessGrant.objects.exists()


def test_the_access_rule_lists_its_groups(lab: Workspace, team: Group) -> None:
    assert selectors.access_rule_of(lab).allowed_groups == [team]


def test_visibility_needs_no_query_per_workspace(
    acme: Organization, alice: User, bob: User, team: Group, django_assert_num_queries: Any
) -> None:
    for index in range(5):
        place = make_workspace(alice, acme, f"Salle {index}")
        services.set_access_rule(
            by=membership_of(alice, acme), workspace=place, restricted=True, allowed_group_ids=[team.pk]
        )
    membership = membership_of(bob, acme)
    with django_assert_num_queries(1):
        assert len(list(selectors.visible_workspaces(membership))) == 5


# --- member_ids_who_may_see_workspace -------------------------------------------------------------------------


def everyone_seeing(workspace: Workspace, *users: User) -> set[int]:
    """The users among `users` whom visible_workspaces lets see the workspace (the reference)."""
    return {
        user.pk
        for user in users
        if selectors.visible_workspaces(membership_of(user, workspace.organization), include_archived=True)
        .filter(pk=workspace.pk)
        .exists()
    }


@pytest.mark.parametrize("grant", ["none", "unrestricted", "role", "user", "group"])
def test_member_ids_who_may_see_workspace_matches_visible_workspaces(
    grant: str,
    acme: Organization,
    alice: User,
    bob: User,
    carol: User,
    dave: User,
    erin: User,
    olivia: User,
    team: Group,
    django_assert_num_queries: Any,
) -> None:
    place = make_workspace(alice, acme, "Salle témoin")
    rules: dict[str, dict[str, Any]] = {
        "none": {"restricted": True},
        "unrestricted": {"restricted": False, "allowed_member_ids": [dave.pk]},
        "role": {"restricted": True, "allowed_roles": [Role.MEMBER]},
        "user": {"restricted": True, "allowed_member_ids": [dave.pk]},
        "group": {"restricted": True, "allowed_group_ids": [team.pk]},
    }
    services.set_access_rule(by=membership_of(alice, acme), workspace=place, **rules[grant])
    with django_assert_num_queries(1):
        ids = set(selectors.member_ids_who_may_see_workspace(place))
    assert ids == everyone_seeing(place, alice, bob, carol, dave, erin)
    assert olivia.pk not in ids
    expected = {
        "none": {alice.pk, carol.pk},
        "unrestricted": {alice.pk, bob.pk, carol.pk, dave.pk, erin.pk},
        "role": {alice.pk, bob.pk, carol.pk, dave.pk, erin.pk},
        "user": {alice.pk, carol.pk, dave.pk},
        "group": {alice.pk, carol.pk, bob.pk},
    }
    assert ids == expected[grant]


def test_member_ids_follow_the_group_at_each_read(acme: Organization, bob: User, lab: Workspace, team: Group) -> None:
    assert bob.pk in set(selectors.member_ids_who_may_see_workspace(lab))
    GroupMembership.objects.filter(group=team, user=bob).delete()
    assert bob.pk not in set(selectors.member_ids_who_may_see_workspace(lab))


# --- API ------------------------------------------------------------------------------------------------------


def test_api_put_and_get_access_with_groups(
    client: Client, alice: User, paris: Workspace, team: Group, bob: User, dave: User
) -> None:
    response = call(
        client, "PUT", f"/workspaces/{paris.pk}/access", alice, {"restricted": True, "allowed_groups": [team.pk]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["allowed_groups"] == [{"id": team.pk, "name": "Équipe produit"}]
    assert call(client, "GET", f"/workspaces/{paris.pk}/access", alice).json()["allowed_groups"] == [
        {"id": team.pk, "name": "Équipe produit"}
    ]
    assert call(client, "GET", f"/workspaces/{paris.pk}", bob).status_code == 200
    assert call(client, "GET", f"/workspaces/{paris.pk}", dave).status_code == 404


def test_api_put_access_with_a_foreign_group_is_404(
    client: Client, alice: User, paris: Workspace, globex: Organization
) -> None:
    theirs = Group.objects.create(organization=globex, name="Globex")
    response = call(
        client, "PUT", f"/workspaces/{paris.pk}/access", alice, {"restricted": True, "allowed_groups": [theirs.pk]}
    )
    assert response.status_code == 404
    assert not WorkspaceAccessGrant.objects.exists()


def test_api_list_detail_and_booking_follow_the_group(
    client: Client, acme: Organization, bob: User, dave: User, lab: Workspace, team: Group
) -> None:
    names = [item["name"] for item in call(client, "GET", "/organizations/acme/workspaces", bob).json()["items"]]
    assert "Labo" in names
    names = [item["name"] for item in call(client, "GET", "/organizations/acme/workspaces", dave).json()["items"]]
    assert "Labo" not in names
    assert call(client, "GET", f"/workspaces/{lab.pk}", dave).status_code == 404
    body = {"workspace": lab.pk, "start": MONDAY_9, "end": MONDAY_17}
    assert call(client, "POST", "/sessions", dave, body).status_code == 404
    assert call(client, "POST", "/sessions", bob, body).status_code == 201
    assert Session.objects.filter(workspace=lab, organizer=bob).exists()
    assert not Session.objects.filter(organizer=dave).exists()

    GroupMembership.objects.filter(group=team, user=bob).delete()
    assert call(client, "GET", f"/workspaces/{lab.pk}", bob).status_code == 404


# --- Console page ---------------------------------------------------------------------------------------------


def test_console_access_page_lists_and_saves_groups(
    client: Client, alice: User, acme: Organization, paris: Workspace, team: Group
) -> None:
    client.force_login(alice)
    page = client.get(f"/o/acme/console/workspaces/{paris.pk}/access/").content.decode()
    assert "Groupes autorisés" in page and "Équipe produit" in page
    response = client.post(
        f"/o/acme/console/workspaces/{paris.pk}/access/", {"restricted": "on", "allowed_groups": [team.pk]}
    )
    assert response.status_code == 302
    assert list(WorkspaceAccessGrant.objects.filter(workspace=paris).values_list("group_id", flat=True)) == [team.pk]


def test_console_access_page_refuses_a_foreign_group(
    client: Client, alice: User, paris: Workspace, globex: Organization
) -> None:
    theirs = Group.objects.create(organization=globex, name="Globex")
    client.force_login(alice)
    response = client.post(
        f"/o/acme/console/workspaces/{paris.pk}/access/", {"restricted": "on", "allowed_groups": [theirs.pk]}
    )
    assert response.status_code == 422
    assert not WorkspaceAccessGrant.objects.exists()
