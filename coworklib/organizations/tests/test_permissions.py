"""Roles × endpoints: who may do what in Acme (pretix's test_permissions style).

owner = alice, admin = carol, member = bob, outsider = olivia (owner of Globex),
anonymous = nobody signed in. 403 only ever answers someone inside Acme; anyone
outside gets 404, as if Acme did not exist.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.organizations.models import EmailDomain, Invitation, JoinRequest, Organization, Role
from coworklib.organizations.tests.conftest import Api

ROLES = ["owner", "admin", "member", "outsider", "anonymous"]


@dataclass
class World:
    acme: Organization
    users: dict[str, User | None]
    erin: User
    invitation: Invitation
    join_request: JoinRequest
    domain: EmailDomain
    link_token: str


@pytest.fixture
def world(acme: Organization, alice: User, carol: User, bob: User, olivia: User, dave: User) -> World:
    erin = make_member(acme, "erin@acme.test", Role.MEMBER, first_name="Erin", last_name="Egal")
    _raw, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(organization=acme, token_hash=token_hash, created_by=alice)
    link_raw, link_hash = Invitation.new_token()
    Invitation.objects.create(organization=acme, token_hash=link_hash, created_by=alice)
    join_request = JoinRequest.objects.create(organization=acme, user=dave)
    # Verified already, so that verifying it again answers without asking the DNS.
    domain = EmailDomain.objects.create(
        organization=acme, domain="acme-old.test", added_by=alice, verified_at=timezone.now()
    )
    users: dict[str, User | None] = {
        "owner": alice,
        "admin": carol,
        "member": bob,
        "outsider": olivia,
        "anonymous": None,
    }
    return World(acme, users, erin, invitation, join_request, domain, link_raw)


# method, path (formatted with the world), body, expected status per role
API_MATRIX: list[tuple[str, str, Any, dict[str, int]]] = [
    ("GET", "/organizations", None, {"owner": 200, "admin": 200, "member": 200, "outsider": 200, "anonymous": 401}),
    (
        "POST",
        "/organizations",
        {"name": "Nouvelle"},
        {"owner": 201, "admin": 201, "member": 201, "outsider": 201, "anonymous": 401},
    ),
    (
        "GET",
        "/organizations/acme",
        None,
        {"owner": 200, "admin": 200, "member": 200, "outsider": 404, "anonymous": 401},
    ),
    (
        "GET",
        "/organizations/{acme_id}",
        None,
        {"owner": 200, "admin": 200, "member": 200, "outsider": 404, "anonymous": 401},
    ),
    (
        "PATCH",
        "/organizations/acme",
        {"name": "Acme SA"},
        {"owner": 200, "admin": 200, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "GET",
        "/organizations/acme/members",
        None,
        {"owner": 200, "admin": 200, "member": 200, "outsider": 404, "anonymous": 401},
    ),
    (
        "GET",
        "/organizations/acme/members/{erin_id}",
        None,
        {"owner": 200, "admin": 200, "member": 200, "outsider": 404, "anonymous": 401},
    ),
    (
        "PATCH",
        "/organizations/acme/members/{erin_id}",
        {"role": "admin"},
        {"owner": 200, "admin": 200, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "PATCH",
        "/organizations/acme/members/{erin_id}",
        {"role": "owner"},
        {"owner": 200, "admin": 403, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "DELETE",
        "/organizations/acme/members/{erin_id}",
        None,
        {"owner": 204, "admin": 204, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "POST",
        "/organizations/acme/transfer-ownership",
        {"user_id": "{erin_id}"},
        {"owner": 200, "admin": 403, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "GET",
        "/organizations/acme/invitations",
        None,
        {"owner": 200, "admin": 200, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "POST",
        "/organizations/acme/invitations",
        {"role": "member"},
        {"owner": 201, "admin": 201, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "POST",
        "/organizations/acme/invitations",
        {"email": "new@example.test", "role": "member"},
        {"owner": 201, "admin": 201, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "DELETE",
        "/organizations/acme/invitations/{invitation_id}",
        None,
        {"owner": 204, "admin": 204, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "POST",
        "/invitations/accept",
        {"token": "{link_token}"},
        {"owner": 409, "admin": 409, "member": 409, "outsider": 200, "anonymous": 401},
    ),
    (
        "POST",
        "/organizations/acme/join-requests",
        {"message": "Bonjour"},
        {"owner": 202, "admin": 202, "member": 202, "outsider": 202, "anonymous": 401},
    ),
    (
        "GET",
        "/organizations/acme/join-requests",
        None,
        {"owner": 200, "admin": 200, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "POST",
        "/organizations/acme/join-requests/{join_request_id}/approve",
        None,
        {"owner": 200, "admin": 200, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "POST",
        "/organizations/acme/join-requests/{join_request_id}/reject",
        None,
        {"owner": 200, "admin": 200, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "GET",
        "/organizations/acme/domains",
        None,
        {"owner": 200, "admin": 200, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "POST",
        "/organizations/acme/domains",
        {"domain": "acme.test"},
        {"owner": 201, "admin": 201, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "POST",
        "/organizations/acme/domains/{domain_id}/verify",
        None,
        {"owner": 200, "admin": 200, "member": 403, "outsider": 404, "anonymous": 401},
    ),
    (
        "DELETE",
        "/organizations/acme/domains/{domain_id}",
        None,
        {"owner": 204, "admin": 204, "member": 403, "outsider": 404, "anonymous": 401},
    ),
]


def _fill(template: Any, world: World) -> Any:
    values = {
        "acme_id": world.acme.pk,
        "erin_id": world.erin.pk,
        "invitation_id": world.invitation.pk,
        "join_request_id": world.join_request.pk,
        "domain_id": world.domain.pk,
        "link_token": world.link_token,
    }
    if isinstance(template, str):
        filled = template.format(**values)
        return int(filled) if template.startswith("{") and template.endswith("_id}") else filled
    if isinstance(template, dict):
        return {key: _fill(value, world) for key, value in template.items()}
    return template


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    API_MATRIX,
    ids=[f"{method} {path} {body or ''}" for method, path, body, _ in API_MATRIX],
)
def test_api_permissions(
    api: Api, world: World, role: str, method: str, path: str, body: Any, expected: dict[str, int]
) -> None:
    response = api(method, _fill(path, world), world.users[role], _fill(body, world))

    assert response.status_code == expected[role], response.content
    if response.status_code == 404:
        assert response.json()["code"] == "not_found"
    if response.status_code == 403:
        assert response.json()["code"] in {"forbidden", "owner_required"}


WEB_PAGES = [
    "/o/acme/",
    "/o/acme/members/",
    "/o/acme/leave/",
]
CONSOLE_PAGES = [
    "/o/acme/console/",
    "/o/acme/console/invitations/",
    "/o/acme/console/join-requests/",
    "/o/acme/console/domains/",
    "/o/acme/console/settings/",
    "/o/acme/console/activity/",
]


def _web_client(client: Client, user: User | None) -> Client:
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", WEB_PAGES)
def test_member_pages_permissions(client: Client, world: World, role: str, path: str) -> None:
    expected = {"owner": 200, "admin": 200, "member": 200, "outsider": 404, "anonymous": 302}[role]

    response = _web_client(client, world.users[role]).get(path)

    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_console_pages_permissions(client: Client, world: World, role: str, path: str) -> None:
    expected = {"owner": 200, "admin": 200, "member": 403, "outsider": 404, "anonymous": 302}[role]

    response = _web_client(client, world.users[role]).get(path)

    assert response.status_code == expected


# POST actions of the console: path, form data, expected status per role (302 = done, back to the page).
CONSOLE_ACTIONS: list[tuple[str, dict[str, Any], dict[str, int]]] = [
    ("/o/acme/console/members/{erin_id}/role/", {"role": "admin"}, {"owner": 302, "admin": 302}),
    ("/o/acme/console/members/{erin_id}/remove/", {}, {"owner": 302, "admin": 302}),
    ("/o/acme/console/transfer/", {"user_id": "{erin_id}"}, {"owner": 302, "admin": 302}),
    ("/o/acme/console/invitations/", {"email-email": "new@example.test", "email-role": "member"}, {}),
    ("/o/acme/console/invitations/link/", {"link-role": "member"}, {"owner": 201, "admin": 201}),
    ("/o/acme/console/invitations/{invitation_id}/revoke/", {}, {}),
    ("/o/acme/console/join-requests/{join_request_id}/approve/", {}, {}),
    ("/o/acme/console/join-requests/{join_request_id}/reject/", {}, {}),
    ("/o/acme/console/domains/", {"domain": "acme.test"}, {}),
    ("/o/acme/console/domains/{domain_id}/verify/", {}, {}),
    ("/o/acme/console/domains/{domain_id}/remove/", {}, {}),
    (
        "/o/acme/console/settings/",
        {"name": "Acme SA", "slug": "acme", "allow_join_requests": "on"},
        {},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "data", "overrides"), CONSOLE_ACTIONS, ids=[path for path, _, _ in CONSOLE_ACTIONS])
def test_console_actions_permissions(
    client: Client, world: World, role: str, path: str, data: dict[str, Any], overrides: dict[str, int]
) -> None:
    expected = {"owner": 302, "admin": 302, "member": 403, "outsider": 404, "anonymous": 302, **overrides}[role]

    response = _web_client(client, world.users[role]).post(_fill(path, world), _fill(data, world))

    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
