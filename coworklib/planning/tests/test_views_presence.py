"""The presence pages: a workspace's day, check-in and check-out, the QR code, and "Qui est où"."""

import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.planning import services
from coworklib.planning.checkin_codes import checkin_code, todays_checkin_code
from coworklib.planning.models import CheckIn, CheckInMethod, Session
from coworklib.planning.tests.factories import FROZEN_MONDAY, FROZEN_TODAY, NEXT_MONDAY, at, book, join
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import make_workspace, membership_of

WEDNESDAY = FROZEN_TODAY  # the day of the `frozen_now` fixture


def day_url(workspace: Workspace, day: date | None = None) -> str:
    url = f"/o/acme/workspaces/{workspace.pk}/day/"
    return f"{url}?date={day.isoformat()}" if day else url


def qr_url(workspace: Workspace, code: str) -> str:
    return f"/o/acme/check-in/{workspace.pk}/{code}/"


def check_in(user: User, organization: Organization, workspace: Workspace) -> CheckIn:
    record, _created = services.check_in(by=membership_of(user, organization), workspace=workspace)
    return record


def restrict(workspace: Workspace, admin: User, organization: Organization) -> None:
    workspace_services.set_access_rule(by=membership_of(admin, organization), workspace=workspace, restricted=True)


def page_text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- A workspace's day ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_now")  # the page names the day in French: a fixed day
def test_the_day_page_opens_for_a_member(client: Client, bob: User, paris: Workspace) -> None:
    client.force_login(bob)

    response = client.get(day_url(paris, FROZEN_MONDAY))

    assert response.status_code == 200
    html = page_text(response)
    assert "Lundi 7 décembre 2026" in html
    assert "20 places libres sur 20" in html
    assert f"/o/acme/sessions/new/?workspace={paris.pk}&amp;date=2026-12-07" in html
    assert "?date=2026-12-06" in html and "?date=2026-12-08" in html


def test_the_day_page_is_404_for_another_organization(client: Client, olivia: User, paris: Workspace) -> None:
    client.force_login(olivia)

    assert client.get(day_url(paris)).status_code == 404


def test_the_day_page_is_404_for_a_workspace_an_access_rule_hides(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    restrict(paris, alice, acme)
    client.force_login(bob)

    assert client.get(day_url(paris)).status_code == 404


def test_the_timeline_shows_the_peak_of_each_hour(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    book(alice, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 12))
    book(bob, acme, paris, at(NEXT_MONDAY, 10), at(NEXT_MONDAY, 11))
    book(carol, acme, paris, at(NEXT_MONDAY, 11), at(NEXT_MONDAY, 14))
    client.force_login(bob)

    response = client.get(day_url(paris, NEXT_MONDAY))

    bars = response.context["overview"].bars
    assert [(bar.hour, bar.peak) for bar in bars] == [
        ("08", 0),
        ("09", 1),
        ("10", 2),
        ("11", 2),
        ("12", 1),
        ("13", 1),
        ("14", 0),
        ("15", 0),
        ("16", 0),
        ("17", 0),
        ("18", 0),
    ]
    html = page_text(response)
    assert "10:00–11:00 : 18 places libres sur 20" in html
    assert "18 places libres sur 20" in html  # the day's peak
    assert html.count('class="day-session"') == 3


def test_the_timeline_greys_closed_hours_between_open_ones(
    client: Client, alice: User, bob: User, acme: Organization
) -> None:
    from coworklib.workspaces.opening_hours import WeeklyInterval

    lunch_break = make_workspace(
        alice,
        acme,
        "Coupure",
        opening_hours=[WeeklyInterval(0, 9 * 60, 12 * 60), WeeklyInterval(0, 14 * 60, 18 * 60)],
    )
    client.force_login(bob)

    bars = client.get(day_url(lunch_break, NEXT_MONDAY)).context["overview"].bars

    assert [bar.hour for bar in bars if bar.state == "closed"] == ["12", "13"]
    assert bars[0].hour == "09" and bars[-1].hour == "17"


def test_a_closed_day_says_so(client: Client, bob: User, paris: Workspace) -> None:
    client.force_login(bob)

    response = client.get(day_url(paris, NEXT_MONDAY + timedelta(days=5)))  # Saturday

    assert response.context["overview"].bars == []
    assert "Fermé ce jour-là" in page_text(response)


@pytest.mark.parametrize(("day", "hours"), [(date(2027, 3, 28), 23), (date(2026, 10, 25), 25)])
def test_a_daylight_saving_day_has_23_or_25_hours(
    client: Client, alice: User, bob: User, acme: Organization, day: date, hours: int
) -> None:
    always_open = make_workspace(alice, acme, "Toujours ouvert")
    client.force_login(bob)

    response = client.get(day_url(always_open, day))

    overview = response.context["overview"]
    assert len(overview.timeline.slots) == hours
    assert len(overview.bars) == hours
    if hours == 25:
        # The repeated hour reads as an hour, not "02:00–02:00".
        assert [bar.span for bar in overview.bars if bar.hour == "02"] == ["02:00–03:00", "02:00–03:00"]
    else:
        assert "01:00–03:00" in [bar.span for bar in overview.bars]


def test_a_bad_date_shows_today(client: Client, bob: User, paris: Workspace, frozen_now: Any) -> None:
    client.force_login(bob)

    response = client.get(f"{day_url(paris)}?date=2026-13-45")

    assert response.status_code == 200
    assert response.context["overview"].day == WEDNESDAY


def test_today_shows_who_is_present_and_the_visits(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, frozen_now: Any
) -> None:
    check_in(alice, acme, paris)
    client.force_login(bob)

    response = client.get(day_url(paris))

    html = page_text(response)
    assert "<strong>1</strong> présent maintenant" in html
    assert "<strong>1</strong> passage aujourd'hui" in html
    assert response.context["overview"].day == WEDNESDAY


def test_the_workspace_says_its_time_zone_when_it_is_not_the_readers(
    client: Client, alice: User, bob: User, acme: Organization
) -> None:
    new_york = make_workspace(alice, acme, "New York", timezone="America/New_York")
    client.force_login(bob)

    response = client.get(day_url(new_york, NEXT_MONDAY))

    assert "heure de New York" in page_text(response)


def test_an_invitation_only_session_is_left_out_but_still_counted(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    book(alice, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 12), description="Secret", visibility="invited")
    client.force_login(bob)

    response = client.get(day_url(paris, NEXT_MONDAY))

    assert response.context["overview"].sessions == []
    assert "Secret" not in page_text(response)
    assert "19 places libres sur 20" in page_text(response)


# --- Check-in and check-out -------------------------------------------------------------------------------------


def test_check_in_from_the_app_records_it_and_goes_back(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    client.force_login(bob)

    response = client.post(f"/o/acme/workspaces/{paris.pk}/check-in/", follow=True)

    assert response.redirect_chain[-1][0] == f"/o/acme/workspaces/{paris.pk}/"
    assert "Check-in enregistré à Paris HQ." in page_text(response)
    record = CheckIn.objects.get(user=bob)
    assert (record.workspace_id, record.method, record.checked_out_at) == (paris.pk, CheckInMethod.APP, None)


def test_check_in_goes_back_to_a_local_next_page_only(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    client.force_login(bob)
    url = f"/o/acme/workspaces/{paris.pk}/check-in/"

    local = client.post(url, {"next": f"/o/acme/workspaces/{paris.pk}/day/"})
    elsewhere = client.post(url, {"next": "https://evil.test/"})

    assert local["Location"] == f"/o/acme/workspaces/{paris.pk}/day/"
    assert elsewhere["Location"] == f"/o/acme/workspaces/{paris.pk}/"


def test_check_in_by_get_is_refused(client: Client, bob: User, paris: Workspace, frozen_now: Any) -> None:
    client.force_login(bob)

    response = client.get(f"/o/acme/workspaces/{paris.pk}/check-in/")

    assert response.status_code == 405
    assert not CheckIn.objects.exists()


def test_check_in_without_the_csrf_token_is_refused(bob: User, paris: Workspace, frozen_now: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)

    response = client.post(f"/o/acme/workspaces/{paris.pk}/check-in/")

    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_check_in_while_closed_says_so_and_writes_nothing(client: Client, bob: User, paris: Workspace) -> None:
    client.force_login(bob)

    with time_machine.travel(at(FROZEN_MONDAY, 21), tick=False):
        response = client.post(f"/o/acme/workspaces/{paris.pk}/check-in/", follow=True)

    assert "Paris HQ est fermé en ce moment" in page_text(response)
    assert not CheckIn.objects.exists()


def test_check_in_at_a_full_workspace_says_so(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace, frozen_now: Any
) -> None:
    book(alice, acme, small_room, at(WEDNESDAY, 9), at(WEDNESDAY, 12))
    book(carol, acme, small_room, at(WEDNESDAY, 9), at(WEDNESDAY, 12))
    client.force_login(bob)

    response = client.post(f"/o/acme/workspaces/{small_room.pk}/check-in/", follow=True)

    assert "Petite salle est complet en ce moment" in page_text(response)
    assert not CheckIn.objects.filter(user=bob).exists()


@pytest.mark.parametrize("who", ["olivia", "restricted"])
def test_check_in_where_one_may_not_see_is_404(
    client: Client,
    alice: User,
    bob: User,
    olivia: User,
    acme: Organization,
    paris: Workspace,
    frozen_now: Any,
    who: str,
) -> None:
    if who == "restricted":
        restrict(paris, alice, acme)
    client.force_login(bob if who == "restricted" else olivia)

    response = client.post(f"/o/acme/workspaces/{paris.pk}/check-in/")

    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_check_out_ends_the_check_in(
    client: Client, bob: User, acme: Organization, paris: Workspace, frozen_now: Any
) -> None:
    record = check_in(bob, acme, paris)
    client.force_login(bob)

    response = client.post("/o/acme/check-out/", follow=True)

    assert response.redirect_chain[-1][0] == f"/o/acme/workspaces/{paris.pk}/"
    assert "Check-out enregistré à Paris HQ." in page_text(response)
    record.refresh_from_db()
    assert record.checked_out_at is not None


def test_check_out_by_get_is_refused(client: Client, bob: User, acme: Organization, paris: Workspace) -> None:
    client.force_login(bob)

    assert client.get("/o/acme/check-out/").status_code == 405


def test_the_workspace_page_offers_check_in_then_check_out(
    client: Client, bob: User, acme: Organization, paris: Workspace, frozen_now: Any
) -> None:
    client.force_login(bob)
    url = f"/o/acme/workspaces/{paris.pk}/"

    before = page_text(client.get(url))
    client.post(f"{url}check-in/")
    after = page_text(client.get(url))

    assert f'action="/o/acme/workspaces/{paris.pk}/check-in/"' in before
    assert 'action="/o/acme/check-out/"' not in before
    assert f"/o/acme/sessions/new/?workspace={paris.pk}&amp;date=2026-12-02" in before
    assert "Planifier une session ici" in before
    assert 'action="/o/acme/check-out/"' in after
    assert "Vous êtes sur place depuis 10:00" in after
    assert "<strong>1</strong> présent maintenant" in after


def test_the_workspace_page_shows_the_days_sessions_and_their_people(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17), description="Atelier")
    join(bob, acme, session)
    client.force_login(bob)

    response = client.get(f"/o/acme/workspaces/{paris.pk}/?date={NEXT_MONDAY.isoformat()}")

    html = page_text(response)
    assert f'href="/o/acme/sessions/{session.pk}/"' in html
    assert "Atelier" in html and "09:00–17:00" in html
    assert "Alice Arnaud" in html and "Bob Bernard" in html
    assert "Vous y allez" in html
    assert "18 places libres sur 20 au plus fort de la journée" in html


def test_the_workspace_page_hides_check_in_while_closed(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    client.force_login(bob)

    with time_machine.travel(at(FROZEN_MONDAY, 21), tick=False):
        html = page_text(client.get(f"/o/acme/workspaces/{paris.pk}/"))

    assert "/check-in/" not in html
    assert "pendant les horaires d'ouverture" in html


# --- The QR code ------------------------------------------------------------------------------------------------


def test_the_qr_page_shows_one_button_and_changes_nothing(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    client.force_login(bob)

    response = client.get(qr_url(paris, todays_checkin_code(paris)))

    assert response.status_code == 200
    html = page_text(response)
    assert "Paris HQ" in html and "Je fais mon check-in" in html
    assert not CheckIn.objects.exists()


def test_todays_qr_code_checks_in_with_the_qr_method(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    client.force_login(bob)
    url = qr_url(paris, todays_checkin_code(paris))

    response = client.post(url, follow=True)

    assert response.redirect_chain == [(url, 302)]
    html = page_text(response)
    assert "Vous êtes sur place" in html
    assert "<strong>1</strong> présent maintenant" in html
    assert CheckIn.objects.get(user=bob).method == CheckInMethod.QR_CODE


def test_yesterdays_qr_code_is_refused_and_writes_nothing(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    with time_machine.travel(at(WEDNESDAY - timedelta(days=1), 9), tick=False):
        photographed = qr_url(paris, todays_checkin_code(paris))
    client.force_login(bob)

    response = client.post(photographed)

    assert response.status_code == 410
    assert "Ce code QR n'est plus valable : scannez celui affiché aujourd'hui sur place" in page_text(response)
    assert not CheckIn.objects.exists()
    assert not Session.objects.exists()


def test_a_made_up_qr_code_is_refused_even_on_get(client: Client, bob: User, paris: Workspace) -> None:
    client.force_login(bob)

    response = client.get(qr_url(paris, checkin_code(paris, date(2020, 1, 1))))

    assert response.status_code == 410
    assert "Je fais mon check-in" not in page_text(response)


def test_the_qr_page_sends_a_visitor_to_log_in_first(client: Client, paris: Workspace, frozen_now: Any) -> None:
    url = qr_url(paris, todays_checkin_code(paris))

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert url.replace("/", "%2F") in response["Location"] or url in response["Location"]


def test_the_qr_page_of_another_organization_is_404(
    client: Client, olivia: User, paris: Workspace, frozen_now: Any
) -> None:
    client.force_login(olivia)

    assert client.post(qr_url(paris, todays_checkin_code(paris))).status_code == 404
    assert not CheckIn.objects.exists()


def test_the_console_qr_page_is_for_admins(client: Client, bob: User, paris: Workspace) -> None:
    client.force_login(bob)

    assert client.get(f"/o/acme/console/workspaces/{paris.pk}/qr/").status_code == 403


def test_the_console_qr_page_shows_todays_code_and_reloads_after_midnight(
    client: Client, carol: User, paris: Workspace
) -> None:
    client.force_login(carol)

    with time_machine.travel(at(WEDNESDAY, 23, 50), tick=False):
        response = client.get(f"/o/acme/console/workspaces/{paris.pk}/qr/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "viewBox" in html
    assert '<meta http-equiv="refresh" content="630">' in html  # 10 min to midnight, and 30 s
    assert "Ce code change chaque jour à minuit (heure de Paris)" in page_text(response)


def test_the_console_qr_page_reloads_at_least_every_hour(client: Client, carol: User, paris: Workspace) -> None:
    client.force_login(carol)

    with time_machine.travel(at(WEDNESDAY, 9), tick=False):
        response = client.get(f"/o/acme/console/workspaces/{paris.pk}/qr/")

    assert '<meta http-equiv="refresh" content="3600">' in response.content.decode()


def test_the_console_edit_page_links_to_the_qr_page(client: Client, carol: User, paris: Workspace) -> None:
    client.force_login(carol)

    response = client.get(f"/o/acme/console/workspaces/{paris.pk}/")

    assert f'href="/o/acme/console/workspaces/{paris.pk}/qr/"' in response.content.decode()


# --- Qui est où -------------------------------------------------------------------------------------------------


@pytest.fixture
def wednesday_at_paris(alice: User, bob: User, acme: Organization, paris: Workspace, frozen_now: Any) -> Session:
    """Alice and Bob both go to Paris HQ on Wednesday; Bob has checked in."""
    session = book(alice, acme, paris, at(WEDNESDAY, 9), at(WEDNESDAY, 17))
    join(bob, acme, session)
    check_in(bob, acme, paris)
    return session


def _people(response: Any, day: date) -> dict[str, bool]:
    column = next(column for column in response.context["week"] if column.day == day)
    return {person.user.first_name: person.checked_in for _workspace, people in column.places for person in people}


def test_whereabouts_shows_both_people_and_who_checked_in(
    client: Client, alice: User, wednesday_at_paris: Session
) -> None:
    client.force_login(alice)

    response = client.get("/o/acme/whereabouts/")

    assert response.status_code == 200
    assert _people(response, WEDNESDAY) == {"Alice": False, "Bob": True}
    html = page_text(response)
    assert "Alice Arnaud" in html and "Bob Bernard" in html
    assert "Bob Bernard, 09:00–17:00, présent·e" in html
    assert "Alice Arnaud, 09:00–17:00</span>" in html
    assert 'aria-current="date"' in html
    assert "Semaine du 30 novembre au 6 décembre 2026" in html


def test_whereabouts_moves_from_week_to_week(client: Client, alice: User, wednesday_at_paris: Session) -> None:
    client.force_login(alice)

    this_week = page_text(client.get("/o/acme/whereabouts/"))
    next_week = client.get("/o/acme/whereabouts/?week=2026-12-09")

    assert "week=2026-11-23" in this_week and "week=2026-12-07" in this_week
    assert next_week.context["week_start"] == date(2026, 12, 7)
    assert "Personne n'a encore prévu de venir cette semaine" in page_text(next_week)


def test_whereabouts_for_me_shows_only_me(client: Client, bob: User, wednesday_at_paris: Session) -> None:
    client.force_login(bob)

    response = client.get("/o/acme/whereabouts/?scope=me")

    assert _people(response, WEDNESDAY) == {"Bob": True}
    assert "Alice Arnaud" not in page_text(response)


def test_whereabouts_filters_by_workspace(
    client: Client, alice: User, acme: Organization, small_room: Workspace, wednesday_at_paris: Session
) -> None:
    book(alice, acme, small_room, at(WEDNESDAY, 18), at(WEDNESDAY, 19))
    client.force_login(alice)

    everywhere = client.get("/o/acme/whereabouts/")
    only_the_room = client.get(f"/o/acme/whereabouts/?workspace={small_room.pk}")

    assert [workspace.name for workspace, _cells in everywhere.context["rows"]] == ["Paris HQ", "Petite salle"]
    assert [workspace.name for workspace, _cells in only_the_room.context["rows"]] == ["Petite salle"]


def test_whereabouts_leaves_out_a_workspace_an_access_rule_hides(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace, frozen_now: Any
) -> None:
    book(carol, acme, small_room, at(WEDNESDAY, 11), at(WEDNESDAY, 12))
    restrict(small_room, alice, acme)
    client.force_login(bob)

    response = client.get("/o/acme/whereabouts/")

    assert _people(response, WEDNESDAY) == {}
    assert "Petite salle" not in page_text(response)


def test_whereabouts_of_another_organization_is_404(client: Client, olivia: User, acme: Organization) -> None:
    client.force_login(olivia)

    assert client.get("/o/acme/whereabouts/").status_code == 404


def test_an_empty_week_suggests_planning_a_session(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    client.force_login(bob)

    html = page_text(client.get("/o/acme/whereabouts/"))

    assert "Personne n'a encore prévu de venir cette semaine" in html
    assert 'href="/o/acme/sessions/new/?date=2026-12-02"' in html


# --- Query counts -----------------------------------------------------------------------------------------------


def _book_many(alice: User, bob: User, acme: Organization, workspace: Workspace, day: date, count: int) -> None:
    """`count` sessions of 20 minutes from 08:00 on `day`, each with Alice and Bob."""
    for index in range(count):
        start = at(day, 8) + timedelta(minutes=20 * index)
        join(bob, acme, book(alice, acme, workspace, start, start + timedelta(minutes=20)))


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["day", "detail", "whereabouts"])
def test_the_pages_run_the_same_number_of_queries_for_3_or_30_sessions(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, page: str
) -> None:
    client.force_login(bob)
    url = {
        "day": day_url(paris, NEXT_MONDAY),
        "detail": f"/o/acme/workspaces/{paris.pk}/?date={NEXT_MONDAY.isoformat()}",
        "whereabouts": f"/o/acme/whereabouts/?week={NEXT_MONDAY.isoformat()}",
    }[page]
    _queries(client, url)  # the session's first use is recorded once

    _book_many(alice, bob, acme, paris, NEXT_MONDAY, 3)
    few = _queries(client, url)
    Session.objects.all().delete()
    _book_many(alice, bob, acme, paris, NEXT_MONDAY + timedelta(days=1), 30)
    _book_many(alice, bob, acme, paris, NEXT_MONDAY, 30)
    many = _queries(client, url)

    assert few == many


def test_the_day_page_runs_a_bounded_number_of_queries(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, django_assert_max_num_queries: Any
) -> None:
    _book_many(alice, bob, acme, paris, NEXT_MONDAY, 30)
    client.force_login(bob)
    client.get(day_url(paris, NEXT_MONDAY))

    with django_assert_max_num_queries(20):
        client.get(day_url(paris, NEXT_MONDAY))


def test_whereabouts_runs_a_bounded_number_of_queries(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, django_assert_max_num_queries: Any
) -> None:
    _book_many(alice, bob, acme, paris, NEXT_MONDAY, 30)
    client.force_login(bob)
    client.get(f"/o/acme/whereabouts/?week={NEXT_MONDAY}")

    with django_assert_max_num_queries(15):
        client.get(f"/o/acme/whereabouts/?week={NEXT_MONDAY}")
