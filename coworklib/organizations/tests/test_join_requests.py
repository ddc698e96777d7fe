"""Join requests: asking by slug reveals nothing; admins approve or reject."""

import html
import re
from typing import Any

import pytest
from django.test import Client

from coworklib.accounts.models import User
from coworklib.core.errors import Conflict
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import JoinRequest, Membership, Organization, Role
from coworklib.organizations.services import approve_join_request, reject_join_request, request_to_join
from coworklib.organizations.tests.conftest import Api


def _main(response: Any) -> str:
    """The page's main content, without the per-request CSRF token."""
    content = response.content.decode()
    main = content[content.index("<main") : content.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def _admin(organization: Organization, user: User) -> Membership:
    return Membership.objects.select_related("organization", "user").get(organization=organization, user=user)


def test_request_by_slug_creates_a_pending_request(acme: Organization, dave: User) -> None:
    join_request = request_to_join(user=dave, org_ref="acme", message="  Bonjour !  ")

    assert join_request is not None
    assert (join_request.status, join_request.message) == (JoinRequest.Status.PENDING, "Bonjour !")
    assert AuditEntry.objects.filter(organization=acme, action="join_request.created", actor=dave).exists()


def test_asking_twice_keeps_one_pending_request(acme: Organization, dave: User) -> None:
    first = request_to_join(user=dave, org_ref="acme")
    second = request_to_join(user=dave, org_ref="acme", message="Encore moi")

    assert first == second
    assert JoinRequest.objects.filter(user=dave).count() == 1


def test_nothing_is_created_when_join_requests_are_disabled(acme: Organization, dave: User) -> None:
    acme.allow_join_requests = False
    acme.save()

    assert request_to_join(user=dave, org_ref="acme") is None
    assert not JoinRequest.objects.exists()


def test_a_member_asking_creates_nothing(acme: Organization, bob: User) -> None:
    assert request_to_join(user=bob, org_ref="acme") is None
    assert not JoinRequest.objects.exists()


@pytest.mark.parametrize("slug", ["acme", "no-such-org", "999999"])
def test_the_api_answer_is_the_same_whether_the_organization_exists_or_not(
    api: Api, acme: Organization, dave: User, slug: str
) -> None:
    response = api("POST", f"/organizations/{slug}/join-requests", dave, {"message": "Bonjour"})

    assert response.status_code == 202
    assert set(response.json()) == {"detail"}
    assert response.json() == api("POST", "/organizations/elsewhere/join-requests", dave, {}).json()
    assert JoinRequest.objects.filter(user=dave).count() == (1 if slug == "acme" else 0)


def test_the_api_answer_is_the_same_when_requests_are_disabled(api: Api, acme: Organization, dave: User) -> None:
    acme.allow_join_requests = False
    acme.save()

    response = api("POST", "/organizations/acme/join-requests", dave, {})

    assert response.status_code == 202
    assert not JoinRequest.objects.exists()


@pytest.mark.parametrize("body", [{"message": "x" * 1001}, {"message": 5}, {"message": None}, {"message": "a\x00b"}])
def test_join_request_with_bad_input_is_422(api: Api, acme: Organization, dave: User, body: Any) -> None:
    response = api("POST", "/organizations/acme/join-requests", dave, body)

    assert response.status_code == 422
    assert not JoinRequest.objects.exists()


def test_anonymous_cannot_ask(api: Api, acme: Organization) -> None:
    assert api("POST", "/organizations/acme/join-requests", None, {}).status_code == 401
    assert not JoinRequest.objects.exists()


def test_admin_approves_and_the_requester_becomes_a_member(
    api: Api, acme: Organization, carol: User, dave: User, dave_pending: JoinRequest
) -> None:
    response = api("POST", f"/organizations/acme/join-requests/{dave_pending.pk}/approve", carol)

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["user"]["email"] == "dave@dave.test"
    assert Membership.objects.get(organization=acme, user=dave).role == Role.MEMBER
    dave_pending.refresh_from_db()
    assert dave_pending.decided_by == carol
    assert AuditEntry.objects.filter(action="join_request.approved", target_user=dave).exists()


def test_admin_rejects_and_the_requester_still_sees_nothing(
    api: Api, acme: Organization, carol: User, dave: User, dave_pending: JoinRequest
) -> None:
    response = api("POST", f"/organizations/acme/join-requests/{dave_pending.pk}/reject", carol)

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert not Membership.objects.filter(organization=acme, user=dave).exists()
    assert api("GET", "/organizations/acme", dave).status_code == 404


def test_a_decided_request_cannot_be_decided_again(
    acme: Organization, alice: User, dave: User, dave_pending: JoinRequest
) -> None:
    reject_join_request(by=_admin(acme, alice), join_request_id=dave_pending.pk)

    with pytest.raises(Conflict):
        approve_join_request(by=_admin(acme, alice), join_request_id=dave_pending.pk)

    assert not Membership.objects.filter(organization=acme, user=dave).exists()


def test_admins_list_only_pending_requests(
    api: Api, acme: Organization, alice: User, dave: User, olivia: User, dave_pending: JoinRequest
) -> None:
    JoinRequest.objects.create(organization=acme, user=olivia, status=JoinRequest.Status.REJECTED)

    response = api("GET", "/organizations/acme/join-requests", alice)

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [dave_pending.pk]
    assert response.json()["items"][0]["message"] == "Bonjour, je suis Dave."


def test_a_rejected_requester_may_ask_again(
    acme: Organization, alice: User, dave: User, dave_pending: JoinRequest
) -> None:
    reject_join_request(by=_admin(acme, alice), join_request_id=dave_pending.pk)

    again = request_to_join(user=dave, org_ref="acme")

    assert again is not None and again.pk != dave_pending.pk


# --- Web ------------------------------------------------------------------------


def test_join_page_sends_the_request_and_says_nothing_about_the_organization(
    client: Client, acme: Organization, dave: User
) -> None:
    client.force_login(dave)

    existing = client.post("/join/", {"slug": "ACME", "message": "Bonjour"})
    missing = client.post("/join/", {"slug": "nowhere", "message": "Bonjour"})

    assert existing.status_code == missing.status_code == 200
    assert "Acme" not in existing.content.decode()
    assert _main(existing).replace("acme", "nowhere") == _main(missing)
    assert JoinRequest.objects.get().organization == acme


def test_join_page_keeps_the_message_after_an_invalid_slug(client: Client, dave: User) -> None:
    client.force_login(dave)

    response = client.post("/join/", {"slug": "pas un identifiant", "message": "Mon message"})

    assert response.status_code == 422
    assert "Mon message" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_org_join_page_is_the_same_for_any_slug(client: Client, acme: Organization, dave: User) -> None:
    client.force_login(dave)

    existing = client.get("/o/acme/join/")
    missing = client.get("/o/nowhere/join/")

    assert existing.status_code == missing.status_code == 200
    assert _main(existing).replace("acme", "nowhere") == _main(missing)


def test_org_join_page_sends_a_member_home(client: Client, acme: Organization, bob: User) -> None:
    client.force_login(bob)

    assert client.get("/o/acme/join/")["Location"] == "/o/acme/"


def test_join_page_needs_an_account(client: Client, acme: Organization) -> None:
    response = client.get("/o/acme/join/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/o/acme/join/"


def test_console_approves_a_request(
    client: Client, acme: Organization, carol: User, dave: User, dave_pending: JoinRequest
) -> None:
    client.force_login(carol)

    page = client.get("/o/acme/console/join-requests/")
    response = client.post(f"/o/acme/console/join-requests/{dave_pending.pk}/approve/", follow=True)

    assert "Bonjour, je suis Dave." in page.content.decode()
    assert "Dave Durand a rejoint l'organisation." in html.unescape(response.content.decode())
    assert Membership.objects.filter(organization=acme, user=dave).exists()


def test_console_rejects_a_request(
    client: Client, acme: Organization, carol: User, dave: User, dave_pending: JoinRequest
) -> None:
    client.force_login(carol)

    client.post(f"/o/acme/console/join-requests/{dave_pending.pk}/reject/")

    dave_pending.refresh_from_db()
    assert dave_pending.status == JoinRequest.Status.REJECTED
    assert not Membership.objects.filter(organization=acme, user=dave).exists()


def test_home_tells_admins_about_pending_requests(
    client: Client, acme: Organization, alice: User, dave_pending: JoinRequest
) -> None:
    client.force_login(alice)

    assert "1 demande d'adhésion attend votre réponse" in client.get("/o/acme/").content.decode()


def test_api_messages_follow_accept_language(api: Api, acme: Organization, dave: User) -> None:
    english = api("POST", "/organizations/acme/join-requests", dave, {}, HTTP_ACCEPT_LANGUAGE="en").json()
    french = api("POST", "/organizations/acme/join-requests", dave, {}, HTTP_ACCEPT_LANGUAGE="fr").json()

    assert english["detail"].startswith("Request sent.")
    assert french["detail"].startswith("Demande envoyée.")
