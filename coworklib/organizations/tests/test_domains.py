"""E-mail domains: who may claim one, proving it through DNS, and joining automatically.

The DNS is the outside world: these tests replace `lookup_txt_records` only
(its own tests, against wire-format bytes and a local UDP server, are in test_dns.py).
"""

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_logged_in
from django.db import IntegrityError
from django.test import Client, RequestFactory
from django.utils import timezone

from conftest import PASSWORD, make_member, make_user
from coworklib.accounts.models import User
from coworklib.core.errors import Conflict, Forbidden, InvalidInput
from coworklib.core.models import AuditEntry
from coworklib.organizations import services
from coworklib.organizations.domains import DnsLookupError, is_public_email_domain, normalize_domain
from coworklib.organizations.models import EmailDomain, JoinRequest, Membership, Organization, Role
from coworklib.organizations.services import (
    add_email_domain,
    join_by_verified_domains,
    remove_email_domain,
    verify_email_domain,
)
from coworklib.organizations.tests.conftest import Api


def _admin(organization: Organization, user: User) -> Membership:
    return Membership.objects.select_related("organization", "user").get(organization=organization, user=user)


def verified_domain(organization: Organization, domain: str = "acme.test") -> EmailDomain:
    return EmailDomain.objects.create(organization=organization, domain=domain, verified_at=timezone.now())


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The DNS as the tests want it: `records` maps a name to its TXT records; `error` makes lookups fail."""
    state: dict[str, Any] = {"records": {}, "error": None, "asked": []}

    def lookup(name: str) -> list[str]:
        state["asked"].append(name)
        if state["error"] is not None:
            raise state["error"]
        return list(state["records"].get(name, []))

    monkeypatch.setattr(services, "lookup_txt_records", lookup)
    return state


def publish(dns: dict[str, Any], email_domain: EmailDomain) -> None:
    dns["records"].setdefault(email_domain.record_name, []).append(email_domain.record_value)


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


def test_admin_adds_the_domain_of_their_verified_address_unverified(acme: Organization, carol: User) -> None:
    email_domain = add_email_domain(by=_admin(acme, carol), domain="ACME.test")

    assert (email_domain.domain, email_domain.organization, email_domain.added_by) == ("acme.test", acme, carol)
    assert email_domain.verified_at is None
    assert AuditEntry.objects.filter(action="domain.added", details={"domain": "acme.test"}).exists()


def test_each_claim_gets_its_own_unguessable_token(acme: Organization, globex: Organization) -> None:
    first = EmailDomain.objects.create(organization=acme, domain="acme.test")
    second = EmailDomain.objects.create(organization=globex, domain="acme.test")

    assert first.verification_token != second.verification_token
    assert len(bytes.fromhex(first.verification_token)) * 8 >= 128
    assert first.record_name == "_coworklib-verification.acme.test"
    assert first.record_value == f"coworklib-verification={first.verification_token}"


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


def test_an_unverified_claim_elsewhere_does_not_block_the_real_owner(
    api: Api, acme: Organization, globex: Organization, carol: User
) -> None:
    squatted = EmailDomain.objects.create(organization=globex, domain="acme.test")

    response = api("POST", "/organizations/acme/domains", carol, {"domain": "acme.test"})

    assert response.status_code == 201
    assert response.json()["verified"] is False
    assert set(EmailDomain.objects.values_list("organization_id", flat=True)) == {acme.pk, globex.pk}
    assert EmailDomain.objects.get(organization=acme).verification_token != squatted.verification_token


def test_a_domain_verified_by_another_organization_is_a_conflict(
    api: Api, acme: Organization, globex: Organization, carol: User
) -> None:
    verified_domain(globex)

    response = api("POST", "/organizations/acme/domains", carol, {"domain": "acme.test"})

    assert response.status_code == 409
    assert response.json()["code"] == "domain_taken"
    assert EmailDomain.objects.get().organization == globex


def test_a_domain_already_listed_by_the_organization_is_a_conflict(acme: Organization, carol: User) -> None:
    add_email_domain(by=_admin(acme, carol), domain="acme.test")

    with pytest.raises(Conflict) as caught:
        add_email_domain(by=_admin(acme, carol), domain="acme.test")

    assert caught.value.code == "domain_taken"
    assert EmailDomain.objects.count() == 1


def test_the_database_refuses_two_verified_claims_of_one_domain(acme: Organization, globex: Organization) -> None:
    verified_domain(acme)

    with pytest.raises(IntegrityError):
        verified_domain(globex)


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
    email_domain = verified_domain(acme)

    remove_email_domain(by=_admin(acme, alice), domain_id=email_domain.pk)

    assert not EmailDomain.objects.exists()
    assert Membership.objects.filter(organization=acme, user=bob).exists()
    assert AuditEntry.objects.filter(action="domain.removed").exists()


# --- Proving control through DNS ------------------------------------------------------------------------


def test_api_lists_a_new_domain_with_the_record_to_publish(api: Api, acme: Organization, carol: User) -> None:
    created = api("POST", "/organizations/acme/domains", carol, {"domain": "acme.test"}).json()

    listed = api("GET", "/organizations/acme/domains", carol).json()

    token = EmailDomain.objects.get().verification_token
    assert created["verified"] is False
    assert created["verified_at"] is None
    assert created["dns_record"] == {
        "name": "_coworklib-verification.acme.test",
        "type": "TXT",
        "value": f"coworklib-verification={token}",
    }
    assert listed["items"] == [created]


def test_verifying_with_the_record_published_verifies_the_domain(
    api: Api, dns: dict[str, Any], acme: Organization, carol: User
) -> None:
    email_domain = add_email_domain(by=_admin(acme, carol), domain="acme.test")
    dns["records"][email_domain.record_name] = ["v=spf1 -all", f"  {email_domain.record_value} "]

    response = api("POST", f"/organizations/acme/domains/{email_domain.pk}/verify", carol)

    assert response.status_code == 200, response.content
    assert response.json()["verified"] is True
    assert dns["asked"] == ["_coworklib-verification.acme.test"]
    email_domain.refresh_from_db()
    assert email_domain.verified_at is not None
    entry = AuditEntry.objects.get(action="domain.verified")
    assert (entry.actor, entry.details) == (carol, {"domain": "acme.test", "proof": "dns"})


@pytest.mark.parametrize(
    "records",
    [[], ["coworklib-verification=not-the-token"], ["v=spf1 -all"]],
    ids=["no record", "another token", "other records"],
)
def test_verifying_without_the_record_is_domain_not_proven(
    api: Api, dns: dict[str, Any], acme: Organization, carol: User, records: list[str]
) -> None:
    email_domain = add_email_domain(by=_admin(acme, carol), domain="acme.test")
    dns["records"][email_domain.record_name] = records

    response = api("POST", f"/organizations/acme/domains/{email_domain.pk}/verify", carol)

    assert response.status_code == 409
    assert response.json()["code"] == "domain_not_proven"
    assert email_domain.record_value in response.json()["detail"]
    email_domain.refresh_from_db()
    assert email_domain.verified_at is None


def test_another_claims_record_proves_nothing(dns: dict[str, Any], acme: Organization, globex: Organization) -> None:
    # Evil's admin cannot reuse the record Acme published: it carries Acme's token.
    acme_claim = EmailDomain.objects.create(organization=acme, domain="acme.test")
    evil_claim = EmailDomain.objects.create(organization=globex, domain="acme.test")
    publish(dns, acme_claim)
    olivia = make_member(globex, "olivia@acme.test", Role.OWNER)

    with pytest.raises(Conflict) as caught:
        verify_email_domain(by=_admin(globex, olivia), domain_id=evil_claim.pk)

    assert caught.value.code == "domain_not_proven"


def test_when_the_name_server_does_not_answer_the_api_says_so(
    api: Api, dns: dict[str, Any], acme: Organization, carol: User
) -> None:
    email_domain = add_email_domain(by=_admin(acme, carol), domain="acme.test")
    dns["error"] = DnsLookupError("no answer")

    response = api("POST", f"/organizations/acme/domains/{email_domain.pk}/verify", carol)

    assert response.status_code == 503
    assert response.json()["code"] == "dns_unavailable"
    email_domain.refresh_from_db()
    assert email_domain.verified_at is None


def test_verifying_a_domain_another_organization_verified_first_is_a_conflict(
    api: Api, dns: dict[str, Any], acme: Organization, globex: Organization, carol: User
) -> None:
    email_domain = add_email_domain(by=_admin(acme, carol), domain="acme.test")
    verified_domain(globex)
    publish(dns, email_domain)

    response = api("POST", f"/organizations/acme/domains/{email_domain.pk}/verify", carol)

    assert response.status_code == 409
    assert response.json()["code"] == "domain_taken"
    email_domain.refresh_from_db()
    assert email_domain.verified_at is None


def test_verifying_a_verified_domain_again_asks_no_dns(
    api: Api, dns: dict[str, Any], acme: Organization, carol: User
) -> None:
    email_domain = verified_domain(acme)

    response = api("POST", f"/organizations/acme/domains/{email_domain.pk}/verify", carol)

    assert response.status_code == 200
    assert dns["asked"] == []


def test_another_organizations_domain_cannot_be_verified(
    api: Api, dns: dict[str, Any], acme: Organization, globex: Organization, carol: User
) -> None:
    theirs = EmailDomain.objects.create(organization=globex, domain="acme.test")
    publish(dns, theirs)

    response = api("POST", f"/organizations/acme/domains/{theirs.pk}/verify", carol)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.verified_at is None


def test_a_member_cannot_verify_a_domain(api: Api, dns: dict[str, Any], acme: Organization, bob: User) -> None:
    email_domain = EmailDomain.objects.create(organization=acme, domain="acme.test")
    publish(dns, email_domain)

    response = api("POST", f"/organizations/acme/domains/{email_domain.pk}/verify", bob)

    assert response.status_code == 403
    assert dns["asked"] == []


# --- Joining automatically ------------------------------------------------------------------------


def _confirm(user: User, email: str) -> None:
    address = EmailAddress.objects.create(user=user, email=email, verified=True)
    email_confirmed.send(sender=EmailAddress, request=RequestFactory().get("/"), email_address=address)


def test_confirming_an_address_at_a_verified_domain_joins_as_member(acme: Organization) -> None:
    verified_domain(acme)
    newcomer = User.objects.create_user(email="newcomer@acme.test", password=PASSWORD)

    _confirm(newcomer, "newcomer@acme.test")

    membership = Membership.objects.get(organization=acme, user=newcomer)
    assert membership.role == Role.MEMBER
    newcomer.refresh_from_db()
    assert newcomer.last_organization == acme
    entry = AuditEntry.objects.get(action="member.joined_by_domain")
    assert (entry.organization, entry.target_user, entry.details) == (acme, newcomer, {"domain": "acme.test"})


def test_an_unverified_claim_lets_nobody_in(acme: Organization) -> None:
    EmailDomain.objects.create(organization=acme, domain="acme.test")
    newcomer = User.objects.create_user(email="newcomer@acme.test", password=PASSWORD)

    _confirm(newcomer, "newcomer@acme.test")

    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_unverified_address_does_not_join(acme: Organization) -> None:
    verified_domain(acme)
    newcomer = User.objects.create_user(email="newcomer@acme.test", password=PASSWORD)
    EmailAddress.objects.create(user=newcomer, email="newcomer@acme.test", verified=False, primary=True)

    assert join_by_verified_domains(user=newcomer) == []
    assert not Membership.objects.filter(user=newcomer).exists()


def test_verifying_the_domain_lets_in_people_already_verified_there(
    dns: dict[str, Any], acme: Organization, carol: User, dave: User, dave_pending: JoinRequest
) -> None:
    EmailAddress.objects.create(user=dave, email="dave@ACME.test", verified=True)
    unconfirmed = make_user("erin@dave.test")
    EmailAddress.objects.create(user=unconfirmed, email="erin@acme.test", verified=False)
    subdomain = make_user("frank@paris.acme.test")
    email_domain = add_email_domain(by=_admin(acme, carol), domain="acme.test")
    publish(dns, email_domain)

    verify_email_domain(by=_admin(acme, carol), domain_id=email_domain.pk)

    assert Membership.objects.get(organization=acme, user=dave).role == Role.MEMBER
    assert not Membership.objects.filter(user__in=[unconfirmed, subdomain]).exists()
    dave_pending.refresh_from_db()
    assert dave_pending.status == JoinRequest.Status.APPROVED
    assert AuditEntry.objects.filter(action="member.joined_by_domain", target_user=dave).count() == 1


def test_a_squatter_claiming_a_colleagues_domain_harvests_nobody(
    client: Client, dns: dict[str, Any], acme: Organization, alice: User, bob: User
) -> None:
    # Bob, a member of Acme with a verified bob@acme.test, creates "Evil" and claims acme.test.
    evil = services.create_organization(user=bob, name="Evil")
    claim = add_email_domain(by=_admin(evil, bob), domain="acme.test")
    newcomer = User.objects.create_user(email="newcomer@acme.test", password=PASSWORD)

    client.post("/accounts/login/", {"login": "alice@acme.test", "password": PASSWORD})
    _confirm(newcomer, "newcomer@acme.test")
    with pytest.raises(Conflict):
        verify_email_domain(by=_admin(evil, bob), domain_id=claim.pk)

    assert list(Membership.objects.filter(organization=evil).values_list("user", flat=True)) == [bob.pk]


def test_login_joins_nobody(acme: Organization, dave: User) -> None:
    EmailAddress.objects.create(user=dave, email="dave@acme.test", verified=True)
    verified_domain(acme)

    user_logged_in.send(sender=User, request=RequestFactory().get("/"), user=dave)

    assert not Membership.objects.filter(organization=acme, user=dave).exists()


def test_joining_twice_does_nothing_more(acme: Organization, bob: User) -> None:
    verified_domain(acme)

    assert join_by_verified_domains(user=bob) == []
    assert Membership.objects.get(organization=acme, user=bob).role == Role.MEMBER
    assert not AuditEntry.objects.filter(action="member.joined_by_domain").exists()


def test_joining_by_domain_settles_a_pending_request(acme: Organization, dave: User, dave_pending: JoinRequest) -> None:
    EmailAddress.objects.create(user=dave, email="dave@acme.test", verified=True)
    verified_domain(acme)

    join_by_verified_domains(user=dave)

    dave_pending.refresh_from_db()
    assert dave_pending.status == JoinRequest.Status.APPROVED


# --- Console ------------------------------------------------------------------------


def test_console_adds_a_domain_and_shows_the_record_to_publish(client: Client, acme: Organization, carol: User) -> None:
    client.force_login(carol)

    response = client.post("/o/acme/console/domains/", {"domain": "acme.test"})
    page = client.get("/o/acme/console/domains/").content.decode()

    email_domain = EmailDomain.objects.get()
    assert response.status_code == 302
    assert (email_domain.domain, email_domain.verified_at) == ("acme.test", None)
    assert 'value="_coworklib-verification.acme.test"' in page
    assert f'value="coworklib-verification={email_domain.verification_token}"' in page
    assert "TXT" in page
    assert f"/o/acme/console/domains/{email_domain.pk}/verify/" in page
    assert "Vérifier maintenant" in page


def test_console_verifies_a_domain(client: Client, dns: dict[str, Any], acme: Organization, carol: User) -> None:
    email_domain = EmailDomain.objects.create(organization=acme, domain="acme.test")
    publish(dns, email_domain)
    client.force_login(carol)

    response = client.post(f"/o/acme/console/domains/{email_domain.pk}/verify/", follow=True)

    content = response.content.decode()
    email_domain.refresh_from_db()
    assert email_domain.verified_at is not None
    assert "est vérifié" in content
    assert "Vérifier maintenant" not in content


def test_console_explains_a_missing_record(
    client: Client, dns: dict[str, Any], acme: Organization, carol: User
) -> None:
    email_domain = EmailDomain.objects.create(organization=acme, domain="acme.test")
    client.force_login(carol)

    response = client.post(f"/o/acme/console/domains/{email_domain.pk}/verify/", follow=True)

    assert "est introuvable" in response.content.decode()
    email_domain.refresh_from_db()
    assert email_domain.verified_at is None


def test_console_cannot_verify_another_organizations_domain(
    client: Client, dns: dict[str, Any], acme: Organization, globex: Organization, carol: User
) -> None:
    theirs = EmailDomain.objects.create(organization=globex, domain="acme.test")
    publish(dns, theirs)
    client.force_login(carol)

    response = client.post(f"/o/acme/console/domains/{theirs.pk}/verify/")

    assert response.status_code == 404
    assert dns["asked"] == []


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


def test_activity_log_tells_how_a_domain_was_verified(
    client: Client, dns: dict[str, Any], acme: Organization, carol: User
) -> None:
    email_domain = EmailDomain.objects.create(organization=acme, domain="acme.test")
    publish(dns, email_domain)
    verify_email_domain(by=_admin(acme, carol), domain_id=email_domain.pk)
    client.force_login(carol)

    content = client.get("/o/acme/console/activity/").content.decode()

    assert "a vérifié le domaine acme.test par son enregistrement DNS" in content
