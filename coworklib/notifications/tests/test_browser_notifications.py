"""The notification journey in a real browser, at phone width: a member creates a group with a colleague; the
worker fans it out; the colleague sees the bell's count, opens the notification and lands on the group."""

from typing import Any

import pytest
from django.core.management import call_command

from conftest import PASSWORD, make_member, new_phone_page, screenshot
from coworklib.community.models import Group
from coworklib.notifications.models import Notification
from coworklib.organizations.models import Organization, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_load_state()


def test_a_colleague_added_to_a_group_sees_it_under_the_bell(phone_page: Any, browser: Any, live_server: Any) -> None:
    acme = Organization.objects.create(name="Acme", slug="acme")
    make_member(acme, "nina@acme.test", Role.OWNER, first_name="Nina", last_name="Rossi")
    make_member(acme, "hugo@acme.test", Role.MEMBER, first_name="Hugo", last_name="Marchand")

    page = phone_page
    log_in(page, "nina@acme.test")
    page.goto("/o/acme/groups/")
    page.get_by_role("link", name="Créer un groupe").click()
    page.get_by_label("Nom du groupe").fill("Équipe produit")
    page.get_by_label("Hugo Marchand").check()
    page.get_by_role("button", name="Créer le groupe").click()
    page.wait_for_url("**/o/acme/groups/*/")
    assert page.get_by_role("heading", name="Équipe produit").is_visible()
    group = Group.objects.get()

    call_command("worker", "--batch", verbosity=0)
    assert Notification.objects.filter(recipient__email="hugo@acme.test").count() == 1

    hugo = new_phone_page(browser, live_server)
    log_in(hugo, "hugo@acme.test")
    hugo.goto("/o/acme/")
    bell = hugo.locator(".nav-icon__badge").last
    bell.filter(has_text="1").wait_for()  # fetched by htmx after the page loaded
    hugo.get_by_role("link", name="Notifications").first.click()
    hugo.wait_for_url("**/notifications/")
    assert hugo.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(hugo, "notifications-phone")
    assert hugo.get_by_text("Nina Rossi vous a ajouté au groupe « Équipe produit ».").is_visible()
    hugo.get_by_role("button", name="Ajouté à un groupe").click()
    hugo.wait_for_url(f"**/o/acme/groups/{group.pk}/")
    assert hugo.get_by_role("button", name="Quitter le groupe").is_visible()
    assert Notification.objects.get(recipient__email="hugo@acme.test").read_at is not None
    hugo.context.close()
