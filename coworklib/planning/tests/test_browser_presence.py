"""Presence in a real browser, at phone width: a member checks in from the workspace's page and sees it counted,
then finds themself marked present in "Qui est où"; a colleague checks in by the QR code an admin displays."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import capfirst

from conftest import ARTIFACTS, PASSWORD, make_member, new_phone_page, screenshot
from coworklib.organizations.models import Organization, Role
from coworklib.planning.checkin_codes import todays_checkin_code
from coworklib.planning.models import CheckIn, CheckInMethod
from coworklib.planning.tests.factories import at, book, join, now_with_time_left_today
from coworklib.workspaces.models import Workspace
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


def test_a_member_checks_in_and_shows_up_in_whereabouts(phone_page: Any, browser: Any, live_server: Any) -> None:
    # The real clock (the browser keeps it): today, with the workshop running now, and a day two days ahead.
    now = now_with_time_left_today(timedelta(minutes=30))
    today, later = now.date(), now.date() + timedelta(days=2)
    page = phone_page
    acme = Organization.objects.create(name="Acme", slug="acme")
    nina = make_member(acme, "nina@acme.test", Role.OWNER, first_name="Nina", last_name="Rossi")
    hugo = make_member(acme, "hugo@acme.test", Role.MEMBER, first_name="Hugo", last_name="Marchand")
    make_member(acme, "lea@acme.test", Role.MEMBER, first_name="Léa", last_name="Dubois")
    # Open day and night, so that Hugo may check in whenever the test runs.
    lyon = make_workspace(nina, acme, "Bureau de Lyon", capacity=12, city="Lyon")
    gutenberg = make_workspace(nina, acme, "Salle Gutenberg", capacity=2, city="Paris")  # open day and night
    workshop_start = at(today, now.hour)
    workshop_end = min(workshop_start + timedelta(hours=8), at(today + timedelta(days=1), 0))
    workshop = book(nina, acme, lyon, workshop_start, workshop_end, description="Atelier produit")
    book(nina, acme, lyon, at(later, 9), at(later, 12), description="Revue de sprint")
    join(hugo, acme, workshop)
    join(hugo, acme, book(nina, acme, gutenberg, at(later, 14), at(later, 16), description="Point d'équipe"))
    book(hugo, acme, gutenberg, at(later, 16), at(later, 18))

    # Hugo checks in from the workspace's page.
    log_in(page, "hugo@acme.test")
    page.goto(f"/o/acme/workspaces/{lyon.pk}/")
    assert page.locator(".presence__item--now strong").inner_text() == "0"
    screenshot(page, "presence-workspace-before-check-in")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Check-in").click()
    page.wait_for_load_state()
    assert page.get_by_text("Check-in enregistré à Bureau de Lyon.").is_visible()
    assert page.get_by_text("1 présent maintenant").is_visible()
    assert page.get_by_text("Vous êtes sur place depuis").is_visible()
    check_in = CheckIn.objects.get(user=hugo)
    assert (check_in.workspace_id, check_in.method, check_in.session_id) == (lyon.pk, CheckInMethod.APP, workshop.pk)
    screenshot(page, "presence-workspace-after-check-in")
    assert_no_horizontal_scroll(page)

    # The day in detail.
    page.get_by_role("link", name="La journée en détail").click()
    page.wait_for_load_state()
    with translation.override("fr"):
        today_heading = capfirst(date_format(today, "l j F Y"))
    assert page.get_by_role("heading", name=today_heading).is_visible()
    assert page.get_by_text("Atelier produit").is_visible()
    screenshot(page, "presence-workspace-day")
    assert_no_horizontal_scroll(page)
    # A room open day and night, full for two hours, then with one seat left: 24 columns still fit a phone.
    page.goto(f"/o/acme/workspaces/{gutenberg.pk}/day/?date={later.isoformat()}")
    assert page.get_by_text(re.compile(r"^14:00–15:00 : 0 places? libres? sur 2$")).count() == 1
    screenshot(page, "presence-workspace-day-full")
    assert_no_horizontal_scroll(page)

    # Qui est où: a section per day on phones, Hugo marked present today.
    page.goto("/o/acme/whereabouts/")
    today = page.locator(".wb-day--today")
    assert today.get_by_text("Hugo Marchand").is_visible()
    assert today.locator(".wb-person", has_text="Hugo Marchand").get_by_text("présent·e").is_visible()
    assert today.locator(".wb-person", has_text="Nina Rossi").get_by_text("présent·e").count() == 0
    screenshot(page, "presence-whereabouts-phone")
    # Today's section in the middle of the screen, clear of the bottom navigation bar.
    today.evaluate("section => section.scrollIntoView({block: 'center'})")
    page.screenshot(path=str(ARTIFACTS / "presence-whereabouts-phone-today.png"))
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name="Moi").click()
    page.wait_for_load_state()
    assert page.locator(".wb-day--today").get_by_text("Nina Rossi").count() == 0
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/o/acme/whereabouts/")
    assert page.locator(".wb-table").is_visible()
    screenshot(page, "presence-whereabouts-desktop")
    page.goto(f"/o/acme/workspaces/{lyon.pk}/")
    screenshot(page, "presence-workspace-desktop")
    page.goto(f"/o/acme/workspaces/{lyon.pk}/day/")
    screenshot(page, "presence-workspace-day-desktop")

    # Nina shows today's code on a screen; Léa scans it on her phone.
    admin = new_phone_page(browser, live_server)
    log_in(admin, "nina@acme.test")
    admin.goto(f"/o/acme/console/workspaces/{lyon.pk}/")
    admin.get_by_role("link", name="Afficher le code QR du jour").click()
    admin.wait_for_load_state()
    assert admin.locator(".qr-screen__code svg").is_visible()
    screenshot(admin, "presence-console-qr-phone")
    admin.set_viewport_size({"width": 1280, "height": 900})
    screenshot(admin, "presence-console-qr-screen")
    admin.goto("/o/acme/console/settings/")
    admin.set_viewport_size({"width": 390, "height": 844})
    admin.get_by_label("Libérer la place d'un participant sans check-in après (minutes)").fill("1000")
    admin.get_by_role("button", name="Enregistrer").click()
    admin.wait_for_load_state()
    assert admin.locator("#id_no_show_release_minutes_error").is_visible()
    screenshot(admin, "presence-settings-no-show-error")
    admin.get_by_label("Libérer la place d'un participant sans check-in après (minutes)").fill("20")
    admin.get_by_role("button", name="Enregistrer").click()
    admin.wait_for_load_state()
    acme.refresh_from_db()
    assert acme.no_show_release_minutes == 20

    lea = new_phone_page(browser, live_server)
    log_in(lea, "lea@acme.test")
    lea.goto(f"/o/acme/check-in/{lyon.pk}/{todays_checkin_code(Workspace.objects.get(pk=lyon.pk))}/")
    screenshot(lea, "presence-qr-landing")
    assert_no_horizontal_scroll(lea)
    lea.get_by_role("button", name="Je fais mon check-in").click()
    lea.wait_for_load_state()
    assert lea.get_by_role("heading", name="Vous êtes sur place").is_visible()
    assert lea.get_by_text("2 présents maintenant").is_visible()
    assert CheckIn.objects.get(user__email="lea@acme.test").method == CheckInMethod.QR_CODE
    screenshot(lea, "presence-qr-confirmed")
    lea.goto(f"/o/acme/check-in/{lyon.pk}/not-the-code-of-today/")
    assert lea.get_by_text("Ce code QR n'est plus valable").first.is_visible()
    screenshot(lea, "presence-qr-expired")
