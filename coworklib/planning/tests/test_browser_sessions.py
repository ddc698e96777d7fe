"""Sessions in a real browser, at phone width: a member plans a session with an invitee and finds it in her
agenda; the colleague, on his own phone, accepts the invitation; both then show on the session's page."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD, make_member, new_phone_page, screenshot
from coworklib.organizations.models import Organization, Role
from coworklib.planning.models import Participant, ParticipantStatus, Session
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import make_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_load_state()


def assert_no_horizontal_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_member_plans_a_session_and_her_colleague_accepts_on_his_phone(
    phone_page: Any, browser: Any, live_server: Any
) -> None:
    page = phone_page
    acme = Organization.objects.create(name="Acme", slug="acme")
    nina = make_member(acme, "nina@acme.test", Role.OWNER, first_name="Nina", last_name="Rossi")
    hugo = make_member(acme, "hugo@acme.test", Role.MEMBER, first_name="Hugo", last_name="Marchand")
    make_member(acme, "lea@acme.test", Role.MEMBER, first_name="Léa", last_name="Dubois")
    lyon = make_workspace(
        nina,
        acme,
        "Bureau de Lyon",
        capacity=12,
        city="Lyon",
        opening_hours=[WeeklyInterval(weekday, 8 * 60, 19 * 60) for weekday in range(5)],
    )
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())

    # From the organization home, the bottom bar leads to the (empty) agenda.
    log_in(page, "nina@acme.test")
    page.goto("/o/acme/")
    screenshot(page, "sessions-org-home-empty")
    assert_no_horizontal_scroll(page)
    page.locator(".nav-primary").get_by_role("link", name="Sessions").click()
    page.wait_for_load_state()
    assert page.get_by_text("Aucune session prévue").is_visible()
    screenshot(page, "sessions-agenda-empty")
    assert_no_horizontal_scroll(page)

    # She plans Monday at Lyon and invites Hugo, found through the search box.
    page.get_by_role("link", name="Planifier une session").first.click()
    page.wait_for_load_state()
    page.get_by_label("Espace de travail").select_option(str(lyon.pk))
    page.get_by_label("Date", exact=True).fill(monday.isoformat())
    page.get_by_label("Date", exact=True).dispatch_event("change")
    # htmx brings that day's hours and free seats under the date.
    page.get_by_text("12 places libres sur 12").wait_for()
    page.get_by_label("Début").fill("09:00")
    page.get_by_label("Fin", exact=True).fill("17:30")
    page.get_by_placeholder("Rechercher un collègue").fill("hug")
    assert not page.get_by_text("Léa Dubois").is_visible()
    page.get_by_label(re.compile("Hugo Marchand")).check()
    page.get_by_label("Description").fill("Atelier produit, déjeuner ensemble")
    screenshot(page, "sessions-plan")
    assert_no_horizontal_scroll(page)

    # A Saturday first: the office is closed, she is told so, and nothing she typed is lost.
    page.get_by_label("Date", exact=True).fill((monday + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Planifier la session").click()
    page.wait_for_load_state()
    assert (
        page.get_by_role("alert").get_by_text("Bureau de Lyon est fermé sur tout ou partie de ce créneau.").is_visible()
    )
    assert page.get_by_label("Description").input_value() == "Atelier produit, déjeuner ensemble"
    assert page.get_by_label(re.compile("Hugo Marchand")).is_checked()
    assert Session.objects.count() == 0
    screenshot(page, "sessions-plan-refused")
    assert_no_horizontal_scroll(page)

    page.get_by_label("Date", exact=True).fill(monday.isoformat())
    page.get_by_role("button", name="Planifier la session").click()
    page.wait_for_load_state()

    session = Session.objects.get()
    assert page.url.endswith(f"/o/acme/sessions/{session.pk}/")
    assert page.get_by_text("Votre session est planifiée.").is_visible()
    assert page.get_by_text("09:00–17:30").is_visible()
    assert page.get_by_text("11 places libres sur 12").is_visible()
    screenshot(page, "sessions-detail-organizer")
    assert_no_horizontal_scroll(page)

    page.locator(".nav-primary").get_by_role("link", name="Sessions").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Bureau de Lyon").is_visible()
    screenshot(page, "sessions-agenda")
    assert_no_horizontal_scroll(page)

    # Hugo, on his own phone, answers the invitation from his agenda.
    hugo_page = new_phone_page(browser, live_server)
    log_in(hugo_page, "hugo@acme.test")
    hugo_page.goto("/o/acme/")
    assert hugo_page.get_by_text("1 invitation attend votre réponse").is_visible()
    hugo_page.get_by_role("link", name="1 invitation attend votre réponse").click()
    hugo_page.wait_for_load_state()
    assert hugo_page.get_by_text("Invitation de Nina Rossi").is_visible()
    screenshot(hugo_page, "sessions-agenda-invitation")
    assert_no_horizontal_scroll(hugo_page)
    hugo_page.get_by_role("button", name=re.compile("^Accepter")).click()
    hugo_page.wait_for_load_state()
    assert hugo_page.get_by_text("Invitation acceptée : votre place est réservée.").is_visible()
    assert hugo_page.get_by_text("Invitations à répondre").count() == 0
    assert Participant.objects.get(session=session, user=hugo).status == ParticipantStatus.GOING
    screenshot(hugo_page, "sessions-agenda-accepted")
    hugo_page.context.close()

    # Back on Nina's phone, the session counts them both.
    page.get_by_role("link", name="Bureau de Lyon").click()
    page.wait_for_load_state()
    assert page.get_by_text("2 participent").is_visible()
    assert page.locator(".people-list").first.get_by_text("Hugo Marchand").is_visible()
    assert page.get_by_text("10 places libres sur 12").is_visible()
    screenshot(page, "sessions-detail-two-going")
    assert_no_horizontal_scroll(page)
