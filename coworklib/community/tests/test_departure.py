"""Group memberships end with the organization's membership (issue 14).

A member removed (or leaving) and later let back in by invitation must not
find a group-restricted workspace open again: their place in the group went
with their departure, and only an admin adding them back opens it.
"""

from typing import Any

import pytest
from django.test import Client

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.community import services
from coworklib.community.models import Group, GroupMembership
from coworklib.organizations import services as organization_services
from coworklib.organizations.models import Membership, Organization
from coworklib.privacy.services import erase_user
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import call, make_workspace, membership_of


@pytest.fixture
def lab_team(acme: Organization, alice: User, bob: User) -> Group:
    return services.create_group(membership=membership_of(alice, acme), name="Équipe labo", member_ids=[bob.pk])


@pytest.fixture
def lab(acme: Organization, alice: User, lab_team: Group) -> Workspace:
    """A workspace of Acme restricted to the lab team (and the admins)."""
    workspace = make_workspace(alice, acme, "Laboratoire secret")
    workspace_services.set_access_rule(
        by=membership_of(alice, acme), workspace=workspace, restricted=True, allowed_group_ids=[lab_team.pk]
    )
    return workspace


def _depart(how: str, client: Client, acme: Organization, alice: User, bob: User) -> None:
    if how == "removed":
        response = call(client, "DELETE", f"/organizations/acme/members/{bob.pk}", alice)
    else:
        response = call(client, "DELETE", f"/organizations/acme/members/{bob.pk}", bob)
    assert response.status_code == 204


def _readmit(client: Client, acme: Organization, alice: User, bob: User) -> None:
    _invitation, token = organization_services.create_invitation_link(by=membership_of(alice, acme))
    assert call(client, "POST", "/invitations/accept", bob, {"token": token}).status_code == 200


def _sees_in_the_list(client: Client, user: User, workspace: Workspace) -> bool:
    client.force_login(user)
    page = client.get("/o/acme/workspaces/")
    assert page.status_code == 200
    return workspace.name in page.content.decode()


@pytest.mark.parametrize("how", ["removed", "left"])
def test_coming_back_does_not_reopen_a_group_restricted_workspace(
    client: Client, acme: Organization, alice: User, bob: User, lab_team: Group, lab: Workspace, how: str
) -> None:
    assert call(client, "GET", f"/workspaces/{lab.pk}", bob).status_code == 200
    assert _sees_in_the_list(client, bob, lab)

    _depart(how, client, acme, alice, bob)
    _readmit(client, acme, alice, bob)

    assert Membership.objects.filter(organization=acme, user=bob).exists()
    assert not GroupMembership.objects.filter(group=lab_team, user=bob).exists()
    assert call(client, "GET", f"/workspaces/{lab.pk}", bob).status_code == 404
    assert not _sees_in_the_list(client, bob, lab)

    added = call(client, "POST", f"/groups/{lab_team.pk}/members", alice, {"members": [bob.pk]})

    assert added.status_code == 200
    assert call(client, "GET", f"/workspaces/{lab.pk}", bob).status_code == 200
    assert _sees_in_the_list(client, bob, lab)


def test_the_other_members_and_other_organizations_groups_stay(
    client: Client,
    acme: Organization,
    globex: Organization,
    alice: User,
    bob: User,
    carol: User,
    olivia: User,
    lab_team: Group,
) -> None:
    services.add_group_members(membership=membership_of(alice, acme), group=lab_team, user_ids=[carol.pk])
    Membership.objects.create(organization=globex, user=bob)
    globex_team = services.create_group(membership=membership_of(olivia, globex), name="Globex", member_ids=[bob.pk])

    _depart("removed", client, acme, alice, bob)

    assert set(GroupMembership.objects.filter(group=lab_team).values_list("user_id", flat=True)) == {
        alice.pk,
        carol.pk,
    }
    assert GroupMembership.objects.filter(group=globex_team, user=bob).exists()


@pytest.mark.parametrize("how", ["removed", "left"])
def test_a_group_its_creator_leaves_stays_with_its_members_for_the_admins_to_manage(
    client: Client, acme: Organization, alice: User, bob: User, carol: User, how: str
) -> None:
    dave = make_member(acme, "dave@acme.test")
    coffee = services.create_group(
        membership=membership_of(bob, acme), name="Café", description="Le café du matin", member_ids=[dave.pk]
    )

    _depart(how, client, acme, alice, bob)

    coffee.refresh_from_db()
    assert coffee.created_by is None
    assert coffee.description == "Le café du matin"
    assert set(GroupMembership.objects.filter(group=coffee).values_list("user_id", flat=True)) == {dave.pk}
    # Back in, Bob is a member like another: the group is no longer his to manage.
    _readmit(client, acme, alice, bob)
    renamed = call(client, "PATCH", f"/groups/{coffee.pk}", bob, {"name": "À moi"})
    assert renamed.status_code == 403
    assert call(client, "PATCH", f"/groups/{coffee.pk}", carol, {"name": "Café du matin"}).status_code == 200


def test_the_django_admin_removing_a_membership_also_ends_group_memberships(
    client: Client, acme: Organization, bob: User, lab_team: Group, db: Any
) -> None:
    client.force_login(User.objects.create_superuser(email="staff@coworklib.test", password="x" * 12))

    client.post(f"/staff/admin/organizations/membership/{membership_of(bob, acme).pk}/delete/", {"post": "yes"})

    assert not GroupMembership.objects.filter(user=bob).exists()


def test_erasing_a_creator_still_removes_the_description_of_their_groups(
    acme: Organization, alice: User, bob: User
) -> None:
    coffee = services.create_group(membership=membership_of(bob, acme), name="Café", description="Bob et ses amis")

    erase_user(user=bob)

    coffee.refresh_from_db()
    assert (coffee.description, coffee.created_by) == ("", None)
    assert coffee.name == "Café"
