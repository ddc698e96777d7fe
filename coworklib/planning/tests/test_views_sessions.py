"""The session pages: agenda, planning, a session and its actions, .ics files and the calendar feed."""

import re
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.planning import services
from coworklib.planning.models import CalendarFeed, Participant, ParticipantStatus, Session, SessionSeries, Visibility
from coworklib.planning.tests.factories import FROZEN_MONDAY, PARIS, at, book, join
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import make_workspace, membership_of

pytestmark = pytest.mark.usefixtures("frozen_now")

NEXT_SATURDAY = FROZEN_MONDAY + timedelta(days=5)
NEXT_SUNDAY = FROZEN_MONDAY + timedelta(days=6)
ACTIONS = ["join", "leave", "decline", "invite", "cancel"]


def text(response: Any) -> str:
    return response.content.decode()


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def monday_session(user: User, organization: Organization, workspace: Workspace, **fields: Any) -> Session:
    return book(user, organization, workspace, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17), **fields)


def plan_data(workspace: Workspace, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "workspace": workspace.pk,
        "date": FROZEN_MONDAY.isoformat(),
        "start_time": "09:00",
        "end_time": "17:00",
        "description": "Atelier produit",
        "visibility": "organization",
    }
    data.update(overrides)
    return data


def session_url(session: Session, action: str = "") -> str:
    return f"/o/acme/sessions/{session.pk}/" + (f"{action}/" if action else "")


def status_of(session: Session, user: User) -> str | None:
    participant = Participant.objects.filter(session=session, user=user).first()
    return participant.status if participant else None


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


@pytest.fixture
def restricted_room(alice: User, acme: Organization) -> Workspace:
    """An Acme room only admins see: bob does not know it exists."""
    room = make_workspace(
        alice,
        acme,
        "Salle du conseil",
        capacity=8,
        opening_hours=[WeeklyInterval(d, 8 * 60, 20 * 60) for d in range(7)],
    )
    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=room, restricted=True)
    return room


# --- Agenda ---------------------------------------------------------------------------------------------------


def test_agenda_shows_invitations_first_then_upcoming_sessions_by_day(
    client: Client, acme: Organization, alice: User, bob: User, paris: Workspace
) -> None:
    book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 12), invitee_ids=[bob.pk])
    book(bob, acme, paris, at(FROZEN_MONDAY + timedelta(days=1), 14), at(FROZEN_MONDAY + timedelta(days=1), 18))

    response = logged_in(client, bob).get("/o/acme/sessions/")

    page = text(response)
    assert response.status_code == 200
    assert page.index("Invitations à répondre") < page.index("À venir")
    assert "Invitation de Alice Arnaud" in page
    assert "Lundi 7 décembre,</span>" in page  # the invitation, with its date
    assert "Mardi 8 décembre" in page  # the day heading of bob's own session
    assert "14:00–18:00" in page
    assert 'aria-current="page">Sessions</a>' in page


def test_agenda_lists_past_sessions_after_the_coming_ones(
    client: Client, acme: Organization, bob: User, paris: Workspace
) -> None:
    monday_before = FROZEN_MONDAY - timedelta(days=7)
    book(bob, acme, paris, at(monday_before, 9), at(monday_before, 11), now=at(monday_before, 8))
    monday_session(bob, acme, paris)

    page = text(logged_in(client, bob).get("/o/acme/sessions/"))

    assert page.index("À venir") < page.index("Sessions passées") < page.index("Lundi 30 novembre")


def test_agenda_says_the_workspace_clock_when_it_is_not_the_readers(
    client: Client, acme: Organization, alice: User, bob: User
) -> None:
    new_york = make_workspace(alice, acme, "NYC Loft", timezone="America/New_York")
    book(
        bob,
        acme,
        new_york,
        at(FROZEN_MONDAY, 9, zone=ZoneInfo("America/New_York")),
        at(FROZEN_MONDAY, 17, zone=ZoneInfo("America/New_York")),
    )

    page = text(logged_in(client, bob).get("/o/acme/sessions/"))

    assert "09:00–17:00" in page
    assert "heure de New York" in page


def test_an_empty_agenda_invites_to_plan_a_session(client: Client, acme: Organization, bob: User) -> None:
    page = text(logged_in(client, bob).get("/o/acme/sessions/"))

    assert "Aucune session prévue" in page
    assert 'href="/o/acme/sessions/new/"' in page


def test_agenda_is_not_found_for_an_outsider(client: Client, acme: Organization, olivia: User) -> None:
    assert logged_in(client, olivia).get("/o/acme/sessions/").status_code == 404


def test_agenda_runs_the_same_queries_for_3_or_30_sessions(
    client: Client,
    acme: Organization,
    alice: User,
    bob: User,
    carol: User,
    paris: Workspace,
    django_assert_max_num_queries: Any,
) -> None:
    logged_in(client, bob)

    def book_days(first: int, count: int) -> None:
        for offset in range(first, first + count):
            day = FROZEN_MONDAY + timedelta(days=7 * (offset // 5) + offset % 5)
            session = book(alice, acme, paris, at(day, 9), at(day, 10), invitee_ids=[carol.pk])
            join(bob, acme, session)
            book(alice, acme, paris, at(day, 11), at(day, 12), invitee_ids=[bob.pk])

    book_days(0, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/o/acme/sessions/").status_code == 200
    book_days(3, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/o/acme/sessions/")

    assert text(response).count("session-row ") + text(response).count('session-row"') >= 60


# --- Plan -----------------------------------------------------------------------------------------------------


def test_plan_page_preselects_the_workspace_and_date_and_shows_that_days_seats(
    client: Client, acme: Organization, bob: User, paris: Workspace
) -> None:
    response = logged_in(client, bob).get(f"/o/acme/sessions/new/?workspace={paris.pk}&date={FROZEN_MONDAY}")

    page = text(response)
    assert response.status_code == 200
    assert f'<option value="{paris.pk}" selected>' in page
    assert f'value="{FROZEN_MONDAY.isoformat()}"' in page
    assert "08:00–19:00" in page
    assert "20 places libres sur 20" in page


def test_plan_page_offers_only_workspaces_the_member_may_book(
    client: Client, acme: Organization, alice: User, bob: User, paris: Workspace, restricted_room: Workspace
) -> None:
    archived = make_workspace(alice, acme, "Ancien bureau")
    workspace_services.archive_workspace(by=membership_of(alice, acme), workspace=archived)

    page = text(logged_in(client, bob).get("/o/acme/sessions/new/"))

    assert "Paris HQ" in page
    assert "Salle du conseil" not in page
    assert "Ancien bureau" not in page


def test_plan_hint_comes_back_alone_for_htmx(client: Client, acme: Organization, bob: User, paris: Workspace) -> None:
    response = logged_in(client, bob).get(
        f"/o/acme/sessions/new/?hint=1&workspace={paris.pk}&date={NEXT_SATURDAY}", headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "<form" not in text(response)
    assert "Paris HQ est fermé le samedi 12 décembre." in " ".join(text(response).split())


def test_planning_creates_the_session_with_its_invitees(
    client: Client, acme: Organization, alice: User, bob: User, carol: User, paris: Workspace
) -> None:
    response = logged_in(client, alice).post(
        "/o/acme/sessions/new/", plan_data(paris, invitees=[bob.pk, carol.pk], visibility="invited")
    )

    session = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == session_url(session)
    assert (session.start, session.end) == (at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17))
    assert session.description == "Atelier produit"
    assert session.visibility == Visibility.INVITED
    assert status_of(session, alice) == ParticipantStatus.GOING
    assert status_of(session, bob) == status_of(session, carol) == ParticipantStatus.INVITED


def test_planning_reads_the_times_on_the_workspace_clock(
    client: Client, acme: Organization, alice: User, bob: User
) -> None:
    new_york = make_workspace(alice, acme, "NYC Loft", timezone="America/New_York")

    logged_in(client, bob).post("/o/acme/sessions/new/", plan_data(new_york))

    session = Session.objects.get()
    zone = ZoneInfo("America/New_York")
    assert (session.start, session.end) == (at(FROZEN_MONDAY, 9, zone=zone), at(FROZEN_MONDAY, 17, zone=zone))


def test_an_end_at_midnight_means_the_end_of_the_day(
    client: Client, acme: Organization, bob: User, small_room: Workspace
) -> None:
    small_room_all_day = small_room
    workspace_services.set_opening_hours(
        by=membership_of(User.objects.get(email="alice@acme.test"), acme),
        workspace=small_room_all_day,
        intervals=[WeeklyInterval(d, 0, 24 * 60) for d in range(7)],
    )

    logged_in(client, bob).post("/o/acme/sessions/new/", plan_data(small_room, start_time="18:00", end_time="00:00"))

    session = Session.objects.get()
    assert session.end == at(FROZEN_MONDAY + timedelta(days=1), 0)


def test_planning_every_week_lists_the_dates_that_could_not_be_booked(
    client: Client, acme: Organization, bob: User, paris: Workspace
) -> None:
    response = logged_in(client, bob).post(
        "/o/acme/sessions/new/",
        plan_data(paris, repeat="on", weekdays=["0", "5"], until=(FROZEN_MONDAY + timedelta(days=13)).isoformat()),
        follow=True,
    )

    sessions = Session.objects.order_by("start")
    notes = messages_of(response)
    assert [s.start.astimezone(PARIS).date() for s in sessions] == [FROZEN_MONDAY, FROZEN_MONDAY + timedelta(days=7)]
    assert SessionSeries.objects.count() == 1
    assert response.redirect_chain[-1][0] == "/o/acme/sessions/"
    assert "2 sessions sont planifiées." in notes
    assert any(note.startswith("Pas de session le samedi 12 décembre : Paris HQ est fermé") for note in notes)
    assert any(note.startswith("Pas de session le samedi 19 décembre : ") for note in notes)


def test_a_repetition_without_any_bookable_date_says_why_and_writes_nothing(
    client: Client, acme: Organization, bob: User, paris: Workspace
) -> None:
    response = logged_in(client, bob).post(
        "/o/acme/sessions/new/",
        plan_data(
            paris, date=NEXT_SATURDAY.isoformat(), repeat="on", weekdays=["5", "6"], until=NEXT_SUNDAY.isoformat()
        ),
    )

    page = " ".join(text(response).split())
    assert response.status_code == 409
    assert "Aucune de ces sessions ne peut être réservée." in page
    assert "Samedi 12 décembre</strong> : Paris HQ est fermé" in page
    assert "Dimanche 13 décembre</strong> : Paris HQ est fermé" in page
    assert Session.objects.count() == SessionSeries.objects.count() == 0


def test_a_refused_plan_keeps_what_was_typed_and_writes_nothing(
    client: Client, acme: Organization, bob: User, carol: User, paris: Workspace
) -> None:
    response = logged_in(client, bob).post(
        "/o/acme/sessions/new/",
        plan_data(paris, date=NEXT_SUNDAY.isoformat(), description="Rétro d'équipe", invitees=[carol.pk]),
    )

    page = text(response)
    assert response.status_code == 409
    assert "Paris HQ est fermé sur tout ou partie de ce créneau." in page
    assert "Rétro d&#x27;équipe</textarea>" in page
    assert f'value="{NEXT_SUNDAY.isoformat()}"' in page
    assert f'value="{carol.pk}" checked' in page
    assert Session.objects.count() == 0


def test_a_full_workspace_is_refused_with_what_to_do(
    client: Client, acme: Organization, alice: User, bob: User, carol: User, small_room: Workspace
) -> None:
    join(bob, acme, monday_session(alice, acme, small_room))

    response = logged_in(client, carol).post("/o/acme/sessions/new/", plan_data(small_room))

    assert response.status_code == 409
    assert "Petite salle est complet sur ce créneau" in text(response)
    assert "Choisissez un autre créneau ou un autre espace." in text(response)
    assert Session.objects.count() == 1


def test_an_end_before_the_start_is_shown_next_to_the_end(
    client: Client, acme: Organization, bob: User, paris: Workspace
) -> None:
    response = logged_in(client, bob).post(
        "/o/acme/sessions/new/", plan_data(paris, start_time="15:00", end_time="10:00")
    )

    assert response.status_code == 422
    assert response.context["form"].errors["end_time"] == ["La fin doit être après le début."]
    assert Session.objects.count() == 0


def test_a_slot_already_over_is_shown_next_to_the_date(
    client: Client, acme: Organization, bob: User, paris: Workspace
) -> None:
    yesterday = date(2026, 12, 1)

    response = logged_in(client, bob).post("/o/acme/sessions/new/", plan_data(paris, date=yesterday.isoformat()))

    assert response.status_code == 422
    assert response.context["form"].errors["date"] == ["Ce créneau est déjà passé."]
    assert Session.objects.count() == 0


def test_a_repetition_needs_its_days_and_its_end(
    client: Client, acme: Organization, bob: User, paris: Workspace
) -> None:
    response = logged_in(client, bob).post("/o/acme/sessions/new/", plan_data(paris, repeat="on"))

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"weekdays", "until"}
    assert Session.objects.count() == 0


def test_planning_at_a_hidden_workspace_is_refused(
    client: Client, acme: Organization, bob: User, restricted_room: Workspace
) -> None:
    response = logged_in(client, bob).post("/o/acme/sessions/new/", plan_data(restricted_room))

    assert response.status_code == 422
    assert "workspace" in response.context["form"].errors
    assert Session.objects.count() == 0


# --- A session ------------------------------------------------------------------------------------------------


def test_session_page_shows_when_where_who_and_the_free_seats(
    client: Client, acme: Organization, alice: User, bob: User, carol: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris, description="Ligne 1\nLigne 2", invitee_ids=[bob.pk, carol.pk])
    services.decline_session(by=membership_of(carol, acme), session=session)

    response = logged_in(client, bob).get(session_url(session))

    page = text(response)
    assert response.status_code == 200
    assert "Lundi 7 décembre" in page and "09:00–17:00" in page
    assert f'href="/o/acme/workspaces/{paris.pk}/"' in page
    assert f'href="/o/acme/workspaces/{paris.pk}/day/?date=2026-12-07"' in page
    assert "<p>Ligne 1<br>Ligne 2</p>" in page
    assert "Organisée par Alice Arnaud" in page
    assert "1 participe" in page and "1 invitation sans réponse" in page and "1 ne vient pas" in page
    assert "19 places libres sur 20" in page
    assert ">Accepter</button>" in page and ">Décliner</button>" in page
    assert f'href="/o/acme/sessions/{session.pk}/session.ics"' in page
    assert f"/o/acme/sessions/{session.pk}/edit/" not in page  # not the organizer


def test_session_page_offers_the_organizer_to_edit_and_cancel(
    client: Client, acme: Organization, alice: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris)

    page = text(logged_in(client, alice).get(session_url(session)))

    assert f'href="/o/acme/sessions/{session.pk}/edit/"' in page
    assert "Oui, annuler la session" in page
    assert "Je ne viens plus" in page
    assert "la session sera annulée" in page


def test_a_cancelled_session_says_so(
    client: Client, acme: Organization, alice: User, bob: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris)
    services.cancel_session(by=membership_of(alice, acme), session=session)

    page = text(logged_in(client, bob).get(session_url(session)))

    assert "Cette session a été annulée le 2 décembre" in page
    assert "Je viens" not in page


@pytest.mark.parametrize("path", ["", "edit/", "session.ics"])
def test_session_pages_are_not_found_for_an_outsider(
    client: Client, acme: Organization, alice: User, olivia: User, paris: Workspace, path: str
) -> None:
    session = monday_session(alice, acme, paris)

    assert logged_in(client, olivia).get(session_url(session) + path).status_code == 404


@pytest.mark.parametrize("path", ["", "edit/", "session.ics"])
def test_an_invitation_only_session_is_not_found_for_the_uninvited(
    client: Client, acme: Organization, alice: User, bob: User, paris: Workspace, path: str
) -> None:
    session = monday_session(alice, acme, paris, visibility=Visibility.INVITED)

    assert logged_in(client, bob).get(session_url(session) + path).status_code == 404


def test_a_session_at_a_hidden_workspace_is_not_found(
    client: Client, acme: Organization, alice: User, bob: User, restricted_room: Workspace
) -> None:
    session = monday_session(alice, acme, restricted_room)

    assert logged_in(client, bob).get(session_url(session)).status_code == 404
    assert logged_in(client, bob).post(session_url(session, "join")).status_code == 404
    assert status_of(session, bob) is None


# --- Actions --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_only_answer_post(
    client: Client, acme: Organization, alice: User, paris: Workspace, action: str
) -> None:
    session = monday_session(alice, acme, paris)

    assert logged_in(client, alice).get(session_url(session, action)).status_code == 405


@pytest.mark.parametrize("action", ACTIONS)
def test_actions_need_the_csrf_token(acme: Organization, alice: User, bob: User, paris: Workspace, action: str) -> None:
    session = monday_session(alice, acme, paris)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(session_url(session, action), {"invitees": [bob.pk]})

    assert response.status_code == 403
    assert Session.objects.get().cancelled_at is None
    assert status_of(session, alice) == ParticipantStatus.GOING
    assert status_of(session, bob) is None


def test_joining_takes_a_seat(client: Client, acme: Organization, alice: User, bob: User, paris: Workspace) -> None:
    session = monday_session(alice, acme, paris)

    response = logged_in(client, bob).post(session_url(session, "join"), follow=True)

    assert response.redirect_chain == [(session_url(session), 302)]
    assert "C'est noté, vous venez : votre place est réservée." in messages_of(response)
    assert status_of(session, bob) == ParticipantStatus.GOING


def test_accepting_from_the_agenda_comes_back_to_the_agenda(
    client: Client, acme: Organization, alice: User, bob: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris, invitee_ids=[bob.pk])

    response = logged_in(client, bob).post(session_url(session, "join"), {"return_to": "agenda"})

    assert response["Location"] == "/o/acme/sessions/"
    assert status_of(session, bob) == ParticipantStatus.GOING


def test_joining_a_full_session_shows_why_and_changes_nothing(
    client: Client, acme: Organization, alice: User, bob: User, carol: User, small_room: Workspace
) -> None:
    session = monday_session(alice, acme, small_room)
    join(bob, acme, session)

    response = logged_in(client, carol).post(session_url(session, "join"))

    assert response.status_code == 409
    assert "Petite salle est complet sur ce créneau" in text(response)
    assert status_of(session, carol) is None


def test_declining_an_invitation(client: Client, acme: Organization, alice: User, bob: User, paris: Workspace) -> None:
    session = monday_session(alice, acme, paris, invitee_ids=[bob.pk])

    response = logged_in(client, bob).post(session_url(session, "decline"))

    assert response["Location"] == session_url(session)
    assert status_of(session, bob) == ParticipantStatus.DECLINED


def test_leaving_gives_the_seat_back(
    client: Client, acme: Organization, alice: User, bob: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris)
    join(bob, acme, session)

    response = logged_in(client, bob).post(session_url(session, "leave"), follow=True)

    assert "Vous ne participez plus à cette session : votre place est libérée." in messages_of(response)
    assert status_of(session, bob) == ParticipantStatus.DECLINED


def test_the_organizer_leaving_hands_the_session_over(
    client: Client, acme: Organization, alice: User, bob: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris)
    join(bob, acme, session)

    response = logged_in(client, alice).post(session_url(session, "leave"), follow=True)

    assert "Bob Bernard organise désormais la session." in messages_of(response)
    assert Session.objects.get().organizer == bob


def test_inviting_colleagues(
    client: Client, acme: Organization, alice: User, bob: User, carol: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris)

    response = logged_in(client, alice).post(
        session_url(session, "invite"), {"invitees": [bob.pk, carol.pk]}, follow=True
    )

    assert "2 personnes sont invitées." in messages_of(response)
    assert status_of(session, bob) == status_of(session, carol) == ParticipantStatus.INVITED


def test_inviting_nobody_is_shown_on_the_form(
    client: Client, acme: Organization, alice: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris)

    response = logged_in(client, alice).post(session_url(session, "invite"), {})

    assert response.status_code == 422
    assert "Choisissez au moins une personne à inviter." in text(response)
    assert Participant.objects.count() == 1


def test_someone_not_going_may_not_invite(
    client: Client, acme: Organization, alice: User, bob: User, carol: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris)

    response = logged_in(client, bob).post(session_url(session, "invite"), {"invitees": [carol.pk]})

    assert response.status_code == 403
    assert status_of(session, carol) is None


def test_the_organizer_cancels(client: Client, acme: Organization, alice: User, paris: Workspace) -> None:
    session = monday_session(alice, acme, paris)

    response = logged_in(client, alice).post(session_url(session, "cancel"), follow=True)

    assert "La session est annulée : les places sont libérées." in messages_of(response)
    assert Session.objects.get().cancelled_at == timezone.now()


def test_an_admin_may_cancel_someone_elses_session(
    client: Client, acme: Organization, bob: User, carol: User, paris: Workspace
) -> None:
    session = monday_session(bob, acme, paris)

    logged_in(client, carol).post(session_url(session, "cancel"))

    assert Session.objects.get().cancelled_at is not None


def test_a_member_may_not_cancel_someone_elses_session(
    client: Client, acme: Organization, alice: User, bob: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris)
    join(bob, acme, session)

    response = logged_in(client, bob).post(session_url(session, "cancel"))

    assert response.status_code == 403
    assert Session.objects.get().cancelled_at is None


# --- Edit -----------------------------------------------------------------------------------------------------


def test_only_the_organizer_may_edit(
    client: Client, acme: Organization, alice: User, bob: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris)
    join(bob, acme, session)

    assert logged_in(client, bob).get(session_url(session, "edit")).status_code == 403
    assert client.post(session_url(session, "edit"), plan_data(paris, start_time="10:00")).status_code == 403
    assert Session.objects.get().start == at(FROZEN_MONDAY, 9)


def test_edit_page_shows_the_session_as_it_is(
    client: Client, acme: Organization, alice: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris, description="Atelier")

    page = text(logged_in(client, alice).get(session_url(session, "edit")))

    assert 'value="09:00"' in page and 'value="17:00"' in page
    assert f'value="{FROZEN_MONDAY.isoformat()}"' in page
    assert "Atelier</textarea>" in page


def test_editing_moves_and_describes_the_session(
    client: Client, acme: Organization, alice: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris)

    response = logged_in(client, alice).post(
        session_url(session, "edit"),
        plan_data(paris, date=(FROZEN_MONDAY + timedelta(days=1)).isoformat(), end_time="18:30", description="Nouveau"),
    )

    session.refresh_from_db()
    assert response["Location"] == session_url(session)
    assert (session.start, session.end) == (
        at(FROZEN_MONDAY + timedelta(days=1), 9),
        at(FROZEN_MONDAY + timedelta(days=1), 18, 30),
    )
    assert session.description == "Nouveau"


def test_a_move_names_who_has_to_confirm_again(
    client: Client, acme: Organization, alice: User, bob: User, paris: Workspace
) -> None:
    session = monday_session(alice, acme, paris)
    join(bob, acme, session)
    tuesday = FROZEN_MONDAY + timedelta(days=1)
    book(bob, acme, paris, at(tuesday, 9), at(tuesday, 12))

    response = logged_in(client, alice).post(
        session_url(session, "edit"), plan_data(paris, date=tuesday.isoformat()), follow=True
    )

    assert any(note.startswith("Bob Bernard participe déjà à une autre session") for note in messages_of(response))
    assert status_of(session, bob) == ParticipantStatus.INVITED


def test_a_refused_move_keeps_what_was_typed(client: Client, acme: Organization, alice: User, paris: Workspace) -> None:
    session = monday_session(alice, acme, paris)

    response = logged_in(client, alice).post(
        session_url(session, "edit"), plan_data(paris, date=NEXT_SUNDAY.isoformat(), description="Dimanche ?")
    )

    assert response.status_code == 409
    assert "Dimanche ?</textarea>" in text(response)
    assert Session.objects.get().start == at(FROZEN_MONDAY, 9)


# --- Calendars ------------------------------------------------------------------------------------------------


def test_session_ics_is_a_calendar_file(client: Client, acme: Organization, alice: User, paris: Workspace) -> None:
    session = monday_session(alice, acme, paris)

    response = logged_in(client, alice).get(session_url(session) + "session.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="session-{session.pk}.ics"'
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == at(FROZEN_MONDAY, 9)
    assert event.decoded("dtend") == at(FROZEN_MONDAY, 17)


def test_calendar_settings_show_a_new_address_once(client: Client, bob: User) -> None:
    logged_in(client, bob)
    assert "Créer mon adresse d'agenda" in text(client.get("/account/calendar/"))

    response = client.post("/account/calendar/", {"action": "reset"})

    address = re.search(r'id="feed-url" type="text" value="([^"]+)"', text(response))
    assert address is not None and address.group(1).startswith("http://testserver/calendar/")
    assert "no-store" in response["Cache-Control"]
    assert CalendarFeed.objects.filter(user=bob).count() == 1
    assert address.group(1) not in text(client.get("/account/calendar/"))


def test_calendar_settings_are_linked_from_the_account_pages(client: Client, bob: User) -> None:
    page = text(logged_in(client, bob).get("/accounts/profile/"))

    assert 'href="/account/calendar/"' in page


def test_the_feed_answers_with_the_new_address_only(
    client: Client, acme: Organization, bob: User, paris: Workspace
) -> None:
    monday_session(bob, acme, paris)
    old_token = services.reset_calendar_feed(user=bob)
    token = services.reset_calendar_feed(user=bob)

    response = client.get(f"/calendar/{token}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    assert response["X-Robots-Tag"] == "noindex"
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1
    assert CalendarFeed.objects.get(user=bob).last_used_at == timezone.now()
    assert client.get(f"/calendar/{old_token}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_the_feed_records_its_use_at_most_hourly(client: Client, bob: User, frozen_now: Any) -> None:
    token = services.reset_calendar_feed(user=bob)
    client.get(f"/calendar/{token}.ics")
    first_use = timezone.now()

    frozen_now.shift(timedelta(minutes=30))
    client.get(f"/calendar/{token}.ics")
    assert CalendarFeed.objects.get(user=bob).last_used_at == first_use
    frozen_now.shift(timedelta(minutes=31))
    client.get(f"/calendar/{token}.ics")
    assert CalendarFeed.objects.get(user=bob).last_used_at == timezone.now()


def test_a_revoked_feed_is_not_found(client: Client, bob: User) -> None:
    token = services.reset_calendar_feed(user=bob)
    logged_in(client, bob).post("/account/calendar/", {"action": "revoke"})

    assert CalendarFeed.objects.count() == 0
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_the_feed_of_a_deleted_account_is_not_found(client: Client, bob: User) -> None:
    token = services.reset_calendar_feed(user=bob)
    User.objects.filter(pk=bob.pk).update(deleted_at=timezone.now())

    assert client.get(f"/calendar/{token}.ics").status_code == 404


# --- Organization home and navigation -------------------------------------------------------------------------


def test_organization_home_shows_the_next_sessions_and_waiting_invitations(
    client: Client, acme: Organization, alice: User, bob: User, paris: Workspace
) -> None:
    for offset in range(4):
        day = FROZEN_MONDAY + timedelta(days=offset)
        book(bob, acme, paris, at(day, 9), at(day, 10))
    monday_session(alice, acme, paris, invitee_ids=[bob.pk])

    page = text(logged_in(client, bob).get("/o/acme/"))

    assert "Vos prochaines sessions" in page
    assert "1 invitation attend votre réponse" in page
    assert page.count('class="session-row__link"') == 3
    assert 'class="button" href="/o/acme/sessions/new/"' in page


def test_organization_home_counts_every_waiting_invitation_not_only_those_it_shows(
    client: Client, acme: Organization, alice: User, bob: User, paris: Workspace
) -> None:
    for hour in range(9, 15):
        book(alice, acme, paris, at(FROZEN_MONDAY, hour), at(FROZEN_MONDAY, hour + 1), invitee_ids=[bob.pk])

    page = text(logged_in(client, bob).get("/o/acme/"))

    assert "6 invitations attendent votre réponse" in page


def test_nav_leads_to_sessions_and_whereabouts_and_keeps_console_for_admins(
    client: Client, acme: Organization, bob: User, carol: User
) -> None:
    member_page = text(logged_in(client, bob).get("/o/acme/"))
    admin_page = text(logged_in(Client(), carol).get("/o/acme/"))

    assert 'href="/o/acme/sessions/"' in member_page
    assert 'href="/o/acme/whereabouts/"' in member_page
    assert "/o/acme/console/" not in member_page
    nav, menu = admin_page.split('<details class="switcher">', 1)
    assert "/o/acme/console/" not in nav.split('<div class="nav-primary">', 1)[1]
    assert 'href="/o/acme/console/"' in menu


def test_another_member_sees_the_organizations_own_sessions_only(
    client: Client,
    acme: Organization,
    globex: Organization,
    alice: User,
    olivia: User,
    paris: Workspace,
    globex_office: Workspace,
) -> None:
    carla = make_member(globex, "carla@globex.test")
    book(
        olivia,
        globex,
        globex_office,
        at(FROZEN_MONDAY, 9, zone=ZoneInfo("America/New_York")),
        at(FROZEN_MONDAY, 17, zone=ZoneInfo("America/New_York")),
        invitee_ids=[carla.pk],
    )

    page = text(logged_in(client, alice).get("/o/acme/sessions/"))

    assert "Globex Tower" not in page
