"""Bad input anywhere is a 4xx that changes nothing, never a 500."""

import json
from typing import Any

import pytest
from django.test import Client

from conftest import bearer as _bearer
from coworklib.accounts.models import User
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import EmailDomain, Invitation, JoinRequest, Membership, Organization
from coworklib.organizations.tests.conftest import Api


def _state() -> tuple[Any, ...]:
    return (
        list(Organization.objects.values_list("name", "slug", "allow_join_requests", "require_mfa_for_admins")),
        list(Membership.objects.values_list("user_id", "role").order_by("pk")),
        Invitation.objects.count(),
        JoinRequest.objects.count(),
        EmailDomain.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/organizations/acme", [None, None]),
        ("PATCH", "/organizations/acme", 5),
        ("PATCH", "/organizations/acme", {"name": ""}),
        ("PATCH", "/organizations/acme", {"name": "x" * 10_000}),
        ("PATCH", "/organizations/acme", {"slug": "x" * 51}),
        ("PATCH", "/organizations/acme", {"slug": "123"}),
        ("PATCH", "/organizations/acme", {"allow_join_requests": "maybe"}),
        ("PATCH", "/organizations/acme", {"require_mfa_for_admins": [True]}),
        ("PATCH", "/organizations/acme/members/{bob}", []),
        ("PATCH", "/organizations/acme/members/{bob}", {}),
        ("PATCH", "/organizations/acme/members/0", {"role": "admin"}),
        ("PATCH", "/organizations/acme/members/-3", {"role": "admin"}),
        ("PATCH", "/organizations/acme/members/abc", {"role": "admin"}),
        ("PATCH", "/organizations/acme/members/99999999999999999999999", {"role": "admin"}),
        ("DELETE", "/organizations/acme/members/1.5", None),
        ("POST", "/organizations/acme/transfer-ownership", {"user_id": "bob"}),
        ("POST", "/organizations/acme/transfer-ownership", {"user_id": 10**30}),
        ("POST", "/organizations/acme/transfer-ownership", {}),
        ("POST", "/organizations/acme/invitations", [None]),
        ("POST", "/organizations/acme/invitations", {"email": "a" * 300 + "@example.test"}),
        ("DELETE", "/organizations/acme/invitations/xyz", None),
        ("POST", "/organizations/acme/join-requests", ["hello"]),
        ("POST", "/organizations/acme/join-requests/0/approve", None),
        ("POST", "/organizations/acme/domains", {"domain": ["acme.test"]}),
        ("POST", "/organizations/acme/domains", {"domain": "acme.test\u0000"}),
        ("POST", "/invitations/accept", ["token"]),
        ("POST", "/invitations/accept", {"token": "x" * 100_000}),
        ("GET", "/organizations/acme/members?limit=0", None),
        ("GET", "/organizations/acme/members?offset=-1", None),
        ("GET", "/organizations/acme/members?q=" + "x" * 500, None),
    ],
)
def test_bad_api_input_is_422_and_changes_nothing(
    api: Api, acme: Organization, alice: User, bob: User, method: str, path: str, body: Any
) -> None:
    before = _state()

    response = api(method, path.replace("{bob}", str(bob.pk)), alice, body)

    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert _state() == before


@pytest.mark.parametrize("raw", [b"{", b"", b"null", b'{"name": "x"', b"\xff\xfe"])
def test_malformed_json_is_422(api: Api, acme: Organization, alice: User, raw: bytes) -> None:
    before = _state()

    response = api.client.patch(
        "/api/v1/organizations/acme", data=raw, content_type="application/json", headers=_bearer(alice)
    )

    assert response.status_code == 422
    assert _state() == before


@pytest.mark.parametrize("org_ref", ["ACME", "acme/", "ac me", "%00", "-1", "0", "9" * 40, "é", "a" * 300])
def test_odd_organization_references_are_404(api: Api, acme: Organization, alice: User, org_ref: str) -> None:
    response = api("GET", f"/organizations/{org_ref}/members", alice)

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/organizations/new/", {"name": "x" * 10_000}),
        ("/organizations/new/", {"name": "", "slug": ""}),
        ("/organizations/new/", {"name": "Ok", "slug": "x" * 500}),
        ("/o/acme/console/settings/", {"name": "", "slug": "acme"}),
        ("/o/acme/console/settings/", {"name": "Acme", "slug": "UPPER CASE"}),
        ("/o/acme/console/invitations/", {"email-email": "not-an-email", "email-role": "member"}),
        ("/o/acme/console/invitations/", {"email-email": "ok@example.test", "email-role": "emperor"}),
        ("/o/acme/console/invitations/link/", {"link-role": "emperor"}),
        ("/o/acme/console/domains/", {"domain": ""}),
        ("/o/acme/console/domains/", {"domain": "not a domain"}),
        ("/join/", {"slug": "", "message": "x"}),
        ("/join/", {"slug": "acme", "message": "x" * 5000}),
    ],
)
def test_bad_form_input_is_refused_with_the_form_and_changes_nothing(
    client: Client, acme: Organization, alice: User, path: str, data: dict[str, str]
) -> None:
    client.force_login(alice)
    before = _state()

    response = client.post(path, data)

    assert response.status_code == 422
    assert 'class="errorlist' in response.content.decode()
    assert _state() == before


def test_bad_role_in_console_changes_nothing(client: Client, acme: Organization, alice: User, bob: User) -> None:
    client.force_login(alice)
    before = _state()

    response = client.post(f"/o/acme/console/members/{bob.pk}/role/", {"role": "emperor"}, follow=True)

    assert "Choisissez un rôle dans la liste." in response.content.decode()
    assert _state() == before


def test_a_non_json_content_type_is_refused(api: Api, acme: Organization, alice: User) -> None:
    before = _state()

    response = api.client.post("/api/v1/organizations", data={"name": "Form"}, headers=_bearer(alice))

    assert response.status_code == 422
    assert _state() == before
    assert json.loads(response.content)["code"] == "invalid"
