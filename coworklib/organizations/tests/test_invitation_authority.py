"""An invitation is only as good as its creator's right to send it (issue 14).

The outside review's reproduction: an admin makes an admin link, is removed
(or demoted, or leaves), and accepts their own link to come back as admin.
Their pending invitations are revoked when they lose the right, and accepting
re-checks that right, so that invitations left behind by any other path are
refused too, with nothing consumed.
"""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD, bearer, make_member, make_user
from coworklib.accounts.models import User
from coworklib.core.models import AuditEntry
from coworklib.organizations import services
from coworklib.organizations.models import Invitation, Membership, Organization, Role
from coworklib.organizations.selectors import InviterNoLongerAllowed
from coworklib.organizations.tests.conftest import Api


@pytest.fixture
def mona(acme: Organization) -> User:
    """A plain member of Acme, about to be made admin (the review's member03)."""
    return make_member(acme, "mona@acme.test", Role.MEMBER, first_name="Mona", last_name="Martin")


def _membership(organization: Organization, user: User) -> Membership:
    return Membership.objects.select_related("organization", "user").get(organization=organization, user=user)


def _promote_and_mint_admin_link(api: Api, alice: User, mona: User) -> str:
    """Steps 1 and 2 of the reproduction: the owner promotes Mona, who creates a link invitation with role admin."""
    promoted = api("PATCH", f"/organizations/acme/members/{mona.pk}", alice, {"role": "admin"})
    assert promoted.status_code == 200
    created = api("POST", "/organizations/acme/invitations", mona, {"role": "admin"})
    assert created.status_code == 201
    return str(created.json()["token"])


def _accept(api: Api, user: User, token: str) -> Any:
    return api("POST", "/invitations/accept", user, {"token": token})


def _revocation_entry(creator: User) -> AuditEntry:
    return AuditEntry.objects.get(action="invitation.revoked_with_creator", target_user=creator)


# --- The reproduction, and its variants ------------------------------------------------------------------------


def test_a_removed_admin_cannot_come_back_as_admin_through_their_own_link(
    api: Api, acme: Organization, alice: User, mona: User
) -> None:
    token = _promote_and_mint_admin_link(api, alice, mona)
    assert api("DELETE", f"/organizations/acme/members/{mona.pk}", alice).status_code == 204

    response = _accept(api, mona, token)

    assert response.status_code == 410
    assert response.json()["code"] == "invitation_revoked"
    assert not Membership.objects.filter(organization=acme, user=mona).exists()
    invitation = Invitation.objects.get(created_by=mona)
    assert invitation.revoked_at is not None and invitation.accepted_at is None
    entry = _revocation_entry(mona)
    assert entry.organization == acme and entry.actor is None
    assert entry.details == {"invitation_ids": [invitation.pk], "reason": "removed"}


def test_a_demoted_admin_who_leaves_cannot_come_back_as_admin(
    api: Api, acme: Organization, alice: User, mona: User
) -> None:
    token = _promote_and_mint_admin_link(api, alice, mona)
    assert api("PATCH", f"/organizations/acme/members/{mona.pk}", alice, {"role": "member"}).status_code == 200
    # Revoked at the demotion itself, not only at the departure: the admins' list no longer shows it.
    assert api("GET", "/organizations/acme/invitations", alice).json()["count"] == 0
    assert api("DELETE", f"/organizations/acme/members/{mona.pk}", mona).status_code == 204

    response = _accept(api, mona, token)

    assert response.status_code == 410
    assert not Membership.objects.filter(organization=acme, user=mona).exists()
    assert Invitation.objects.get(created_by=mona).accepted_at is None
    assert _revocation_entry(mona).details["reason"] == "demoted"


def test_an_admin_who_leaves_cannot_come_back_as_admin(api: Api, acme: Organization, alice: User, mona: User) -> None:
    token = _promote_and_mint_admin_link(api, alice, mona)
    assert api("DELETE", f"/organizations/acme/members/{mona.pk}", mona).status_code == 204

    response = _accept(api, mona, token)

    assert response.status_code == 410
    assert not Membership.objects.filter(organization=acme, user=mona).exists()
    assert _revocation_entry(mona).details["reason"] == "left"


def test_an_admin_who_deletes_their_account_leaves_no_working_link(
    client: Client, api: Api, acme: Organization, alice: User, mona: User, dave: User
) -> None:
    token = _promote_and_mint_admin_link(api, alice, mona)
    emailed = api("POST", "/organizations/acme/invitations", mona, {"email": "new@example.test"}).json()
    deleted = client.delete("/api/v1/me", {"password": PASSWORD}, content_type="application/json", headers=bearer(mona))
    assert deleted.status_code == 204

    response = _accept(api, dave, token)

    assert response.status_code == 410
    assert not Membership.objects.filter(organization=acme, user=dave).exists()
    assert set(Invitation.objects.filter(revoked_at__isnull=False).values_list("pk", flat=True)) == {
        Invitation.objects.get(email="", organization=acme).pk,
        emailed["id"],
    }


def test_a_demoted_admin_keeps_no_pending_invitation_and_cannot_make_one(
    api: Api, acme: Organization, alice: User, mona: User
) -> None:
    _promote_and_mint_admin_link(api, alice, mona)
    api("POST", "/organizations/acme/invitations", mona, {"email": "new@example.test", "role": "member"})
    api("PATCH", f"/organizations/acme/members/{mona.pk}", alice, {"role": "member"})

    assert not Invitation.objects.filter(created_by=mona, revoked_at__isnull=True).exists()
    assert len(_revocation_entry(mona).details["invitation_ids"]) == 2
    assert api("POST", "/organizations/acme/invitations", mona, {"role": "member"}).status_code == 403


@pytest.mark.parametrize("how", ["role_change", "transfer"])
def test_an_owner_made_admin_loses_only_their_owner_invitations(
    api: Api, acme: Organization, alice: User, how: str
) -> None:
    otto = make_member(acme, "otto@acme.test", Role.OWNER, first_name="Otto")
    owner_link = api("POST", "/organizations/acme/invitations", otto, {"role": "owner"}).json()
    admin_link = api("POST", "/organizations/acme/invitations", otto, {"role": "admin"}).json()
    if how == "role_change":
        assert api("PATCH", f"/organizations/acme/members/{otto.pk}", alice, {"role": "admin"}).status_code == 200
    else:
        assert api("POST", "/organizations/acme/transfer-ownership", otto, {"user_id": alice.pk}).status_code == 200

    assert Invitation.objects.get(pk=owner_link["id"]).revoked_at is not None
    assert Invitation.objects.get(pk=admin_link["id"]).revoked_at is None
    assert _revocation_entry(otto).details == {"invitation_ids": [owner_link["id"]], "reason": "demoted"}
    dave = make_user("dave@dave.test")
    assert _accept(api, dave, admin_link["token"]).status_code == 200
    assert _membership(acme, dave).role == Role.ADMIN


def test_a_promotion_revokes_nothing(api: Api, acme: Organization, alice: User, mona: User) -> None:
    _promote_and_mint_admin_link(api, alice, mona)
    api("PATCH", f"/organizations/acme/members/{mona.pk}", alice, {"role": "owner"})

    assert Invitation.objects.get(created_by=mona).revoked_at is None
    assert not AuditEntry.objects.filter(action="invitation.revoked_with_creator").exists()


def test_another_admins_invitations_and_other_organizations_stay(
    api: Api, acme: Organization, globex: Organization, alice: User, carol: User, mona: User, olivia: User
) -> None:
    _promote_and_mint_admin_link(api, alice, mona)
    carols = api("POST", "/organizations/acme/invitations", carol, {"role": "member"}).json()
    Membership.objects.create(organization=globex, user=mona, role=Role.ADMIN)
    elsewhere = api("POST", "/organizations/globex/invitations", mona, {"role": "member"}).json()

    api("DELETE", f"/organizations/acme/members/{mona.pk}", alice)

    assert Invitation.objects.get(pk=carols["id"]).revoked_at is None
    assert Invitation.objects.get(pk=elsewhere["id"]).revoked_at is None


# --- Accepting re-checks the creator's right -----------------------------------------------------------------------


def _link_by(organization: Organization, creator: User, role: str = Role.MEMBER) -> tuple[Invitation, str]:
    return services.create_invitation_link(by=_membership(organization, creator), role=role)


def _assert_refused_and_untouched(
    response: Any, invitation: Invitation, organization: Organization, user: User, reason: str
) -> None:
    assert response.status_code == 410
    body = response.json()
    assert body["code"] == "inviter_not_allowed"
    assert "administrateur" in body["detail"]
    invitation.refresh_from_db()
    assert invitation.accepted_at is None and invitation.accepted_by is None and invitation.revoked_at is None
    assert not Membership.objects.filter(organization=organization, user=user).exists()
    entry = AuditEntry.objects.get(action="invitation.refused")
    assert (entry.organization, entry.actor) == (organization, user)
    assert entry.details == {"invitation_id": invitation.pk, "role": invitation.role, "reason": reason}


def test_a_link_of_someone_removed_in_the_django_admin_is_refused(
    client: Client, api: Api, acme: Organization, carol: User, dave: User
) -> None:
    # The Django admin deletes the membership without the services: nothing revoked the link.
    invitation, token = _link_by(acme, carol, Role.ADMIN)
    client.force_login(User.objects.create_superuser(email="staff@coworklib.test", password="x" * 12))
    client.post(f"/staff/admin/organizations/membership/{_membership(acme, carol).pk}/delete/", {"post": "yes"})
    assert not Membership.objects.filter(organization=acme, user=carol).exists()

    response = _accept(api, dave, token)

    _assert_refused_and_untouched(response, invitation, acme, dave, "creator_not_member")
    assert AuditEntry.objects.get(action="invitation.refused").target_user == carol


def test_a_link_of_someone_now_a_plain_member_is_refused(api: Api, acme: Organization, carol: User, dave: User) -> None:
    invitation, token = _link_by(acme, carol)
    Membership.objects.filter(organization=acme, user=carol).update(role=Role.MEMBER)

    _assert_refused_and_untouched(_accept(api, dave, token), invitation, acme, dave, "creator_role")


def test_an_owner_link_of_someone_now_admin_is_refused_but_their_admin_link_works(
    api: Api, acme: Organization, alice: User, dave: User
) -> None:
    otto = make_member(acme, "otto@acme.test", Role.OWNER)
    owner_invitation, owner_token = _link_by(acme, otto, Role.OWNER)
    _admin_invitation, admin_token = _link_by(acme, otto, Role.ADMIN)
    Membership.objects.filter(organization=acme, user=otto).update(role=Role.ADMIN)

    _assert_refused_and_untouched(_accept(api, dave, owner_token), owner_invitation, acme, dave, "creator_role")
    assert _accept(api, dave, admin_token).status_code == 200
    assert _membership(acme, dave).role == Role.ADMIN


def test_a_link_whose_creator_account_is_gone_is_refused(api: Api, acme: Organization, carol: User, dave: User) -> None:
    invitation, token = _link_by(acme, carol)
    carol.delete()  # created_by is SET_NULL
    invitation.refresh_from_db()
    assert invitation.created_by is None

    _assert_refused_and_untouched(_accept(api, dave, token), invitation, acme, dave, "creator_deleted")
    assert AuditEntry.objects.get(action="invitation.refused").target_user is None


def test_an_email_invitation_accepted_from_the_dashboard_is_refused_the_same_way(
    client: Client, acme: Organization, carol: User, dave: User
) -> None:
    invitation = services.invite_by_email(by=_membership(acme, carol), email="dave@dave.test")
    Membership.objects.filter(organization=acme, user=carol).delete()
    client.force_login(dave)

    response = client.post(f"/invitations/{invitation.pk}/accept/", follow=True)

    assert "Demandez-en une nouvelle à un administrateur" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(organization=acme, user=dave).exists()
    assert AuditEntry.objects.filter(action="invitation.refused", actor=dave).count() == 1


def test_the_service_raises_inviter_no_longer_allowed_and_consumes_nothing(
    acme: Organization, carol: User, dave: User
) -> None:
    invitation, token = _link_by(acme, carol)
    Membership.objects.filter(organization=acme, user=carol).delete()

    with pytest.raises(InviterNoLongerAllowed):
        services.accept_invitation(user=dave, token=token)

    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user=dave).exists()


# --- The web flow ------------------------------------------------------------------------------------------------


def _open(client: Client, token: str) -> None:
    assert client.get(f"/invite/{token}/").status_code == 302


def test_the_removed_admin_opening_their_own_link_is_told_it_is_no_longer_valid(
    client: Client, api: Api, acme: Organization, alice: User, mona: User
) -> None:
    token = _promote_and_mint_admin_link(api, alice, mona)
    api("DELETE", f"/organizations/acme/members/{mona.pk}", alice)
    client.force_login(mona)
    _open(client, token)

    page = client.get("/invite/")
    posted = client.post("/invite/")

    assert page.status_code == 410 and posted.status_code == 410
    assert "Cette invitation a été annulée par l&#x27;organisation." in page.content.decode()
    assert not Membership.objects.filter(organization=acme, user=mona).exists()


def test_the_invitation_page_asks_for_a_new_invitation_from_an_admin(
    client: Client, acme: Organization, carol: User, dave: User
) -> None:
    _invitation, token = _link_by(acme, carol)
    Membership.objects.filter(organization=acme, user=carol).delete()
    client.force_login(dave)
    _open(client, token)

    page = client.get("/invite/")

    assert page.status_code == 410
    content = page.content.decode()
    assert "Demandez-en une nouvelle à un administrateur de l&#x27;organisation." in content
    # The usual advice (ask whoever invited you) would send them to someone who cannot help.
    assert "à la personne qui vous a invité" not in content


def test_accepting_on_the_page_is_refused_with_the_reason_in_english(
    client: Client, acme: Organization, carol: User, dave: User
) -> None:
    invitation, token = _link_by(acme, carol)
    Membership.objects.filter(organization=acme, user=carol).update(role=Role.MEMBER)
    dave.language = "en"
    dave.save(update_fields=["language"])
    client.force_login(dave)
    _open(client, token)

    response = client.post("/invite/")

    assert response.status_code == 410
    assert "Ask an administrator of the organization for a new one." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(organization=acme, user=dave).exists()
    assert AuditEntry.objects.filter(action="invitation.refused", actor=dave).exists()


# --- Who created each invitation -------------------------------------------------------------------------------


def test_the_api_list_says_who_created_each_invitation(api: Api, acme: Organization, alice: User, carol: User) -> None:
    _link_by(acme, alice)
    _link_by(acme, carol, Role.ADMIN)

    items = api("GET", "/organizations/acme/invitations", alice).json()["items"]

    assert [item["created_by"] for item in items] == [
        {"id": carol.pk, "display_name": "Carol Colin"},
        {"id": alice.pk, "display_name": "Alice Arnaud"},
    ]


def test_the_api_list_names_a_deleted_creator_in_the_callers_language(
    api: Api, acme: Organization, alice: User, carol: User
) -> None:
    _link_by(acme, carol)
    carol.delete()

    french = api("GET", "/organizations/acme/invitations", alice).json()["items"]
    english = api("GET", "/organizations/acme/invitations", alice, HTTP_ACCEPT_LANGUAGE="en").json()["items"]

    assert french[0]["created_by"] == {"id": None, "display_name": "Utilisateur supprimé"}
    assert english[0]["created_by"] == {"id": None, "display_name": "Deleted user"}


def test_the_api_list_takes_as_many_queries_for_many_creators_as_for_one(
    api: Api, acme: Organization, alice: User
) -> None:
    _link_by(acme, alice)
    with CaptureQueriesContext(connection) as one:
        assert api("GET", "/organizations/acme/invitations", alice).status_code == 200
    for index in range(5):
        _link_by(acme, make_member(acme, f"admin{index}@acme.test", Role.ADMIN))
    with CaptureQueriesContext(connection) as six:
        assert api("GET", "/organizations/acme/invitations", alice).json()["count"] == 6

    # Each call also authenticates a fresh bearer token: compare like with like.
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_console_says_who_created_each_invitation(
    client: Client, acme: Organization, alice: User, carol: User, django_assert_max_num_queries: Any
) -> None:
    _link_by(acme, carol)
    for index in range(5):
        _link_by(acme, make_member(acme, f"admin{index}@acme.test", Role.ADMIN, first_name=f"Admin{index}"))
    gone = make_member(acme, "gone@acme.test", Role.ADMIN)
    _link_by(acme, gone)
    gone.delete()
    client.force_login(alice)

    with django_assert_max_num_queries(15):
        response = client.get("/o/acme/console/invitations/")

    content = response.content.decode()
    assert "par Carol Colin" in content
    assert "par Admin4" in content
    assert "par Utilisateur supprimé" in content


# --- The activity log ---------------------------------------------------------------------------------------------


def test_the_activity_log_tells_of_the_revocation_and_of_the_refusal(
    client: Client, api: Api, acme: Organization, alice: User, carol: User, mona: User, dave: User
) -> None:
    _promote_and_mint_admin_link(api, alice, mona)
    api("DELETE", f"/organizations/acme/members/{mona.pk}", alice)
    _invitation, token = _link_by(acme, carol)
    Membership.objects.filter(organization=acme, user=carol).update(role=Role.MEMBER)
    _accept(api, dave, token)
    client.force_login(alice)

    content = client.get("/o/acme/console/activity/").content.decode()

    assert "a annulé 1 invitation de Mona Martin, qui ne fait plus partie de l&#x27;organisation" in content
    assert (
        "n&#x27;a pas pu accepter l&#x27;invitation de Carol Colin (membre) : son rôle ne lui permet plus "
        "d&#x27;inviter à ce rôle"
    ) in content
