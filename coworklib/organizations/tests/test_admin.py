"""The Django admin for platform staff."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from coworklib.accounts.models import User
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import Departure, EmailDomain, Invitation, JoinRequest, Membership, Organization


@pytest.fixture
def staff_client(client: Client, db: object) -> Client:
    client.force_login(User.objects.create_superuser(email="staff@coworklib.test", password="x" * 12))
    return client


@pytest.fixture
def objects(acme: Organization, alice: User, dave: User) -> dict[str, int]:
    _raw, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(organization=acme, email="x@example.test", token_hash=token_hash)
    return {
        "organization": acme.pk,
        "membership": Membership.objects.get(user=alice).pk,
        "invitation": invitation.pk,
        "joinrequest": JoinRequest.objects.create(organization=acme, user=dave).pk,
        "emaildomain": EmailDomain.objects.create(organization=acme, domain="acme.test").pk,
        "departure": Departure.objects.create(organization=acme, user=dave, reason=Departure.Reason.LEFT).pk,
        "auditentry": AuditEntry.objects.create(organization=acme, actor=alice, action="member.left").pk,
    }


@pytest.mark.parametrize(
    ("app", "model"),
    [
        ("organizations", "organization"),
        ("organizations", "membership"),
        ("organizations", "invitation"),
        ("organizations", "joinrequest"),
        ("organizations", "emaildomain"),
        ("organizations", "departure"),
        ("core", "auditentry"),
    ],
)
def test_staff_see_the_list_and_detail_pages(
    staff_client: Client, objects: dict[str, int], app: str, model: str
) -> None:
    assert staff_client.get(f"/staff/admin/{app}/{model}/").status_code == 200
    assert staff_client.get(f"/staff/admin/{app}/{model}/{objects[model]}/change/").status_code == 200


def test_invitation_admin_never_shows_the_token_hash(staff_client: Client, objects: dict[str, int]) -> None:
    invitation = Invitation.objects.get(pk=objects["invitation"])

    content = staff_client.get(f"/staff/admin/organizations/invitation/{invitation.pk}/change/").content.decode()

    assert invitation.token_hash not in content
    assert staff_client.get("/staff/admin/organizations/invitation/add/").status_code == 403


def test_audit_log_is_read_only_in_the_admin(staff_client: Client, objects: dict[str, int]) -> None:
    entry_id = objects["auditentry"]

    response = staff_client.post(f"/staff/admin/core/auditentry/{entry_id}/change/", {"action": "forged"})

    assert response.status_code == 403
    assert AuditEntry.objects.get(pk=entry_id).action == "member.left"
    assert staff_client.post(f"/staff/admin/core/auditentry/{entry_id}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry_id).exists()


def test_staff_can_add_any_domain(staff_client: Client, acme: Organization) -> None:
    response = staff_client.post(
        "/staff/admin/organizations/emaildomain/add/", {"organization": acme.pk, "domain": "acme-group.test"}
    )

    assert response.status_code == 302
    email_domain = EmailDomain.objects.get()
    assert email_domain.domain == "acme-group.test"
    assert email_domain.added_by is not None
    assert email_domain.added_by.email == "staff@coworklib.test"


def test_a_domain_staff_add_starts_unverified(staff_client: Client, acme: Organization) -> None:
    staff_client.post(
        "/staff/admin/organizations/emaildomain/add/",
        {"organization": acme.pk, "domain": "acme-group.test", "verified_at": "2026-01-01 00:00:00"},
    )

    assert EmailDomain.objects.get().verified_at is None


def test_staff_mark_a_domain_verified_and_its_people_join(
    staff_client: Client, acme: Organization, globex: Organization, olivia: User, dave: User
) -> None:
    EmailAddress.objects.create(user=dave, email="dave@globex.test", verified=True)
    email_domain = EmailDomain.objects.create(organization=globex, domain="globex.test")
    squatted = EmailDomain.objects.create(organization=acme, domain="globex.test")

    for selected in (email_domain, squatted):
        response = staff_client.post(
            "/staff/admin/organizations/emaildomain/",
            {"action": "mark_verified", "_selected_action": [selected.pk]},
            follow=True,
        )

    email_domain.refresh_from_db()
    squatted.refresh_from_db()
    assert response.status_code == 200
    assert email_domain.verified_at is not None
    assert squatted.verified_at is None  # only one organization can hold a verified domain
    assert "déjà vérifié par une autre organisation" in response.content.decode()
    assert Membership.objects.filter(organization=globex, user=dave).exists()
    assert AuditEntry.objects.get(action="domain.verified").details == {"domain": "globex.test", "proof": "staff"}
