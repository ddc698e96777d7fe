"""Roles: promote, demote, remove, leave, transfer ownership, and the last owner who always stays."""

import pytest
from django.test import Client

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.core.errors import Conflict, Forbidden
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.organizations.services import change_role, leave_organization, remove_member, transfer_ownership
from coworklib.organizations.tests.conftest import Api


def _membership(organization: Organization, user: User) -> Membership:
    return Membership.objects.select_related("organization", "user").get(organization=organization, user=user)


def _role(organization: Organization, user: User) -> str:
    return Membership.objects.get(organization=organization, user=user).role


def test_admin_promotes_a_member_to_admin(api: Api, acme: Organization, carol: User, bob: User) -> None:
    response = api("PATCH", f"/organizations/acme/members/{bob.pk}", carol, {"role": "admin"})

    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    assert response.json()["user"]["id"] == bob.pk
    assert _role(acme, bob) == Role.ADMIN
    entry = AuditEntry.objects.get(action="member.role_changed")
    assert (entry.actor, entry.target_user, entry.details) == (carol, bob, {"old_role": "member", "new_role": "admin"})


def test_admin_cannot_make_an_owner(api: Api, acme: Organization, carol: User, bob: User) -> None:
    response = api("PATCH", f"/organizations/acme/members/{bob.pk}", carol, {"role": "owner"})

    assert response.status_code == 403
    assert response.json()["code"] == "owner_required"
    assert _role(acme, bob) == Role.MEMBER


def test_admin_cannot_demote_an_owner(api: Api, acme: Organization, alice: User, carol: User) -> None:
    response = api("PATCH", f"/organizations/acme/members/{alice.pk}", carol, {"role": "member"})

    assert response.status_code == 403
    assert _role(acme, alice) == Role.OWNER


def test_member_cannot_change_roles(api: Api, acme: Organization, bob: User, carol: User) -> None:
    response = api("PATCH", f"/organizations/acme/members/{carol.pk}", bob, {"role": "member"})

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert _role(acme, carol) == Role.ADMIN


def test_owner_makes_another_owner(api: Api, acme: Organization, alice: User, bob: User) -> None:
    response = api("PATCH", f"/organizations/acme/members/{bob.pk}", alice, {"role": "owner"})

    assert response.status_code == 200
    assert _role(acme, bob) == Role.OWNER


def test_last_owner_cannot_be_demoted(api: Api, acme: Organization, alice: User) -> None:
    response = api("PATCH", f"/organizations/acme/members/{alice.pk}", alice, {"role": "admin"})

    assert response.status_code == 409
    assert response.json()["code"] == "last_owner"
    assert "propriétaire" in response.json()["detail"]
    assert _role(acme, alice) == Role.OWNER


def test_an_owner_can_step_down_when_another_owner_remains(acme: Organization, alice: User, bob: User) -> None:
    Membership.objects.filter(organization=acme, user=bob).update(role=Role.OWNER)

    change_role(by=_membership(acme, alice), user_id=alice.pk, role=Role.ADMIN)

    assert _role(acme, alice) == Role.ADMIN
    assert _role(acme, bob) == Role.OWNER


def test_two_owners_demoting_each_other_leave_one_owner(acme: Organization, alice: User, bob: User) -> None:
    Membership.objects.filter(organization=acme, user=bob).update(role=Role.OWNER)
    alice_membership, bob_membership = _membership(acme, alice), _membership(acme, bob)

    change_role(by=alice_membership, user_id=bob.pk, role=Role.MEMBER)
    # Bob's membership object is stale (he was owner when it was read): the service re-reads it.
    with pytest.raises(Forbidden):
        change_role(by=bob_membership, user_id=alice.pk, role=Role.MEMBER)

    assert Membership.objects.filter(organization=acme, role=Role.OWNER).count() == 1


def test_setting_the_same_role_changes_nothing(acme: Organization, alice: User, bob: User) -> None:
    change_role(by=_membership(acme, alice), user_id=bob.pk, role=Role.MEMBER)

    assert not AuditEntry.objects.filter(action="member.role_changed").exists()


@pytest.mark.parametrize("role", ["superuser", "", 3, None, ["admin"]])
def test_unknown_role_is_422_and_changes_nothing(
    api: Api, acme: Organization, alice: User, bob: User, role: object
) -> None:
    response = api("PATCH", f"/organizations/acme/members/{bob.pk}", alice, {"role": role})

    assert response.status_code == 422
    assert _role(acme, bob) == Role.MEMBER


def test_role_change_of_someone_outside_the_organization_is_404(
    api: Api, acme: Organization, alice: User, olivia: User
) -> None:
    response = api("PATCH", f"/organizations/acme/members/{olivia.pk}", alice, {"role": "admin"})

    assert response.status_code == 404
    assert _role(olivia.memberships.get().organization, olivia) == Role.OWNER


# --- Removing and leaving ------------------------------------------------------------------------


def test_admin_removes_a_member(api: Api, acme: Organization, carol: User, bob: User) -> None:
    bob.last_organization = acme
    bob.save()

    response = api("DELETE", f"/organizations/acme/members/{bob.pk}", carol)

    assert response.status_code == 204
    assert not Membership.objects.filter(organization=acme, user=bob).exists()
    bob.refresh_from_db()
    assert bob.last_organization is None
    assert AuditEntry.objects.filter(action="member.removed", actor=carol, target_user=bob).exists()


def test_admin_cannot_remove_an_owner(api: Api, acme: Organization, carol: User, alice: User) -> None:
    response = api("DELETE", f"/organizations/acme/members/{alice.pk}", carol)

    assert response.status_code == 403
    assert Membership.objects.filter(organization=acme, user=alice).exists()


def test_member_cannot_remove_anyone(api: Api, acme: Organization, bob: User, carol: User) -> None:
    response = api("DELETE", f"/organizations/acme/members/{carol.pk}", bob)

    assert response.status_code == 403
    assert Membership.objects.filter(organization=acme, user=carol).exists()


def test_member_leaves_with_their_own_id(api: Api, acme: Organization, bob: User) -> None:
    response = api("DELETE", f"/organizations/acme/members/{bob.pk}", bob)

    assert response.status_code == 204
    assert not Membership.objects.filter(organization=acme, user=bob).exists()
    assert AuditEntry.objects.filter(action="member.left", actor=bob).exists()


def test_last_owner_cannot_leave(api: Api, acme: Organization, alice: User, bob: User) -> None:
    response = api("DELETE", f"/organizations/acme/members/{alice.pk}", alice)

    assert response.status_code == 409
    assert response.json()["code"] == "last_owner"
    assert _role(acme, alice) == Role.OWNER


def test_last_owner_cannot_leave_through_the_service(acme: Organization, alice: User) -> None:
    with pytest.raises(Conflict):
        leave_organization(membership=_membership(acme, alice))

    assert Membership.objects.filter(organization=acme, user=alice).exists()


def test_owner_removing_themselves_is_leaving(acme: Organization, alice: User, bob: User) -> None:
    Membership.objects.filter(organization=acme, user=bob).update(role=Role.OWNER)

    remove_member(by=_membership(acme, alice), user_id=alice.pk)

    assert not Membership.objects.filter(organization=acme, user=alice).exists()
    assert AuditEntry.objects.filter(action="member.left").exists()


def test_leave_page_leaves_and_goes_back_to_the_dashboard(client: Client, acme: Organization, bob: User) -> None:
    client.force_login(bob)

    response = client.post("/o/acme/leave/")

    assert response.status_code == 302
    assert response["Location"] == "/app/"
    assert not Membership.objects.filter(organization=acme, user=bob).exists()


def test_leave_page_explains_why_the_last_owner_cannot_leave(client: Client, acme: Organization, alice: User) -> None:
    client.force_login(alice)

    response = client.post("/o/acme/leave/")

    assert response.status_code == 409
    assert "dernier propriétaire" in response.content.decode()
    assert Membership.objects.filter(organization=acme, user=alice).exists()


# --- Transfer ------------------------------------------------------------------------


def test_owner_transfers_ownership_and_becomes_admin(api: Api, acme: Organization, alice: User, bob: User) -> None:
    response = api("POST", "/organizations/acme/transfer-ownership", alice, {"user_id": bob.pk})

    assert response.status_code == 200
    assert response.json()["role"] == "owner"
    assert (_role(acme, alice), _role(acme, bob)) == (Role.ADMIN, Role.OWNER)
    assert AuditEntry.objects.filter(action="ownership.transferred", actor=alice, target_user=bob).exists()


def test_admin_cannot_transfer_ownership(api: Api, acme: Organization, carol: User, bob: User) -> None:
    response = api("POST", "/organizations/acme/transfer-ownership", carol, {"user_id": bob.pk})

    assert response.status_code == 403
    assert _role(acme, bob) == Role.MEMBER


def test_transfer_to_oneself_is_a_conflict(acme: Organization, alice: User) -> None:
    with pytest.raises(Conflict):
        transfer_ownership(by=_membership(acme, alice), user_id=alice.pk)

    assert _role(acme, alice) == Role.OWNER


def test_transfer_to_an_outsider_is_404(api: Api, acme: Organization, alice: User, olivia: User) -> None:
    response = api("POST", "/organizations/acme/transfer-ownership", alice, {"user_id": olivia.pk})

    assert response.status_code == 404
    assert _role(acme, alice) == Role.OWNER
    assert not Membership.objects.filter(organization=acme, user=olivia).exists()


# --- Console pages ------------------------------------------------------------------------


def test_console_role_form_changes_the_role(client: Client, acme: Organization, alice: User, bob: User) -> None:
    client.force_login(alice)

    response = client.post(f"/o/acme/console/members/{bob.pk}/role/", {"role": "admin"}, follow=True)

    assert _role(acme, bob) == Role.ADMIN
    assert "Bob Bernard est maintenant administrateur." in response.content.decode()


def test_console_refuses_demoting_the_last_owner_with_a_message(
    client: Client, acme: Organization, alice: User
) -> None:
    client.force_login(alice)

    response = client.post(f"/o/acme/console/members/{alice.pk}/role/", {"role": "member"}, follow=True)

    assert _role(acme, alice) == Role.OWNER
    assert "au moins un propriétaire" in response.content.decode()


def test_console_remove_button_removes(client: Client, acme: Organization, carol: User, bob: User) -> None:
    client.force_login(carol)

    response = client.post(f"/o/acme/console/members/{bob.pk}/remove/")

    assert response.status_code == 302
    assert not Membership.objects.filter(organization=acme, user=bob).exists()


def test_console_transfer_form(client: Client, acme: Organization, alice: User, bob: User) -> None:
    client.force_login(alice)

    client.post("/o/acme/console/transfer/", {"user_id": bob.pk})

    assert (_role(acme, alice), _role(acme, bob)) == (Role.ADMIN, Role.OWNER)


def test_console_lists_members_with_roles_and_hides_owner_controls_from_admins(
    client: Client, acme: Organization, alice: User, carol: User, bob: User
) -> None:
    make_member(acme, "zoe@acme.test", first_name="Zoé", last_name="Zola")
    client.force_login(carol)

    content = client.get("/o/acme/console/").content.decode()

    assert "Alice Arnaud" in content and "Zoé Zola" in content
    assert f"/o/acme/console/members/{alice.pk}/role/" not in content
    assert f"/o/acme/console/members/{bob.pk}/role/" in content
    assert 'value="owner"' not in content
    assert "Transférer la propriété" not in content
