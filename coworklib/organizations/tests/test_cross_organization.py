"""Tenancy: Olivia (owner of Globex) reaches nothing of Acme's, by its slug, its id, or
by passing Acme's object ids through her own organization; and someone whose join
request is pending sees exactly what an outsider sees."""

from typing import Any

import pytest
from django.test import Client

from coworklib.accounts.models import User
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import EmailDomain, Invitation, JoinRequest, Membership, Organization, Role
from coworklib.organizations.tests.conftest import Api


@pytest.fixture
def acme_objects(acme: Organization, alice: User, bob: User, dave: User) -> dict[str, Any]:
    _raw, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(organization=acme, email="x@example.test", token_hash=token_hash)
    join_request = JoinRequest.objects.create(organization=acme, user=dave)
    domain = EmailDomain.objects.create(organization=acme, domain="acme.test")
    return {"invitation": invitation, "join_request": join_request, "domain": domain, "bob": bob}


def _acme_api_calls(acme: Organization, objects: dict[str, Any]) -> list[tuple[str, str, Any]]:
    bob_id = objects["bob"].pk
    calls: list[tuple[str, str, Any]] = []
    for ref in ("acme", str(acme.pk)):
        calls += [
            ("GET", f"/organizations/{ref}", None),
            ("PATCH", f"/organizations/{ref}", {"name": "Pwned"}),
            ("GET", f"/organizations/{ref}/members", None),
            ("GET", f"/organizations/{ref}/members?q=bob", None),
            ("GET", f"/organizations/{ref}/members/{bob_id}", None),
            ("PATCH", f"/organizations/{ref}/members/{bob_id}", {"role": "owner"}),
            ("DELETE", f"/organizations/{ref}/members/{bob_id}", None),
            ("POST", f"/organizations/{ref}/transfer-ownership", {"user_id": bob_id}),
            ("GET", f"/organizations/{ref}/invitations", None),
            ("POST", f"/organizations/{ref}/invitations", {"role": "owner"}),
            ("DELETE", f"/organizations/{ref}/invitations/{objects['invitation'].pk}", None),
            ("GET", f"/organizations/{ref}/join-requests", None),
            ("POST", f"/organizations/{ref}/join-requests/{objects['join_request'].pk}/approve", None),
            ("POST", f"/organizations/{ref}/join-requests/{objects['join_request'].pk}/reject", None),
            ("GET", f"/organizations/{ref}/domains", None),
            ("POST", f"/organizations/{ref}/domains", {"domain": "globex.test"}),
            ("POST", f"/organizations/{ref}/domains/{objects['domain'].pk}/verify", None),
            ("DELETE", f"/organizations/{ref}/domains/{objects['domain'].pk}", None),
        ]
    return calls


def _snapshot() -> tuple[Any, ...]:
    return (
        list(Organization.objects.values_list("name", "slug").order_by("pk")),
        list(Membership.objects.values_list("organization_id", "user_id", "role").order_by("pk")),
        list(Invitation.objects.values_list("pk", "revoked_at", "accepted_at").order_by("pk")),
        list(JoinRequest.objects.values_list("pk", "status").order_by("pk")),
        list(EmailDomain.objects.values_list("domain", "verified_at").order_by("pk")),
    )


def test_outsider_gets_404_on_every_acme_endpoint_and_changes_nothing(
    api: Api, acme: Organization, olivia: User, acme_objects: dict[str, Any]
) -> None:
    before = _snapshot()

    for method, path, body in _acme_api_calls(acme, acme_objects):
        response = api(method, path, olivia, body)

        assert response.status_code == 404, (method, path, response.content)
        assert response.json() == {"detail": response.json()["detail"], "code": "not_found"}
    assert _snapshot() == before


def test_a_404_for_an_existing_organization_looks_like_one_for_a_missing_one(
    api: Api, acme: Organization, olivia: User
) -> None:
    existing = api("GET", "/organizations/acme/members", olivia)
    missing = api("GET", "/organizations/no-such-org/members", olivia)

    assert existing.status_code == missing.status_code == 404
    assert existing.json() == missing.json()


def test_acme_object_ids_passed_through_globex_are_not_found(
    api: Api, globex: Organization, olivia: User, acme_objects: dict[str, Any]
) -> None:
    bob_id = acme_objects["bob"].pk
    before = _snapshot()
    calls = [
        ("GET", f"/organizations/globex/members/{bob_id}", None),
        ("PATCH", f"/organizations/globex/members/{bob_id}", {"role": "admin"}),
        ("DELETE", f"/organizations/globex/members/{bob_id}", None),
        ("POST", "/organizations/globex/transfer-ownership", {"user_id": bob_id}),
        ("DELETE", f"/organizations/globex/invitations/{acme_objects['invitation'].pk}", None),
        ("POST", f"/organizations/globex/join-requests/{acme_objects['join_request'].pk}/approve", None),
        ("POST", f"/organizations/globex/join-requests/{acme_objects['join_request'].pk}/reject", None),
        ("POST", f"/organizations/globex/domains/{acme_objects['domain'].pk}/verify", None),
        ("DELETE", f"/organizations/globex/domains/{acme_objects['domain'].pk}", None),
    ]

    for method, path, body in calls:
        response = api(method, path, olivia, body)

        assert response.status_code == 404, (method, path, response.content)
    assert _snapshot() == before
    assert not Membership.objects.filter(organization=globex, user=acme_objects["bob"]).exists()


def test_the_outsiders_member_list_never_contains_acme_people(
    api: Api, globex: Organization, olivia: User, bob: User
) -> None:
    response = api("GET", "/organizations/globex/members?q=bob", olivia)

    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


ACME_PAGES = [
    "/o/acme/",
    "/o/acme/members/",
    "/o/acme/members/?q=bob",
    "/o/acme/leave/",
    "/o/acme/console/",
    "/o/acme/console/invitations/",
    "/o/acme/console/join-requests/",
    "/o/acme/console/domains/",
    "/o/acme/console/settings/",
    "/o/acme/console/activity/",
]


def _acme_form_posts(objects: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    bob_id = objects["bob"].pk
    return [
        ("/o/acme/leave/", {}),
        (f"/o/acme/console/members/{bob_id}/role/", {"role": "owner"}),
        (f"/o/acme/console/members/{bob_id}/remove/", {}),
        ("/o/acme/console/transfer/", {"user_id": bob_id}),
        ("/o/acme/console/invitations/", {"email-email": "x@globex.test", "email-role": "owner"}),
        ("/o/acme/console/invitations/link/", {"link-role": "owner"}),
        (f"/o/acme/console/invitations/{objects['invitation'].pk}/revoke/", {}),
        (f"/o/acme/console/join-requests/{objects['join_request'].pk}/approve/", {}),
        (f"/o/acme/console/join-requests/{objects['join_request'].pk}/reject/", {}),
        ("/o/acme/console/domains/", {"domain": "globex.test"}),
        (f"/o/acme/console/domains/{objects['domain'].pk}/verify/", {}),
        (f"/o/acme/console/domains/{objects['domain'].pk}/remove/", {}),
        ("/o/acme/console/settings/", {"name": "Pwned", "slug": "pwned"}),
    ]


def test_outsider_gets_404_on_every_acme_page(client: Client, olivia: User, acme_objects: dict[str, Any]) -> None:
    client.force_login(olivia)

    for path in ACME_PAGES:
        assert client.get(path).status_code == 404, path


def test_outsider_gets_404_on_every_acme_form_and_changes_nothing(
    client: Client, olivia: User, acme_objects: dict[str, Any]
) -> None:
    client.force_login(olivia)
    before = _snapshot()

    for path, data in _acme_form_posts(acme_objects):
        assert client.post(path, data).status_code == 404, path
    assert _snapshot() == before


def test_acme_object_ids_through_globex_console_are_not_found(
    client: Client, olivia: User, acme_objects: dict[str, Any]
) -> None:
    client.force_login(olivia)
    bob_id = acme_objects["bob"].pk
    before = _snapshot()

    for path in (
        f"/o/globex/console/members/{bob_id}/role/",
        f"/o/globex/console/members/{bob_id}/remove/",
        f"/o/globex/console/invitations/{acme_objects['invitation'].pk}/revoke/",
        f"/o/globex/console/join-requests/{acme_objects['join_request'].pk}/approve/",
        f"/o/globex/console/join-requests/{acme_objects['join_request'].pk}/reject/",
        f"/o/globex/console/domains/{acme_objects['domain'].pk}/verify/",
        f"/o/globex/console/domains/{acme_objects['domain'].pk}/remove/",
    ):
        assert client.post(path, {"role": "admin"}).status_code == 404, path
    assert _snapshot() == before


def test_outsiders_switcher_and_pages_never_name_acme(client: Client, olivia: User, acme: Organization) -> None:
    client.force_login(olivia)

    response = client.get("/o/globex/")

    assert response.status_code == 200
    assert "Acme" not in response.content.decode()


def test_pending_requester_sees_nothing_of_the_organization(
    api: Api, client: Client, acme: Organization, dave: User, acme_objects: dict[str, Any]
) -> None:
    assert acme_objects["join_request"].user == dave
    assert acme_objects["join_request"].status == JoinRequest.Status.PENDING
    client.force_login(dave)

    for path in ACME_PAGES:
        assert client.get(path).status_code == 404, path
    for method, path, _body in _acme_api_calls(acme, acme_objects):
        if method == "GET":
            assert api(method, path, dave).status_code == 404, path
    mine = api("GET", "/organizations", dave).json()
    assert mine == {"items": [], "count": 0}
    assert "Acme" not in client.get("/app/").content.decode()


def test_removed_member_loses_access_at_once(api: Api, client: Client, acme: Organization, bob: User) -> None:
    Membership.objects.filter(organization=acme, user=bob).delete()
    client.force_login(bob)

    assert client.get("/o/acme/").status_code == 404
    assert api("GET", "/organizations/acme/members", bob).status_code == 404


def test_audit_entries_of_acme_are_not_in_globex_activity(
    client: Client, acme: Organization, olivia: User, alice: User
) -> None:
    AuditEntry.objects.create(organization=acme, actor=alice, action="member.removed", details={})
    client.force_login(olivia)

    response = client.get("/o/globex/console/activity/")

    assert response.status_code == 200
    assert "Alice" not in response.content.decode()
    assert Membership.objects.filter(user=olivia, role=Role.OWNER).count() == 1
