"""Leaving or being removed sticks: joining by domain never brings someone back,
and what they were granted in the organization's workspaces goes with them."""

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.test import Client, RequestFactory
from django.utils import timezone

from conftest import PASSWORD, make_member
from coworklib.accounts.models import User
from coworklib.core.errors import Conflict
from coworklib.organizations import services
from coworklib.organizations.models import Departure, EmailDomain, Invitation, JoinRequest, Membership, Organization
from coworklib.organizations.tests.conftest import Api
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Favourite, Workspace, WorkspaceAccessGrant, WorkspaceView


def _membership(organization: Organization, user: User) -> Membership:
    return Membership.objects.select_related("organization", "user").get(organization=organization, user=user)


@pytest.fixture
def acme_domain(acme: Organization) -> EmailDomain:
    """Acme has verified acme.test: Bob (bob@acme.test) is the kind of person who joins by domain."""
    return EmailDomain.objects.create(organization=acme, domain="acme.test", verified_at=timezone.now())


def _remove_bob(acme: Organization, alice: User, bob: User) -> None:
    services.remove_member(by=_membership(acme, alice), user_id=bob.pk)


def _confirm(user: User, email: str) -> None:
    address = EmailAddress.objects.create(user=user, email=email, verified=True)
    email_confirmed.send(sender=EmailAddress, request=RequestFactory().get("/"), email_address=address)


def _reinvite_and_accept(acme: Organization, alice: User, bob: User) -> None:
    invitation, raw = services.create_invitation_link(by=_membership(acme, alice))
    services.accept_invitation(user=bob, token=raw)
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == bob


# --- Joining by domain does not undo a departure ------------------------------------------------------------------


def test_a_removed_member_is_not_added_back_when_logging_in(
    client: Client, acme: Organization, acme_domain: EmailDomain, alice: User, bob: User
) -> None:
    _remove_bob(acme, alice, bob)

    response = client.post("/accounts/login/", {"login": "bob@acme.test", "password": PASSWORD})

    assert response.status_code == 302
    assert not Membership.objects.filter(organization=acme, user=bob).exists()
    departure = Departure.objects.get(organization=acme, user=bob)
    assert departure.reason == Departure.Reason.REMOVED


def test_a_member_who_left_is_not_added_back_when_logging_in(
    client: Client, acme: Organization, acme_domain: EmailDomain, bob: User
) -> None:
    services.leave_organization(membership=_membership(acme, bob))

    client.post("/accounts/login/", {"login": "bob@acme.test", "password": PASSWORD})

    assert not Membership.objects.filter(organization=acme, user=bob).exists()
    assert Departure.objects.get(organization=acme, user=bob).reason == Departure.Reason.LEFT


def test_leaving_through_the_api_sticks_too(
    api: Api, client: Client, acme: Organization, acme_domain: EmailDomain, bob: User
) -> None:
    assert api("DELETE", f"/organizations/acme/members/{bob.pk}", bob).status_code == 204

    client.post("/accounts/login/", {"login": "bob@acme.test", "password": PASSWORD})

    assert not Membership.objects.filter(organization=acme, user=bob).exists()


def test_confirming_another_address_at_the_domain_does_not_bring_a_removed_member_back(
    acme: Organization, acme_domain: EmailDomain, alice: User, bob: User
) -> None:
    _remove_bob(acme, alice, bob)

    _confirm(bob, "bob.bernard@acme.test")

    assert not Membership.objects.filter(organization=acme, user=bob).exists()


def test_verifying_the_domain_again_does_not_bring_a_removed_member_back(
    monkeypatch: pytest.MonkeyPatch, acme: Organization, acme_domain: EmailDomain, alice: User, bob: User
) -> None:
    _remove_bob(acme, alice, bob)
    owner = _membership(acme, alice)
    services.remove_email_domain(by=owner, domain_id=acme_domain.pk)
    claim = services.add_email_domain(by=owner, domain="acme.test")
    monkeypatch.setattr(services, "lookup_txt_records", lambda name: [claim.record_value])

    services.verify_email_domain(by=owner, domain_id=claim.pk)

    assert not Membership.objects.filter(organization=acme, user=bob).exists()


def test_a_departure_in_one_organization_does_not_stop_joining_another(
    acme: Organization, globex: Organization, alice: User, bob: User
) -> None:
    EmailDomain.objects.create(organization=globex, domain="acme.test", verified_at=timezone.now())
    _remove_bob(acme, alice, bob)

    _confirm(bob, "bob.bernard@acme.test")

    assert Membership.objects.filter(organization=globex, user=bob).exists()


def test_an_invitation_brings_a_former_member_back_for_good(
    acme: Organization, acme_domain: EmailDomain, alice: User, bob: User
) -> None:
    _remove_bob(acme, alice, bob)

    _reinvite_and_accept(acme, alice, bob)

    assert Membership.objects.filter(organization=acme, user=bob).exists()
    assert not Departure.objects.exists()


def test_an_approved_join_request_brings_a_former_member_back(acme: Organization, alice: User, bob: User) -> None:
    _remove_bob(acme, alice, bob)
    join_request = services.request_to_join(user=bob, org_ref="acme")
    assert isinstance(join_request, JoinRequest)

    services.approve_join_request(by=_membership(acme, alice), join_request_id=join_request.pk)

    assert Membership.objects.filter(organization=acme, user=bob).exists()
    assert not Departure.objects.exists()


def test_removing_again_after_coming_back_records_the_new_departure(acme: Organization, alice: User, bob: User) -> None:
    services.leave_organization(membership=_membership(acme, bob))
    _reinvite_and_accept(acme, alice, bob)

    _remove_bob(acme, alice, bob)

    assert Departure.objects.get(organization=acme, user=bob).reason == Departure.Reason.REMOVED


def test_a_refused_removal_records_no_departure(acme: Organization, alice: User) -> None:
    with pytest.raises(Conflict):  # the last owner cannot leave
        services.leave_organization(membership=_membership(acme, alice))

    assert not Departure.objects.exists()


# --- Workspace access goes with the membership ------------------------------------------------------------------


@pytest.fixture
def lab(acme: Organization, alice: User, bob: User) -> Workspace:
    """A restricted workspace of Acme that Bob alone (besides the admins) was granted, starred and viewed."""
    owner = _membership(acme, alice)
    workspace = workspace_services.create_workspace(by=owner, name="Labo", capacity=4, timezone="Europe/Paris")
    workspace_services.set_access_rule(by=owner, workspace=workspace, restricted=True, allowed_member_ids=[bob.pk])
    workspace_services.add_favourite(user=bob, workspace=workspace)
    workspace_services.record_view(user=bob, workspace=workspace)
    return workspace


def test_a_removed_member_invited_back_does_not_regain_a_restricted_workspace(
    api: Api, acme: Organization, alice: User, bob: User, lab: Workspace
) -> None:
    assert api("GET", f"/workspaces/{lab.pk}", bob).status_code == 200
    _remove_bob(acme, alice, bob)

    _reinvite_and_accept(acme, alice, bob)

    assert api("GET", f"/workspaces/{lab.pk}", bob).status_code == 404
    assert not WorkspaceAccessGrant.objects.filter(user=bob).exists()


@pytest.mark.parametrize("how", ["removed", "left"])
def test_grants_favourites_and_views_go_with_the_membership(
    acme: Organization, alice: User, bob: User, lab: Workspace, how: str
) -> None:
    if how == "removed":
        _remove_bob(acme, alice, bob)
    else:
        services.leave_organization(membership=_membership(acme, bob))

    assert not WorkspaceAccessGrant.objects.filter(user=bob).exists()
    assert not Favourite.objects.filter(user=bob).exists()
    assert not WorkspaceView.objects.filter(user=bob).exists()


def test_what_belongs_to_another_organization_or_person_stays(
    acme: Organization, globex: Organization, alice: User, bob: User, olivia: User, lab: Workspace
) -> None:
    erin = make_member(acme, "erin@acme.test")
    Membership.objects.create(organization=globex, user=bob)
    elsewhere = workspace_services.create_workspace(
        by=_membership(globex, olivia), name="Globex HQ", capacity=10, timezone="Europe/Paris"
    )
    workspace_services.set_access_rule(
        by=_membership(globex, olivia), workspace=elsewhere, restricted=True, allowed_member_ids=[bob.pk]
    )
    workspace_services.add_favourite(user=bob, workspace=elsewhere)
    workspace_services.set_access_rule(
        by=_membership(acme, alice), workspace=lab, restricted=True, allowed_member_ids=[bob.pk, erin.pk]
    )
    workspace_services.add_favourite(user=erin, workspace=lab)

    _remove_bob(acme, alice, bob)

    assert list(WorkspaceAccessGrant.objects.filter(user=bob).values_list("workspace", flat=True)) == [elsewhere.pk]
    assert list(Favourite.objects.filter(user=bob).values_list("workspace", flat=True)) == [elsewhere.pk]
    assert WorkspaceAccessGrant.objects.filter(user=erin, workspace=lab).exists()
    assert Favourite.objects.filter(user=erin, workspace=lab).exists()


def test_removing_a_member_in_the_django_admin_also_drops_their_grants(
    client: Client, acme: Organization, bob: User, lab: Workspace, db: Any
) -> None:
    client.force_login(User.objects.create_superuser(email="staff@coworklib.test", password="x" * 12))
    membership = _membership(acme, bob)

    client.post(f"/staff/admin/organizations/membership/{membership.pk}/delete/", {"post": "yes"})

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not WorkspaceAccessGrant.objects.filter(user=bob).exists()
