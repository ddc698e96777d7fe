"""The Django admin for platform staff."""

import pytest
from django.test import Client

from coworklib.accounts.models import User
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import EmailDomain, Invitation, JoinRequest, Membership, Organization


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
