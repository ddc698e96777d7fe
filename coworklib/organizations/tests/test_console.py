"""The admin console: who gets in, the MFA requirement, the activity log and the org home."""

import html

import pytest
from django.test import Client

from coworklib.accounts.models import User
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.organizations.services import change_role, create_invitation_link
from coworklib.organizations.tests.conftest import Api, give_mfa


@pytest.fixture
def mfa_required(acme: Organization) -> Organization:
    acme.require_mfa_for_admins = True
    acme.save()
    return acme


def test_member_gets_a_clear_403_page_on_the_console(client: Client, acme: Organization, bob: User) -> None:
    client.force_login(bob)

    response = client.get("/o/acme/console/")

    assert response.status_code == 403
    assert "Accès réservé" in response.content.decode()


def test_admin_without_mfa_is_sent_to_set_it_up(client: Client, mfa_required: Organization, carol: User) -> None:
    client.force_login(carol)

    response = client.get("/o/acme/console/invitations/", follow=False)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"
    messages = [str(message) for message in response.wsgi_request._messages]  # type: ignore[attr-defined]
    assert any("double authentification" in message for message in messages)


def test_admin_without_mfa_cannot_post_console_forms(
    client: Client, mfa_required: Organization, carol: User, bob: User
) -> None:
    client.force_login(carol)

    response = client.post(f"/o/acme/console/members/{bob.pk}/role/", {"role": "admin"})

    assert response.status_code == 302
    assert Membership.objects.get(organization=mfa_required, user=bob).role == Role.MEMBER


def test_admin_with_mfa_gets_in(client: Client, mfa_required: Organization, carol: User) -> None:
    give_mfa(carol)
    client.force_login(carol)

    assert client.get("/o/acme/console/").status_code == 200


def test_mfa_requirement_does_not_touch_member_pages(client: Client, mfa_required: Organization, carol: User) -> None:
    client.force_login(carol)

    assert client.get("/o/acme/members/").status_code == 200


def test_admin_api_answers_mfa_required(api: Api, mfa_required: Organization, carol: User, bob: User) -> None:
    for method, path, body in [
        ("GET", "/organizations/acme/invitations", None),
        ("PATCH", f"/organizations/acme/members/{bob.pk}", {"role": "admin"}),
        ("DELETE", f"/organizations/acme/members/{bob.pk}", None),
        ("POST", "/organizations/acme/domains", {"domain": "acme.test"}),
    ]:
        response = api(method, path, carol, body)

        assert response.status_code == 403, path
        assert response.json()["code"] == "mfa_required"
    assert Membership.objects.filter(organization=mfa_required, user=bob, role=Role.MEMBER).exists()


def test_member_api_still_works_under_the_mfa_requirement(api: Api, mfa_required: Organization, carol: User) -> None:
    assert api("GET", "/organizations/acme/members", carol).status_code == 200


def test_a_plain_member_gets_forbidden_not_mfa_required(api: Api, mfa_required: Organization, bob: User) -> None:
    response = api("GET", "/organizations/acme/invitations", bob)

    assert response.json()["code"] == "forbidden"


def test_activity_log_tells_what_happened(client: Client, acme: Organization, alice: User, bob: User) -> None:
    owner = Membership.objects.select_related("organization", "user").get(organization=acme, user=alice)
    change_role(by=owner, user_id=bob.pk, role=Role.ADMIN)
    create_invitation_link(by=owner)
    client.force_login(alice)

    content = html.unescape(client.get("/o/acme/console/activity/").content.decode())

    assert "a changé le rôle de Bob Bernard : membre → administrateur" in content
    assert "a créé un lien d'invitation (membre)" in content
    assert content.index("lien d'invitation") < content.index("changé le rôle")  # newest first


def test_activity_log_is_empty_with_an_explanation(client: Client, acme: Organization, alice: User) -> None:
    client.force_login(alice)

    assert "Rien pour l'instant" in html.unescape(client.get("/o/acme/console/activity/").content.decode())


def test_home_of_a_lone_admin_invites_to_invite(client: Client, acme: Organization, alice: User) -> None:
    client.force_login(alice)

    content = client.get("/o/acme/").content.decode()

    assert "Invitez vos premiers collègues" in content
    assert "/o/acme/console/invitations/" in content


def test_home_of_a_member_has_no_admin_links(client: Client, acme: Organization, alice: User, bob: User) -> None:
    client.force_login(bob)

    content = client.get("/o/acme/").content.decode()

    assert "/o/acme/console/" not in content
    assert "/o/acme/members/" in content


def test_visiting_an_organization_makes_it_the_last_one(
    client: Client, acme: Organization, globex: Organization, bob: User
) -> None:
    Membership.objects.create(organization=globex, user=bob)
    client.force_login(bob)

    client.get("/o/globex/members/")

    bob.refresh_from_db()
    assert bob.last_organization == globex


def test_console_tabs_mark_the_current_section(client: Client, acme: Organization, alice: User) -> None:
    client.force_login(alice)

    content = client.get("/o/acme/console/domains/").content.decode()

    assert '<a href="/o/acme/console/domains/" aria-current="page">' in content


def test_get_on_a_post_only_console_url_is_refused(client: Client, acme: Organization, alice: User, bob: User) -> None:
    client.force_login(alice)

    response = client.get(f"/o/acme/console/members/{bob.pk}/remove/")

    assert response.status_code == 405
    assert Membership.objects.filter(organization=acme, user=bob).exists()


def test_unknown_ids_in_console_urls_are_404(client: Client, acme: Organization, alice: User) -> None:
    client.force_login(alice)

    for path in (
        "/o/acme/console/members/999999/role/",
        "/o/acme/console/members/99999999999999999999999/remove/",
        "/o/acme/console/invitations/999999/revoke/",
        "/o/acme/console/join-requests/999999/approve/",
        "/o/acme/console/domains/999999/remove/",
    ):
        assert client.post(path, {"role": "admin"}).status_code == 404, path
