"""The first journey in a real browser, at phone width: sign up, confirm the
e-mail, create an organization, invite a colleague who joins, and both find
each other in the directory."""

import re
from typing import Any

import pytest

from conftest import new_phone_page, screenshot
from coworklib.accounts.models import User
from coworklib.organizations.models import Membership, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "un mot de passe assez long"


def path_in(message: Any, pattern: str) -> str:
    """The path of the first link of the e-mail matching ``pattern`` (e-mails link to SITE_URL, not the test server)."""
    match = re.search(r"https?://[^/\s]+(" + pattern + ")", message.body)
    assert match, message.body
    return match.group(1)


def sign_up(page: Any, mailoutbox: list[Any], *, email: str, first_name: str, last_name: str) -> None:
    page.goto("/accounts/signup/")
    page.get_by_label("Prénom").fill(first_name)
    page.get_by_label("Nom", exact=True).fill(last_name)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label(re.compile("Mot de passe \\(confirmation\\)|Confirmez")).fill(PASSWORD)
    page.get_by_label(re.compile("J'accepte les conditions")).check()
    page.get_by_label("J'atteste avoir 18 ans ou plus.").check()
    screenshot(page, f"onboarding-signup-{first_name.lower()}")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_load_state()

    confirmation = mailoutbox[-1]
    assert confirmation.to == [email]
    page.goto(path_in(confirmation, r"/accounts/confirm-email/[^\s]+"))
    page.get_by_role("button", name=re.compile("Confirmer")).click()
    page.wait_for_load_state()


def test_sign_up_create_an_organization_invite_a_colleague_and_find_each_other(
    browser: Any, live_server: Any, mailoutbox: list[Any]
) -> None:
    founder = new_phone_page(browser, live_server)
    sign_up(founder, mailoutbox, email="lea@atelier.test", first_name="Léa", last_name="Fontaine")
    assert User.objects.get(email="lea@atelier.test").legal_acceptances.count() == 3

    founder.goto("/organizations/new/")
    founder.get_by_label("Nom de l'organisation").fill("Atelier Lumière")
    founder.get_by_role("button", name="Créer l'organisation").click()
    founder.wait_for_load_state()
    screenshot(founder, "onboarding-organization-home")
    membership = Membership.objects.get(user__email="lea@atelier.test")
    assert membership.role == Role.OWNER
    slug = membership.organization.slug

    founder.goto(f"/o/{slug}/console/invitations/")
    founder.get_by_label("Adresse e-mail").fill("hugo@atelier.test")
    founder.get_by_role("button", name=re.compile("Envoyer l'invitation")).click()
    founder.wait_for_load_state()
    screenshot(founder, "onboarding-invitations")
    invitation = mailoutbox[-1]
    assert invitation.to == ["hugo@atelier.test"]
    invitation_link = path_in(invitation, r"/invite/[A-Za-z0-9_-]+/")

    colleague = new_phone_page(browser, live_server)
    sign_up(colleague, mailoutbox, email="hugo@atelier.test", first_name="Hugo", last_name="Marchand")
    colleague.goto(invitation_link)
    screenshot(colleague, "onboarding-invitation")
    colleague.get_by_role("button", name=re.compile("Rejoindre|Accepter")).click()
    colleague.wait_for_load_state()
    assert Membership.objects.filter(user__email="hugo@atelier.test", organization__slug=slug).exists()

    colleague.goto(f"/o/{slug}/members/")
    screenshot(colleague, "onboarding-directory-colleague")
    assert colleague.get_by_text("Léa Fontaine").is_visible()

    founder.goto(f"/o/{slug}/members/")
    assert founder.get_by_text("Hugo Marchand").is_visible()
    assert founder.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
