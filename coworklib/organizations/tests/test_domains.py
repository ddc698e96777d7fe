"""Verified e-mail domains: who may claim one, and automatic joining on confirmation and login."""

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_logged_in
from django.test import Client, RequestFactory

from conftest import PASSWORD, make_user
from coworklib.accounts.models import User
from coworklib.core.errors import Conflict, Forbidden, InvalidInput
from coworklib.core.models import AuditEntry
from coworklib.organizations.domains import is_public_email_domain, normalize_domain
from coworklib.organizations.models import EmailDomain, JoinRequest, Membership, Organization, Role
from coworklib.organizations.services import add_email_domain, join_by_verified_domains, remove_email_domain
from coworklib.organizations.tests.conftest import Api


def _admin(organization: Organization, user: User) -> Membership:
    return Membership.objects.select_related("organization", "user").get(organization=organization, user=user)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("acme.fr", "acme.fr"),
        ("  @Acme.FR. ", "acme.fr"),
        ("alice@acme.fr", "acme.fr"),
        ("société.fr", "xn--socit-esab.fr"),
        ("localhost", None),
        ("acme..fr", None),
        ("-acme.fr", None),
        ("acme fr", None),
        ("", None),
        ("a" * 250 + ".fr", None),
    ],
)
def test_domains_are_normalized(raw: str, expected: str | None) -> None:
    assert normalize_domain(raw) == expected


@pytest.mark.parametrize(
    "domain",
    ["gmail.com", "outlook.com", "hotmail.fr", "yahoo.fr", "yahoo.co.uk", "orange.fr", "free.fr", "laposte.net",
     "icloud.com", "proton.me", "protonmail.com", "wanadoo.fr", "sfr.fr", "gmx.de", "gmx.net", "live.com"],
)  # fmt: skip
def test_public_webmail_domains_are_recognised(domain: str) -> None:
    assert is_public_email_domain(domain)


@pytest.mark.parametrize("domain", ["acme.fr", "live.acme-group.com", "gmxsolutions.fr", "mail.acme.fr"])
def test_company_domains_are_not_public(domain: str) -> None:
    assert not is_public_email_domain(domain)


def test_admin_adds_the_domain_of_their_verified_address(acme: Organization, carol: User) -> None:
    email_domain = add_email_domain(by=_admin(acme, carol), domain="ACME.test")

    assert (email_domain.domain, email_domain.organization, email_domain.added_by) == ("acme.test", acme, carol)
    assert AuditEntry.objects.filter(action="domain.added", details={"domain": "acme.test"}).exists()


def test_a_domain_the_admin_does_not_hold_is_refused(acme: Organization, carol: User) -> None:
    with pytest.raises(Forbidden) as caught:
        add_email_domain(by=_admin(acme, carol), domain="globex.test")

    assert caught.value.code == "domain_not_verified"
    assert not EmailDomain.objects.exists()


def test_an_unverified_address_is_no_proof(acme: Organization, carol: User) -> None:
    EmailAddress.objects.create(user=carol, email="carol@acme-group.test", verified=False)

    with pytest.raises(Forbidden):
        add_email_domain(by=_admin(acme, carol), domain="acme-group.test")

    assert not EmailDomain.objects.exists()


def test_a_public_webmail_domain_is_refused_even_when_held(acme: Organization, carol: User) -> None:
    EmailAddress.objects.create(user=carol, email="carol.colin@gmail.com", verified=True)

    with pytest.raises(Forbidden) as caught:
        add_email_domain(by=_admin(acme, carol), domain="gmail.com")

    assert caught.value.code == "public_email_domain"
    assert not EmailDomain.objects.exists()


def test_a_domain_claimed_by_another_organization_is_a_conflict(
    api: Api, acme: Organization, globex: Organization, carol: User
) -> None:
    EmailDomain.objects.create(organization=globex, domain="acme.test")

    response = api("POST", "/organizations/acme/domains", carol, {"domain": "acme.test"})

    assert response.status_code == 409
    assert response.json()["code"] == "domain_taken"
    assert EmailDomain.objects.get().organization == globex


def test_a_domain_already_held_by_the_organization_is_a_conflict(acme: Organization, carol: User) -> None:
    add_email_domain(by=_admin(acme, carol), domain="acme.test")

    with pytest.raises(Conflict):
        add_email_domain(by=_admin(acme, carol), domain="acme.test")

    assert EmailDomain.objects.count() == 1


def test_a_member_cannot_add_a_domain(api: Api, acme: Organization, bob: User) -> None:
    response = api("POST", "/organizations/acme/domains", bob, {"domain": "acme.test"})

    assert response.status_code == 403
    assert not EmailDomain.objects.exists()


def test_garbage_is_invalid_input(acme: Organization, carol: User) -> None:
    with pytest.raises(InvalidInput):
        add_email_domain(by=_admin(acme, carol), domain="not a domain")


@pytest.mark.parametrize("body", [{"domain": "not a domain"}, {"domain": ""}, {"domain": 3}, {}, {"domain": "x" * 254}])
def test_api_bad_domain_is_422(api: Api, acme: Organization, carol: User, body: Any) -> None:
    assert api("POST", "/organizations/acme/domains", carol, body).status_code == 422
    assert not EmailDomain.objects.exists()


def test_removing_a_domain_keeps_the_members(acme: Organization, alice: User, bob: User) -> None:
    email_domain = EmailDomain.objects.create(organization=acme, domain="acme.test")

    remove_email_domain(by=_admin(acme, alice), domain_id=email_domain.pk)

    assert not EmailDomain.objects.exists()
    assert Membership.objects.filter(organization=acme, user=bob).exists()
    assert AuditEntry.objects.filter(action="domain.removed").exists()


# --- Joining automatically ------------------------------------------------------------------------


def test_confirming_an_address_at_a_claimed_domain_joins_as_member(acme: Organization) -> None:
    EmailDomain.objects.create(organization=acme, domain="acme.test")
    newcomer = User.objects.create_user(email="newcomer@acme.test", password=PASSWORD)
    address = EmailAddress.objects.create(user=newcomer, email="newcomer@acme.test", verified=True, primary=True)

    email_confirmed.send(sender=EmailAddress, request=RequestFactory().get("/"), email_address=address)

    membership = Membership.objects.get(organization=acme, user=newcomer)
    assert membership.role == Role.MEMBER
    newcomer.refresh_from_db()
    assert newcomer.last_organization == acme
    entry = AuditEntry.objects.get(action="member.joined_by_domain")
    assert (entry.organization, entry.target_user, entry.details) == (acme, newcomer, {"domain": "acme.test"})


def test_an_unverified_address_does_not_join(acme: Organization) -> None:
    EmailDomain.objects.create(organization=acme, domain="acme.test")
    newcomer = User.objects.create_user(email="newcomer@acme.test", password=PASSWORD)
    EmailAddress.objects.create(user=newcomer, email="newcomer@acme.test", verified=False, primary=True)

    assert join_by_verified_domains(user=newcomer) == []
    assert not Membership.objects.filter(user=newcomer).exists()


def test_login_joins_an_already_verified_user(acme: Organization, dave: User) -> None:
    EmailAddress.objects.create(user=dave, email="dave@acme.test", verified=True)
    EmailDomain.objects.create(organization=acme, domain="acme.test")

    user_logged_in.send(sender=User, request=RequestFactory().get("/"), user=dave)

    assert Membership.objects.filter(organization=acme, user=dave, role=Role.MEMBER).exists()


def test_joining_twice_does_nothing_more(acme: Organization, bob: User) -> None:
    EmailDomain.objects.create(organization=acme, domain="acme.test")

    assert join_by_verified_domains(user=bob) == []
    assert Membership.objects.get(organization=acme, user=bob).role == Role.MEMBER
    assert not AuditEntry.objects.filter(action="member.joined_by_domain").exists()


def test_joining_by_domain_settles_a_pending_request(acme: Organization, dave: User, dave_pending: JoinRequest) -> None:
    EmailAddress.objects.create(user=dave, email="dave@acme.test", verified=True)
    EmailDomain.objects.create(organization=acme, domain="acme.test")

    join_by_verified_domains(user=dave)

    dave_pending.refresh_from_db()
    assert dave_pending.status == JoinRequest.Status.APPROVED


def test_a_real_allauth_login_joins_by_domain(client: Client, acme: Organization) -> None:
    EmailDomain.objects.create(organization=acme, domain="acme.test")
    make_user("frank@acme.test")

    response = client.post("/accounts/login/", {"login": "frank@acme.test", "password": PASSWORD})

    assert response.status_code == 302
    assert Membership.objects.filter(organization=acme, user__email="frank@acme.test").exists()


# --- Console ------------------------------------------------------------------------


def test_console_adds_a_domain(client: Client, acme: Organization, carol: User) -> None:
    client.force_login(carol)

    response = client.post("/o/acme/console/domains/", {"domain": "acme.test"})

    assert response.status_code == 302
    assert EmailDomain.objects.get().domain == "acme.test"


def test_console_explains_a_refused_domain_next_to_the_field(client: Client, acme: Organization, carol: User) -> None:
    client.force_login(carol)

    response = client.post("/o/acme/console/domains/", {"domain": "globex.test"})

    content = response.content.decode()
    assert response.status_code == 403
    assert 'id="id_domain_error"' in content
    assert 'value="globex.test"' in content
    assert "acme.test" in content  # the admin is told which domains they do hold
    assert not EmailDomain.objects.exists()


def test_console_removes_a_domain(client: Client, acme: Organization, carol: User) -> None:
    email_domain = EmailDomain.objects.create(organization=acme, domain="acme.test")
    client.force_login(carol)

    client.post(f"/o/acme/console/domains/{email_domain.pk}/remove/")

    assert not EmailDomain.objects.exists()
