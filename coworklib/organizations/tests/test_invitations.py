"""Invitations: by e-mail and by shareable link; single use, expiry, revocation, the right address."""

import html
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.utils import timezone, translation

from coworklib.accounts.models import User, hash_token
from coworklib.core.errors import Conflict, Forbidden, Gone, NotFound
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import Invitation, JoinRequest, Membership, Organization, Role
from coworklib.organizations.services import (
    accept_invitation,
    create_invitation_link,
    invite_by_email,
    revoke_invitation,
)
from coworklib.organizations.tests.conftest import Api


def _admin(organization: Organization, user: User) -> Membership:
    return Membership.objects.select_related("organization", "user").get(organization=organization, user=user)


def open_link(client: Client, raw_token: str) -> None:
    """Follow an invitation link the way a browser does: it lands on /invite/, the token kept in the session."""
    response = client.get(f"/invite/{raw_token}/")
    assert (response.status_code, response["Location"]) == (302, "/invite/")


@pytest.fixture
def link(acme: Organization, alice: User) -> tuple[Invitation, str]:
    return create_invitation_link(by=_admin(acme, alice), role=Role.MEMBER)


# --- Sending ------------------------------------------------------------------------


def test_email_invitation_sends_french_html_and_text_after_commit(
    acme: Organization, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_by_email(by=_admin(acme, alice), email="New.Hire@Example.test")

    assert invitation.email == "new.hire@example.test"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == ["new.hire@example.test"]
    assert message.subject == "Alice Arnaud vous invite à rejoindre Acme sur Coworklib"
    assert "Pour accepter l'invitation" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert isinstance(html, str)
    assert "Accepter l'invitation" in html
    assert "http://" in message.body and "/invite/" in message.body


def test_the_emailed_link_carries_the_token_that_is_stored_hashed(
    acme: Organization, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_by_email(by=_admin(acme, alice), email="new@example.test")

    raw_token = mail.outbox[0].body.split("/invite/")[1].split("/")[0]
    assert len(raw_token) >= 43  # 256 bits in URL-safe base64
    assert invitation.token_hash == hash_token(raw_token)
    assert raw_token not in str(Invitation.objects.values_list().get(pk=invitation.pk))


def test_nothing_is_sent_when_the_transaction_fails(acme: Organization, alice: User) -> None:
    # Without the on-commit capture the transaction of the test never commits: no e-mail leaves.
    invite_by_email(by=_admin(acme, alice), email="new@example.test")

    assert mail.outbox == []


def test_an_invitation_email_is_french_even_when_the_admin_reads_english(
    acme: Organization, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        invite_by_email(by=_admin(acme, alice), email="new@example.test")

    assert mail.outbox[0].subject == "Alice Arnaud vous invite à rejoindre Acme sur Coworklib"


def test_an_existing_users_language_is_used_for_the_email(
    acme: Organization, alice: User, dave: User, django_capture_on_commit_callbacks: Any
) -> None:
    dave.language = "en"
    dave.save()

    with django_capture_on_commit_callbacks(execute=True):
        invite_by_email(by=_admin(acme, alice), email="dave@dave.test")

    assert mail.outbox[0].to == ["dave@dave.test"]
    assert mail.outbox[0].subject == "Alice Arnaud invites you to join Acme on Coworklib"
    assert "To accept the invitation, open this link:" in mail.outbox[0].body


def test_inviting_a_member_is_a_conflict(acme: Organization, alice: User, bob: User) -> None:
    with pytest.raises(Conflict) as caught:
        invite_by_email(by=_admin(acme, alice), email="BOB@acme.test")

    assert caught.value.code == "already_member"
    assert not Invitation.objects.exists()


def test_inviting_the_same_address_again_replaces_the_pending_invitation(acme: Organization, alice: User) -> None:
    first = invite_by_email(by=_admin(acme, alice), email="new@example.test")
    second = invite_by_email(by=_admin(acme, alice), email="new@example.test")

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_usable


def test_api_email_invitation_returns_no_token(api: Api, acme: Organization, carol: User) -> None:
    response = api("POST", "/organizations/acme/invitations", carol, {"email": "new@example.test", "role": "admin"})

    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["role"], body["token"], body["url"]) == ("new@example.test", "admin", None, None)
    assert AuditEntry.objects.filter(action="invitation.sent", actor=carol).exists()


def test_api_link_invitation_returns_the_link_once(api: Api, acme: Organization, carol: User) -> None:
    response = api("POST", "/organizations/acme/invitations", carol, {})

    assert response.status_code == 201
    body = response.json()
    assert body["email"] is None
    assert body["url"].endswith(f"/invite/{body['token']}/")
    invitation = Invitation.objects.get(pk=body["id"])
    assert invitation.token_hash == hash_token(body["token"])
    listed = api("GET", "/organizations/acme/invitations", carol).json()
    assert listed["count"] == 1
    assert "token" not in listed["items"][0]


def test_admin_cannot_invite_an_owner(api: Api, acme: Organization, carol: User) -> None:
    response = api("POST", "/organizations/acme/invitations", carol, {"role": "owner"})

    assert response.status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-address"},
        {"email": ""},
        {"email": 12},
        {"email": "a@b"},
        {"email": "x" * 250 + "@example.test"},
        {"role": "king"},
        {"email": "ok@example.test", "role": None},
    ],
)
def test_api_invitation_with_bad_input_is_422(api: Api, acme: Organization, alice: User, body: Any) -> None:
    response = api("POST", "/organizations/acme/invitations", alice, body)

    assert response.status_code == 422
    assert not Invitation.objects.exists()


def test_invitation_expiry_follows_the_setting(acme: Organization, alice: User, settings: Any) -> None:
    settings.INVITATION_VALIDITY_DAYS = 3

    invitation, _raw = create_invitation_link(by=_admin(acme, alice))

    assert timedelta(days=2, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=3)


# --- Accepting ------------------------------------------------------------------------


def test_link_is_accepted_once(acme: Organization, dave: User, olivia: User, link: tuple[Invitation, str]) -> None:
    invitation, raw = link

    membership = accept_invitation(user=dave, token=raw)

    assert membership.role == Role.MEMBER
    with pytest.raises(Gone) as caught:
        accept_invitation(user=olivia, token=raw)
    assert caught.value.code == "invitation_used"
    assert not Membership.objects.filter(organization=acme, user=olivia).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == dave
    assert AuditEntry.objects.filter(action="invitation.accepted", actor=dave, organization=acme).exists()


def test_expired_link_is_refused(acme: Organization, dave: User, link: tuple[Invitation, str], settings: Any) -> None:
    _invitation, raw = link

    later = timezone.now() + timedelta(days=settings.INVITATION_VALIDITY_DAYS, minutes=1)

    with time_machine.travel(later), pytest.raises(Gone) as caught:
        accept_invitation(user=dave, token=raw)

    assert caught.value.code == "invitation_expired"
    assert not Membership.objects.filter(organization=acme, user=dave).exists()


def test_link_still_works_just_before_it_expires(
    acme: Organization, dave: User, link: tuple[Invitation, str], settings: Any
) -> None:
    _invitation, raw = link

    with time_machine.travel(timezone.now() + timedelta(days=settings.INVITATION_VALIDITY_DAYS, minutes=-1)):
        accept_invitation(user=dave, token=raw)

    assert Membership.objects.filter(organization=acme, user=dave).exists()


def test_revoked_link_is_refused(acme: Organization, alice: User, dave: User, link: tuple[Invitation, str]) -> None:
    invitation, raw = link
    revoke_invitation(by=_admin(acme, alice), invitation_id=invitation.pk)

    with pytest.raises(Gone) as caught:
        accept_invitation(user=dave, token=raw)

    assert caught.value.code == "invitation_revoked"
    assert not Membership.objects.filter(organization=acme, user=dave).exists()
    assert AuditEntry.objects.filter(action="invitation.revoked").exists()


def test_revoking_an_accepted_invitation_is_a_conflict(
    acme: Organization, alice: User, dave: User, link: tuple[Invitation, str]
) -> None:
    invitation, raw = link
    accept_invitation(user=dave, token=raw)

    with pytest.raises(Conflict):
        revoke_invitation(by=_admin(acme, alice), invitation_id=invitation.pk)


def test_email_invitation_needs_that_verified_address(api: Api, acme: Organization, alice: User, dave: User) -> None:
    invitation = invite_by_email(by=_admin(acme, alice), email="someone.else@example.test")
    raw, token_hash = Invitation.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash)

    response = api("POST", "/invitations/accept", dave, {"token": raw})

    assert response.status_code == 403
    assert response.json()["code"] == "wrong_email"
    assert "autre adresse e-mail" in response.json()["detail"]
    assert not Membership.objects.filter(organization=acme, user=dave).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_email_invitation_refuses_an_unverified_address(acme: Organization, alice: User, dave: User) -> None:
    EmailAddress.objects.create(user=dave, email="dave@work.test", verified=False)
    invitation = invite_by_email(by=_admin(acme, alice), email="dave@work.test")
    raw, token_hash = Invitation.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash)

    with pytest.raises(Forbidden) as caught:
        accept_invitation(user=dave, token=raw)

    assert caught.value.code == "wrong_email"


def test_email_invitation_is_accepted_with_the_verified_address(
    api: Api, acme: Organization, carol: User, dave: User
) -> None:
    invitation = invite_by_email(by=_admin(acme, carol), email="DAVE@dave.test", role=Role.ADMIN)
    raw, token_hash = Invitation.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash)

    response = api("POST", "/invitations/accept", dave, {"token": raw})

    assert response.status_code == 200
    assert response.json() == {"id": acme.pk, "name": "Acme", "slug": "acme", "role": "admin"}
    assert Membership.objects.get(organization=acme, user=dave).role == Role.ADMIN


def test_accepting_settles_a_pending_join_request(
    acme: Organization, dave: User, dave_pending: JoinRequest, link: tuple[Invitation, str]
) -> None:
    accept_invitation(user=dave, token=link[1])

    dave_pending.refresh_from_db()
    assert dave_pending.status == JoinRequest.Status.APPROVED


def test_a_member_accepting_does_not_use_up_the_link(bob: User, link: tuple[Invitation, str]) -> None:
    invitation, raw = link

    with pytest.raises(Conflict):
        accept_invitation(user=bob, token=raw)

    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize("token", ["nope", "x" * 200, "x" * 201])
def test_unknown_token_is_404(api: Api, dave: User, token: str) -> None:
    response = api("POST", "/invitations/accept", dave, {"token": token})

    assert response.status_code in {404, 422}
    assert not Membership.objects.filter(user=dave).exists()


@pytest.mark.parametrize("body", [{}, {"token": ""}, {"token": 5}, {"token": None}])
def test_accept_with_bad_input_is_422(api: Api, dave: User, body: Any) -> None:
    assert api("POST", "/invitations/accept", dave, body).status_code == 422


def test_api_accept_answers_410_for_a_used_link(
    api: Api, dave: User, olivia: User, link: tuple[Invitation, str]
) -> None:
    api("POST", "/invitations/accept", dave, {"token": link[1]})

    response = api("POST", "/invitations/accept", olivia, {"token": link[1]})

    assert response.status_code == 410
    assert response.json()["code"] == "invitation_used"


# --- The invitation page ------------------------------------------------------------------------


def test_the_link_moves_at_once_to_an_address_without_the_token(client: Client, link: tuple[Invitation, str]) -> None:
    response = client.get(f"/invite/{link[1]}/")

    assert response.status_code == 302
    assert response["Location"] == "/invite/"
    assert link[1] not in response["Location"]
    assert "no-store" in response["Cache-Control"]
    assert link[0].accepted_at is None


def test_invitation_page_shows_the_organization_to_anonymous_visitors_with_signup_and_login(
    client: Client, link: tuple[Invitation, str]
) -> None:
    open_link(client, link[1])

    response = client.get("/invite/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Acme" in content
    assert "/accounts/signup/?next=%2Finvite%2F" in content
    assert "/accounts/login/?next=%2Finvite%2F" in content
    assert link[1] not in content


def test_anonymous_post_on_invitation_page_changes_nothing(client: Client, link: tuple[Invitation, str]) -> None:
    open_link(client, link[1])

    response = client.post("/invite/")

    assert response.status_code == 200
    link[0].refresh_from_db()
    assert link[0].accepted_at is None


def test_invitation_page_accepts_and_opens_the_organization(
    client: Client, acme: Organization, dave: User, link: tuple[Invitation, str]
) -> None:
    client.force_login(dave)
    open_link(client, link[1])

    page = client.get("/invite/")
    response = client.post("/invite/")

    assert 'type="submit"' in page.content.decode()
    assert link[1] not in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/"
    assert Membership.objects.filter(organization=acme, user=dave).exists()
    dave.refresh_from_db()
    assert dave.last_organization == acme
    assert client.get("/invite/").status_code == 404  # the session no longer holds the token


def test_the_invitation_page_without_a_link_opened_is_404(client: Client, dave: User) -> None:
    client.force_login(dave)

    response = client.get("/invite/")

    assert response.status_code == 404
    assert "n'existe pas" in response.content.decode()


def test_the_last_link_opened_is_the_one_shown(
    client: Client, acme: Organization, globex: Organization, olivia: User, link: tuple[Invitation, str]
) -> None:
    _invitation, globex_raw = create_invitation_link(by=_admin(globex, olivia))
    open_link(client, link[1])
    open_link(client, globex_raw)

    assert "Globex" in client.get("/invite/").content.decode()


@pytest.mark.parametrize(
    ("state", "status", "text"),
    [
        ("used", 410, "déjà été utilisée"),
        ("revoked", 410, "annulée"),
        ("expired", 410, "expiré"),
    ],
)
def test_invitation_page_explains_an_unusable_link(
    client: Client, dave: User, link: tuple[Invitation, str], state: str, status: int, text: str
) -> None:
    invitation, raw = link
    field = {"used": "accepted_at", "revoked": "revoked_at", "expired": "expires_at"}[state]
    Invitation.objects.filter(pk=invitation.pk).update(**{field: timezone.now() - timedelta(seconds=1)})
    client.force_login(dave)
    open_link(client, raw)

    get_response = client.get("/invite/")
    post_response = client.post("/invite/")

    assert get_response.status_code == post_response.status_code == status
    assert text in get_response.content.decode()
    assert not Membership.objects.filter(user=dave).exists()


def test_invitation_page_for_an_unknown_token_is_404(client: Client, dave: User) -> None:
    client.force_login(dave)
    open_link(client, "a" * 43)

    response = client.get("/invite/")

    assert response.status_code == 404
    assert "n'existe pas" in response.content.decode()


def test_invitation_page_warns_the_wrong_address_before_accepting(
    client: Client, acme: Organization, alice: User, dave: User
) -> None:
    invitation = invite_by_email(by=_admin(acme, alice), email="other@example.test")
    raw, token_hash = Invitation.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash)
    client.force_login(dave)
    open_link(client, raw)

    page = client.get("/invite/")
    post = client.post("/invite/")

    assert "autre adresse e-mail" in page.content.decode()
    assert post.status_code == 403
    assert not Membership.objects.filter(organization=acme, user=dave).exists()


def test_dashboard_lists_invitations_to_my_verified_address_and_accepts_them(
    client: Client, acme: Organization, alice: User, dave: User
) -> None:
    invitation = invite_by_email(by=_admin(acme, alice), email="dave@dave.test")
    client.force_login(dave)

    dashboard = client.get("/app/")
    response = client.post(f"/invitations/{invitation.pk}/accept/")

    assert "Acme" in dashboard.content.decode()
    assert response.status_code == 302
    assert Membership.objects.filter(organization=acme, user=dave).exists()


@pytest.mark.parametrize("state", ["pending", "revoked", "expired", "used"])
def test_by_id_someone_else_learns_nothing_of_an_invitations_state(
    client: Client, acme: Organization, alice: User, olivia: User, state: str
) -> None:
    invitation = invite_by_email(by=_admin(acme, alice), email="dave@dave.test")
    field = {"revoked": "revoked_at", "expired": "expires_at", "used": "accepted_at"}.get(state)
    if field is not None:
        Invitation.objects.filter(pk=invitation.pk).update(**{field: timezone.now() - timedelta(seconds=1)})
    client.force_login(olivia)

    response = client.post(f"/invitations/{invitation.pk}/accept/", follow=True)

    assert response.status_code == 404
    assert "annulée" not in response.content.decode()
    assert "expiré" not in response.content.decode()
    assert not Membership.objects.filter(organization=acme, user=olivia).exists()


def test_by_id_the_addressee_is_told_an_invitation_was_revoked(
    client: Client, acme: Organization, alice: User, dave: User
) -> None:
    invitation = invite_by_email(by=_admin(acme, alice), email="dave@dave.test")
    revoke_invitation(by=_admin(acme, alice), invitation_id=invitation.pk)
    client.force_login(dave)

    response = client.post(f"/invitations/{invitation.pk}/accept/", follow=True)

    assert response.redirect_chain[0] == ("/organizations/", 302)
    assert "annulée par l'organisation" in html.unescape(response.content.decode())
    assert not Membership.objects.filter(organization=acme, user=dave).exists()


def test_the_service_hides_a_revoked_invitation_from_someone_else(
    acme: Organization, alice: User, olivia: User
) -> None:
    invitation = invite_by_email(by=_admin(acme, alice), email="dave@dave.test")
    revoke_invitation(by=_admin(acme, alice), invitation_id=invitation.pk)

    with pytest.raises(NotFound):
        accept_invitation(user=olivia, invitation_id=invitation.pk)


def test_an_email_invitation_cannot_be_accepted_by_id_by_someone_else(
    client: Client, acme: Organization, alice: User, olivia: User
) -> None:
    invitation = invite_by_email(by=_admin(acme, alice), email="dave@dave.test")
    client.force_login(olivia)

    response = client.post(f"/invitations/{invitation.pk}/accept/")

    assert response.status_code == 404
    assert not Membership.objects.filter(organization=acme, user=olivia).exists()


def test_a_link_invitation_cannot_be_accepted_by_id(
    client: Client, acme: Organization, dave: User, link: tuple[Invitation, str]
) -> None:
    client.force_login(dave)

    response = client.post(f"/invitations/{link[0].pk}/accept/")

    assert response.status_code == 404
    assert not Membership.objects.filter(organization=acme, user=dave).exists()


# --- Console ------------------------------------------------------------------------


def test_console_sends_an_email_invitation(
    client: Client, acme: Organization, carol: User, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/o/acme/console/invitations/", {"email-email": "new@example.test", "email-role": "member"}
        )

    assert response.status_code == 302
    assert Invitation.objects.get().email == "new@example.test"
    assert mail.outbox[0].to == ["new@example.test"]


def test_console_keeps_the_typed_address_after_an_error(
    client: Client, acme: Organization, carol: User, bob: User
) -> None:
    client.force_login(carol)

    response = client.post("/o/acme/console/invitations/", {"email-email": "bob@acme.test", "email-role": "member"})

    assert response.status_code == 409
    content = response.content.decode()
    assert 'value="bob@acme.test"' in content
    assert "déjà membre" in content
    assert not Invitation.objects.exists()


def test_console_shows_a_new_link_once_and_only_its_hash_is_kept(
    client: Client, acme: Organization, alice: User
) -> None:
    client.force_login(alice)

    created = client.post("/o/acme/console/invitations/link/", {"link-role": "member"})
    later = client.get("/o/acme/console/invitations/")

    raw = created.content.decode().split("/invite/")[1].split("/")[0]
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    assert Invitation.objects.get().token_hash == hash_token(raw)
    assert raw not in later.content.decode()
    assert "Lien à usage unique" in later.content.decode()


def test_console_revokes_an_invitation(
    client: Client, acme: Organization, alice: User, link: tuple[Invitation, str]
) -> None:
    client.force_login(alice)

    client.post(f"/o/acme/console/invitations/{link[0].pk}/revoke/")

    link[0].refresh_from_db()
    assert link[0].revoked_at is not None


def test_console_lists_pending_invitations_with_their_expiry(
    client: Client, acme: Organization, alice: User, link: tuple[Invitation, str]
) -> None:
    client.force_login(alice)

    content = client.get("/o/acme/console/invitations/").content.decode()

    assert "expire le" in content
    assert f"/o/acme/console/invitations/{link[0].pk}/revoke/" in content


def test_a_newcomer_signs_up_from_the_link_and_comes_back_to_it(
    client: Client, acme: Organization, link: tuple[Invitation, str]
) -> None:
    invite_path = "/invite/"
    open_link(client, link[1])
    signup = client.get(invite_path).content.decode()
    signup_match = re.search(r'href="(/accounts/signup/\?next=[^"]+)"', signup)
    assert signup_match is not None
    signup_url = html.unescape(signup_match.group(1))

    client.post(
        signup_url,
        {
            "email": "zoe@example.test",
            "password1": "Sup3r-secret-passphrase",
            "password2": "Sup3r-secret-passphrase",
            "first_name": "Zoé",
            "last_name": "Zola",
            "accept_terms": "on",
            "is_adult": "on",
        },
    )
    confirm_match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", str(mail.outbox[-1].body))
    assert confirm_match is not None
    back = client.post(confirm_match.group(1))
    accepted = client.post(back["Location"])

    assert back["Location"] == invite_path
    assert link[1] not in signup_url
    assert accepted["Location"] == "/o/acme/"
    assert Membership.objects.filter(organization=acme, user__email="zoe@example.test").exists()
