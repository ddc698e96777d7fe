"""The whole journey of the sessions issue, in two phones: Nina plans a day at the office and invites Hugo,
Hugo accepts, both check in (a button for her, the QR code on site for him), and "Qui est où" shows them both
present."""

import re
from datetime import timedelta
from typing import Any

import pytest

from conftest import PASSWORD, make_member, new_phone_page, screenshot
from coworklib.organizations.models import Organization, Role
from coworklib.planning.checkin_codes import todays_checkin_code
from coworklib.planning.models import CheckIn, CheckInMethod, Participant, ParticipantStatus, Session
from coworklib.planning.tests.factories import now_with_time_left_today
from coworklib.workspaces.tests.factories import make_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone(browser: Any, live_server: Any, email: str) -> Any:
    page = new_phone_page(browser, live_server)
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_load_state()
    return page


def test_plan_invite_join_check_in_and_see_who_is_where(browser: Any, live_server: Any) -> None:
    # The real clock (the browser keeps it): a session today, from the current hour, running while they check in.
    now = now_with_time_left_today(timedelta(minutes=30))
    start = now.replace(minute=0, second=0, microsecond=0)
    end = min(start + timedelta(hours=3), now.replace(hour=23, minute=59, second=0, microsecond=0))
    acme = Organization.objects.create(name="Acme", slug="acme")
    nina = make_member(acme, "nina@acme.test", Role.OWNER, first_name="Nina", last_name="Rossi")
    hugo = make_member(acme, "hugo@acme.test", Role.MEMBER, first_name="Hugo", last_name="Marchand")
    # Open day and night, so that they may check in whenever the test runs.
    lyon = make_workspace(nina, acme, "Bureau de Lyon", capacity=8, city="Lyon")

    # Nina plans today at Lyon from the workspace's page and invites Hugo.
    nina_page = phone(browser, live_server, "nina@acme.test")
    nina_page.goto(f"/o/acme/workspaces/{lyon.pk}/")
    nina_page.get_by_role("link", name=re.compile("Planifier une session")).first.click()
    nina_page.wait_for_load_state()
    assert nina_page.get_by_label("Espace de travail").input_value() == str(lyon.pk)
    nina_page.get_by_label("Date", exact=True).fill(now.date().isoformat())
    nina_page.get_by_label("Début").fill(start.strftime("%H:%M"))
    nina_page.get_by_label("Fin", exact=True).fill(end.strftime("%H:%M"))
    nina_page.get_by_label(re.compile("Hugo Marchand")).check()
    nina_page.get_by_role("button", name="Planifier la session").click()
    nina_page.wait_for_load_state()
    session = Session.objects.get()
    assert nina_page.get_by_text("Votre session est planifiée.").is_visible()
    assert Participant.objects.get(session=session, user=hugo).status == ParticipantStatus.INVITED
    screenshot(nina_page, "journey-1-planned")

    # Hugo answers the invitation on his phone.
    hugo_page = phone(browser, live_server, "hugo@acme.test")
    hugo_page.goto(f"/o/acme/sessions/{session.pk}/")
    hugo_page.get_by_role("button", name=re.compile("^Accepter")).click()
    hugo_page.wait_for_load_state()
    assert Participant.objects.get(session=session, user=hugo).status == ParticipantStatus.GOING
    screenshot(hugo_page, "journey-2-accepted")

    # Nina checks in with the button on the workspace's page: her session's seat, not a second one.
    nina_page.goto(f"/o/acme/workspaces/{lyon.pk}/")
    nina_page.get_by_role("button", name="Check-in").click()
    nina_page.wait_for_load_state()
    assert nina_page.get_by_text("Check-in enregistré à Bureau de Lyon.").is_visible()
    assert nina_page.get_by_text("1 présent maintenant").is_visible()
    screenshot(nina_page, "journey-3-checked-in")

    # Hugo scans the code shown at the entrance.
    hugo_page.goto(f"/o/acme/check-in/{lyon.pk}/{todays_checkin_code(lyon)}/")
    hugo_page.get_by_role("button", name="Je fais mon check-in").click()
    hugo_page.wait_for_load_state()
    assert hugo_page.get_by_text("2 présents maintenant").is_visible()
    check_ins = {c.user_id: c for c in CheckIn.objects.all()}
    assert check_ins[nina.pk].method == CheckInMethod.APP
    assert check_ins[hugo.pk].method == CheckInMethod.QR_CODE
    assert {c.session_id for c in check_ins.values()} == {session.pk}
    assert Session.objects.count() == 1  # no walk-in seat taken on top of the booked ones

    # "Qui est où" shows them both, present, today at Lyon.
    hugo_page.locator(".nav-primary").get_by_role("link", name="Qui est où").click()
    hugo_page.wait_for_load_state()
    today = hugo_page.locator(".wb-day--today")
    for name in ("Nina Rossi", "Hugo Marchand"):
        assert today.locator(".wb-person", has_text=name).get_by_text("présent·e").is_visible()
    screenshot(hugo_page, "journey-4-whereabouts")
