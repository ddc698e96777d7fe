"""/app/: straight to the last organization, or an overview with what to do next."""

import html

from django.test import Client

from conftest import make_user
from coworklib.accounts.models import User
from coworklib.organizations.models import Invitation, Membership, Organization, Role


def test_dashboard_needs_an_account(client: Client, db: object) -> None:
    response = client.get("/app/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/app/"


def test_dashboard_opens_the_last_organization(client: Client, acme: Organization, bob: User) -> None:
    bob.last_organization = acme
    bob.save()
    client.force_login(bob)

    response = client.get("/app/")

    assert response.status_code == 302
    assert response["Location"] == "/o/acme/"


def test_dashboard_ignores_a_last_organization_one_has_left(
    client: Client, acme: Organization, globex: Organization, bob: User
) -> None:
    Membership.objects.create(organization=globex, user=bob, role=Role.MEMBER)
    bob.last_organization = acme
    bob.save()
    Membership.objects.filter(organization=acme, user=bob).delete()
    client.force_login(bob)

    response = client.get("/app/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Globex" in content
    assert "Acme" not in content


def test_dashboard_of_a_newcomer_offers_to_create_or_join(client: Client, db: object) -> None:
    client.force_login(make_user("new@example.test", first_name="Nina"))

    response = client.get("/app/")

    content = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Bonjour Nina" in content
    assert "Vous ne faites partie d'aucune organisation" in content
    assert 'href="/organizations/new/"' in content
    assert 'href="/join/"' in content


def test_dashboard_lists_pending_invitations_for_my_verified_address(
    client: Client, acme: Organization, alice: User
) -> None:
    newcomer = make_user("new@example.test")
    _raw, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        organization=acme, email="new@example.test", token_hash=token_hash, created_by=alice
    )
    client.force_login(newcomer)

    content = client.get("/app/").content.decode()

    assert "Invitations en attente" in content
    assert "Invitation de Alice Arnaud" in content
    assert f"/invitations/{invitation.pk}/accept/" in content


def test_nav_shows_the_current_organization_and_switches_to_the_others(
    client: Client, acme: Organization, globex: Organization, bob: User
) -> None:
    Membership.objects.create(organization=globex, user=bob, role=Role.ADMIN)
    client.force_login(bob)

    content = client.get("/o/acme/").content.decode()

    assert '<span class="topbar__org"' in content
    assert 'href="/o/globex/"' in content
    assert 'href="/o/acme/" aria-current="true"' in content
    assert 'href="/o/acme/members/"' in content
    assert "/o/acme/console/" not in content  # Bob is a plain member of Acme


def test_nav_of_an_admin_links_to_the_console(client: Client, acme: Organization, carol: User) -> None:
    client.force_login(carol)

    content = client.get("/o/acme/members/").content.decode()

    assert 'href="/o/acme/console/"' in content
    assert 'href="/o/acme/members/" aria-current="page"' in content


def test_my_organizations_page_lists_all_of_them(
    client: Client, acme: Organization, globex: Organization, bob: User
) -> None:
    Membership.objects.create(organization=globex, user=bob, role=Role.ADMIN)
    client.force_login(bob)

    content = client.get("/organizations/").content.decode()

    assert "Acme" in content and "Globex" in content
    assert "Administrateur" in content


def test_unknown_pages_answer_a_friendly_404(client: Client, bob: User) -> None:
    client.force_login(bob)

    response = client.get("/o/does-not-exist/")

    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_pages_are_translated_to_english(client: Client, acme: Organization, alice: User) -> None:
    alice.language = "en"
    alice.save()
    client.force_login(alice)

    content = client.get("/o/acme/console/").content.decode()

    assert "Admin console" in content
    assert "Transfer ownership" in content
    assert 'href="/o/acme/members/">Members</a>' in content
