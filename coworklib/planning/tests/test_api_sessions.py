"""The session endpoints of the API: create, read, change, cancel, join, leave, answer, invite, recurring, .ics."""

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar

from conftest import bearer, make_member
from coworklib.accounts.models import User
from coworklib.organizations.models import Organization, Role
from coworklib.planning.models import CheckIn, Participant, ParticipantStatus, Session, SessionSeries, Visibility
from coworklib.planning.tests.factories import FROZEN_MONDAY, NEXT_MONDAY, at, book, join
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import call, make_workspace, membership_of

# Sessions are booked on the real clock, on a Monday ahead of today: answers are in the workspace's zone, with
# the offset of that day (winter or summer time, whichever it is).
SATURDAY = NEXT_MONDAY + timedelta(days=5)
MONDAY_9 = at(NEXT_MONDAY, 9).isoformat()
MONDAY_12 = at(NEXT_MONDAY, 12).isoformat()
MONDAY_17 = at(NEXT_MONDAY, 17).isoformat()


def monday_at(hour: int) -> str:
    return at(NEXT_MONDAY, hour).isoformat()


def day_after_monday(days: int) -> str:
    return (NEXT_MONDAY + timedelta(days=days)).isoformat()


def counts() -> dict[str, int]:
    """Every row the session endpoints can write, to show that a refused call wrote nothing."""
    return {
        "sessions": Session.objects.count(),
        "participants": Participant.objects.count(),
        "going": Participant.objects.filter(status=ParticipantStatus.GOING).count(),
        "series": SessionSeries.objects.count(),
        "check-ins": CheckIn.objects.count(),
    }


@pytest.fixture
def dave(acme: Organization) -> User:
    """Another plain member of Acme."""
    return make_member(acme, "dave@acme.test", Role.MEMBER, first_name="Dave", last_name="Durand")


@pytest.fixture
def monday(alice: User, acme: Organization, paris: Workspace) -> Session:
    """Alice's session at Paris HQ next Monday, 09:00–17:00."""
    return book(alice, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17), description="Sprint")


def create(client: Client, user: User, place: Workspace, **fields: Any) -> Any:
    body = {"workspace": place.pk, "start": MONDAY_9, "end": MONDAY_17, **fields}
    return call(client, "POST", "/sessions", user, body)


# --- Create ---------------------------------------------------------------------------------------------------


def test_creating_a_session_makes_the_caller_its_organizer_and_first_going_participant(
    client: Client, bob: User, paris: Workspace
) -> None:
    response = create(client, bob, paris, description="Atelier")

    assert response.status_code == 201
    body = response.json()
    session = Session.objects.get()
    assert body["id"] == session.pk
    assert body["workspace"] == paris.pk
    assert body["start"] == MONDAY_9
    assert body["end"] == MONDAY_17
    assert body["description"] == "Atelier"
    assert body["organizer"] == {"id": bob.pk, "display_name": "Bob Bernard"}
    assert body["participants"] == [{"user": {"id": bob.pk, "display_name": "Bob Bernard"}, "status": "going"}]
    assert body["visibility"] == "organization"
    assert (body["going"], body["my_status"], body["cancelled"], body["series"]) == (1, "going", False, None)
    assert session.organizer == bob
    assert session.start == at(NEXT_MONDAY, 9)
    assert list(session.participants.values_list("user_id", "status")) == [(bob.pk, "going")]


@pytest.mark.usefixtures("frozen_now")
def test_datetimes_are_stored_in_utc_and_answered_in_the_workspaces_zone(
    client: Client, bob: User, paris: Workspace
) -> None:
    # About fixed offsets (+09:00, Z, Paris in winter): the clock is frozen a few days before FROZEN_MONDAY.
    response = create(client, bob, paris, start="2026-12-07T17:00:00+09:00", end="2026-12-07T11:30:00Z")

    assert response.status_code == 201
    assert response.json()["start"] == "2026-12-07T09:00:00+01:00"
    assert response.json()["end"] == "2026-12-07T12:30:00+01:00"
    assert Session.objects.get().start == at(FROZEN_MONDAY, 9)


def test_invitees_are_invited_after_the_organizer(client: Client, bob: User, carol: User, paris: Workspace) -> None:
    response = create(client, bob, paris, invitees=[carol.pk], visibility="invited")

    assert response.status_code == 201
    assert [(p["user"]["id"], p["status"]) for p in response.json()["participants"]] == [
        (bob.pk, "going"),
        (carol.pk, "invited"),
    ]
    assert response.json()["visibility"] == "invited"
    assert Participant.objects.get(user=carol).invited_by == bob
    assert Session.objects.get().visibility == Visibility.INVITED


def test_a_full_workspace_refuses_the_session_with_capacity_exceeded(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    first = book(alice, acme, small_room, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 12))
    join(carol, acme, first)
    before = counts()

    response = create(client, bob, small_room, start=monday_at(11), end=MONDAY_17)

    assert response.status_code == 409
    assert response.json()["code"] == "capacity_exceeded"
    assert response.json()["free_seats"] == 0
    assert response.json()["capacity"] == 2
    assert counts() == before


def test_a_session_outside_opening_hours_is_refused_with_workspace_closed(
    client: Client, bob: User, paris: Workspace
) -> None:
    response = create(client, bob, paris, start=at(SATURDAY, 9).isoformat(), end=at(SATURDAY, 12).isoformat())

    assert response.status_code == 409
    assert response.json()["code"] == "workspace_closed"
    assert counts()["sessions"] == 0


def test_a_member_cannot_be_going_to_two_overlapping_sessions(
    client: Client, bob: User, acme: Organization, paris: Workspace, small_room: Workspace
) -> None:
    book(bob, acme, small_room, at(NEXT_MONDAY, 8), at(NEXT_MONDAY, 10))
    before = counts()

    response = create(client, bob, paris)

    assert response.status_code == 409
    assert response.json()["code"] == "overlapping_session"
    assert counts() == before


def test_an_end_before_the_start_is_a_422_on_end(client: Client, bob: User, paris: Workspace) -> None:
    response = create(client, bob, paris, start=MONDAY_17, end=MONDAY_9)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert [error["loc"] for error in response.json()["errors"]] == [["end"]]
    assert counts()["sessions"] == 0


def test_an_end_equal_to_the_start_is_a_422(client: Client, bob: User, paris: Workspace) -> None:
    response = create(client, bob, paris, start=MONDAY_9, end=MONDAY_9)

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["end"]
    assert counts()["sessions"] == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"start": at(NEXT_MONDAY, 9).replace(tzinfo=None).isoformat()},
        {"end": at(NEXT_MONDAY, 17).replace(tzinfo=None).isoformat()},
        {"start": 1796630400},
        {"start": None},
        {"start": "next monday"},
        {"start": "0001-01-01T00:00:00+01:00"},
        {"end": "9999-12-31T23:59:59-23:59"},
        {"description": "x" * 2001},
        {"description": "bell\x07"},
        {"visibility": "everyone"},
        {"workspace": "1"},
        {"workspace": True},
        {"invitees": [0]},
        {"invitees": list(range(1, 52))},
    ],
    ids=[
        "naive start",
        "naive end",
        "number",
        "null",
        "words",
        "year one",
        "year 9999",
        "long description",
        "control character",
        "visibility",
        "string id",
        "boolean id",
        "zero id",
        "too many invitees",
    ],
)
def test_malformed_input_is_a_422_and_writes_nothing(
    client: Client, bob: User, paris: Workspace, fields: dict[str, Any]
) -> None:
    response = create(client, bob, paris, **fields)

    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert counts()["sessions"] == 0


def test_a_slot_already_over_is_a_422(client: Client, bob: User, paris: Workspace) -> None:
    last_monday = NEXT_MONDAY - timedelta(weeks=2)  # 1 to 7 days before today
    response = create(client, bob, paris, start=at(last_monday, 9).isoformat(), end=at(last_monday, 12).isoformat())

    assert response.status_code == 422
    assert [(error["loc"], error["type"]) for error in response.json()["errors"]] == [(["end"], "in_the_past")]
    assert counts()["sessions"] == 0


def test_a_body_that_is_not_an_object_is_a_422(client: Client, bob: User, paris: Workspace) -> None:
    response = call(client, "POST", "/sessions", bob, [{"workspace": paris.pk}])

    assert response.status_code == 422
    assert counts()["sessions"] == 0


def test_crlf_in_the_description_is_kept_as_line_breaks(client: Client, bob: User, paris: Workspace) -> None:
    response = create(client, bob, paris, description="Ordre du jour :\r\n- budget")

    assert response.status_code == 201
    assert Session.objects.get().description == "Ordre du jour :\n- budget"


def test_another_organizations_workspace_is_404(client: Client, bob: User, globex_office: Workspace) -> None:
    response = create(client, bob, globex_office)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert counts()["sessions"] == 0


def test_inviting_someone_from_another_organization_is_404(
    client: Client, bob: User, olivia: User, paris: Workspace
) -> None:
    response = create(client, bob, paris, invitees=[olivia.pk])

    assert response.status_code == 404
    assert counts()["sessions"] == 0


def test_a_workspace_hidden_by_an_access_rule_is_404(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=paris, restricted=True)

    response = create(client, bob, paris)

    assert response.status_code == 404
    assert counts()["sessions"] == 0


def test_inviting_someone_the_workspace_excludes_is_a_422(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    workspace_services.set_access_rule(
        by=membership_of(alice, acme), workspace=paris, restricted=True, allowed_member_ids=[carol.pk]
    )

    response = create(client, carol, paris, invitees=[bob.pk])

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["invitees"]
    assert counts()["sessions"] == 0


def test_error_details_follow_accept_language(client: Client, bob: User, paris: Workspace) -> None:
    body = {"workspace": paris.pk, "start": MONDAY_17, "end": MONDAY_9}
    french = call(client, "POST", "/sessions", bob, body, HTTP_ACCEPT_LANGUAGE="fr").json()
    english = call(client, "POST", "/sessions", bob, body, HTTP_ACCEPT_LANGUAGE="en").json()

    assert french["code"] == english["code"] == "invalid"
    assert french["detail"] == "La fin doit être après le début."
    with translation.override("en"):
        assert english["detail"] == _("La fin doit être après le début.")


def test_a_conflicts_detail_follows_accept_language(client: Client, bob: User, paris: Workspace) -> None:
    body = {"workspace": paris.pk, "start": at(SATURDAY, 9).isoformat(), "end": at(SATURDAY, 12).isoformat()}
    french = call(client, "POST", "/sessions", bob, body, HTTP_ACCEPT_LANGUAGE="fr").json()
    english = call(client, "POST", "/sessions", bob, body, HTTP_ACCEPT_LANGUAGE="en").json()

    assert french["code"] == english["code"] == "workspace_closed"
    assert french["detail"] == "Paris HQ est fermé sur tout ou partie de ce créneau."
    with translation.override("en"):
        assert english["detail"] == _("%(workspace)s est fermé sur tout ou partie de ce créneau.") % {
            "workspace": "Paris HQ"
        }


def test_a_not_found_detail_follows_accept_language(client: Client, olivia: User, monday: Session) -> None:
    french = call(client, "GET", f"/sessions/{monday.pk}", olivia, HTTP_ACCEPT_LANGUAGE="fr").json()
    english = call(client, "GET", f"/sessions/{monday.pk}", olivia, HTTP_ACCEPT_LANGUAGE="en").json()

    assert (french["detail"], english["detail"]) == ("Introuvable.", "Not found.")


# --- Read -----------------------------------------------------------------------------------------------------


def test_a_member_reads_a_colleagues_session(client: Client, bob: User, monday: Session, alice: User) -> None:
    response = call(client, "GET", f"/sessions/{monday.pk}", bob)

    assert response.status_code == 200
    assert response.json()["id"] == monday.pk
    assert response.json()["organizer"]["id"] == alice.pk
    assert response.json()["my_status"] is None
    assert response.json()["workspace_name"] == "Paris HQ"
    assert response.json()["timezone"] == "Europe/Paris"


def test_the_organizer_stays_first_after_a_hand_over(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, monday: Session
) -> None:
    join(bob, acme, monday)
    join(carol, acme, monday)
    call(client, "DELETE", f"/sessions/{monday.pk}/participants/me", alice)

    response = call(client, "GET", f"/sessions/{monday.pk}", carol)

    assert response.json()["organizer"]["id"] == bob.pk
    assert [p["user"]["id"] for p in response.json()["participants"]] == [bob.pk, alice.pk, carol.pk]


@pytest.mark.parametrize(("language", "name"), [("fr", "Utilisateur supprimé"), ("en", "Deleted user")])
def test_a_deleted_organizer_is_named_in_the_requests_language(
    client: Client, alice: User, bob: User, monday: Session, language: str, name: str
) -> None:
    alice.deleted_at = timezone.now()
    alice.save(update_fields=["deleted_at"])

    response = call(client, "GET", f"/sessions/{monday.pk}", bob, HTTP_ACCEPT_LANGUAGE=language)

    assert response.json()["organizer"] == {"id": alice.pk, "display_name": name}
    assert response.json()["participants"][0]["user"]["display_name"] == name


def test_an_unknown_session_is_404(client: Client, bob: User) -> None:
    response = call(client, "GET", "/sessions/999999", bob)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_invitation_only_session_is_404_for_members_not_invited(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    private = book(
        alice, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17), visibility="invited", invitee_ids=[carol.pk]
    )

    assert call(client, "GET", f"/sessions/{private.pk}", bob).status_code == 404
    assert call(client, "GET", f"/sessions/{private.pk}", carol).status_code == 200
    assert call(client, "POST", f"/sessions/{private.pk}/participants", bob, {}).status_code == 404
    assert not Participant.objects.filter(user=bob).exists()


# --- Change ---------------------------------------------------------------------------------------------------


def test_the_organizer_moves_a_session(client: Client, alice: User, monday: Session) -> None:
    response = call(client, "PATCH", f"/sessions/{monday.pk}", alice, {"start": MONDAY_12, "description": "Après-midi"})

    assert response.status_code == 200
    assert response.json()["start"] == MONDAY_12
    assert response.json()["description"] == "Après-midi"
    monday.refresh_from_db()
    assert monday.start == at(NEXT_MONDAY, 12)
    assert monday.description == "Après-midi"


def test_the_organizer_moves_a_session_to_another_workspace(
    client: Client, alice: User, monday: Session, small_room: Workspace
) -> None:
    response = call(client, "PATCH", f"/sessions/{monday.pk}", alice, {"workspace": small_room.pk})

    assert response.status_code == 200
    assert response.json()["workspace"] == small_room.pk
    monday.refresh_from_db()
    assert monday.workspace == small_room


def test_an_empty_patch_changes_nothing(client: Client, alice: User, monday: Session) -> None:
    response = call(client, "PATCH", f"/sessions/{monday.pk}", alice, {})

    assert response.status_code == 200
    assert response.json()["start"] == MONDAY_9


def test_another_member_may_not_change_a_session(client: Client, bob: User, monday: Session) -> None:
    response = call(client, "PATCH", f"/sessions/{monday.pk}", bob, {"description": "Mine now"})

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    monday.refresh_from_db()
    assert monday.description == "Sprint"


def test_moving_into_closed_hours_is_refused_and_changes_nothing(client: Client, alice: User, monday: Session) -> None:
    response = call(client, "PATCH", f"/sessions/{monday.pk}", alice, {"end": monday_at(21)})

    assert response.status_code == 409
    assert response.json()["code"] == "workspace_closed"
    monday.refresh_from_db()
    assert monday.end == at(NEXT_MONDAY, 17)


def test_extending_beyond_the_free_seats_is_refused(
    client: Client, alice: User, bob: User, carol: User, dave: User, acme: Organization, small_room: Workspace
) -> None:
    morning = book(alice, acme, small_room, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 12))
    join(bob, acme, morning)
    afternoon = book(carol, acme, small_room, at(NEXT_MONDAY, 12), at(NEXT_MONDAY, 17))
    join(dave, acme, afternoon)
    before = counts()

    response = call(client, "PATCH", f"/sessions/{morning.pk}", alice, {"end": monday_at(13)})

    assert response.status_code == 409
    assert response.json()["code"] == "capacity_exceeded"
    morning.refresh_from_db()
    assert morning.end == at(NEXT_MONDAY, 12)
    assert counts() == before


def test_moving_to_an_end_before_the_start_is_a_422(client: Client, alice: User, monday: Session) -> None:
    response = call(client, "PATCH", f"/sessions/{monday.pk}", alice, {"end": monday_at(8)})

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["end"]
    monday.refresh_from_db()
    assert monday.end == at(NEXT_MONDAY, 17)


@pytest.mark.parametrize("field", ["start", "end", "description", "visibility", "workspace"])
def test_a_patch_field_sent_as_null_is_a_422(client: Client, alice: User, monday: Session, field: str) -> None:
    response = call(client, "PATCH", f"/sessions/{monday.pk}", alice, {field: None})

    assert response.status_code == 422
    monday.refresh_from_db()
    assert (monday.start, monday.description) == (at(NEXT_MONDAY, 9), "Sprint")


def test_moving_to_a_workspace_hidden_by_an_access_rule_is_404(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    vault = make_workspace(alice, acme, "Vault", capacity=4)
    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=vault, restricted=True)
    session = book(bob, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17))

    response = call(client, "PATCH", f"/sessions/{session.pk}", bob, {"workspace": vault.pk})

    assert response.status_code == 404
    session.refresh_from_db()
    assert session.workspace == paris


# --- Cancel ---------------------------------------------------------------------------------------------------


def test_the_organizer_cancels_a_session(client: Client, alice: User, monday: Session) -> None:
    response = call(client, "DELETE", f"/sessions/{monday.pk}", alice)

    assert response.status_code == 204
    monday.refresh_from_db()
    assert monday.is_cancelled
    assert call(client, "GET", f"/sessions/{monday.pk}", alice).json()["cancelled"] is True


def test_an_admin_cancels_a_members_session(
    client: Client, bob: User, carol: User, acme: Organization, paris: Workspace
) -> None:
    session = book(bob, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17))

    response = call(client, "DELETE", f"/sessions/{session.pk}", carol)

    assert response.status_code == 204
    session.refresh_from_db()
    assert session.is_cancelled


def test_a_member_may_not_cancel_a_colleagues_session(client: Client, bob: User, monday: Session) -> None:
    response = call(client, "DELETE", f"/sessions/{monday.pk}", bob)

    assert response.status_code == 403
    monday.refresh_from_db()
    assert not monday.is_cancelled


def test_cancelling_twice_is_harmless(client: Client, alice: User, monday: Session) -> None:
    call(client, "DELETE", f"/sessions/{monday.pk}", alice)

    assert call(client, "DELETE", f"/sessions/{monday.pk}", alice).status_code == 204


# --- Join, leave, answer --------------------------------------------------------------------------------------


def test_joining_takes_a_seat(client: Client, bob: User, monday: Session) -> None:
    response = call(client, "POST", f"/sessions/{monday.pk}/participants", bob, {})

    assert response.status_code == 201
    assert response.json()["my_status"] == "going"
    assert response.json()["going"] == 2
    assert Participant.objects.get(session=monday, user=bob).status == ParticipantStatus.GOING


def test_joining_without_a_body_works_too(client: Client, bob: User, monday: Session) -> None:
    response = client.post(
        f"/api/v1/sessions/{monday.pk}/participants", data=b"", content_type="application/json", headers=bearer(bob)
    )

    assert response.status_code == 201
    assert Participant.objects.get(session=monday, user=bob).status == ParticipantStatus.GOING


def test_joining_twice_is_409_already_participant(client: Client, bob: User, monday: Session) -> None:
    call(client, "POST", f"/sessions/{monday.pk}/participants", bob, {})
    before = counts()

    response = call(client, "POST", f"/sessions/{monday.pk}/participants", bob, {})

    assert response.status_code == 409
    assert response.json()["code"] == "already_participant"
    assert counts() == before


def test_joining_a_full_session_is_409_capacity_exceeded(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    session = book(alice, acme, small_room, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 12))
    join(carol, acme, session)
    before = counts()

    response = call(client, "POST", f"/sessions/{session.pk}/participants", bob, {})

    assert response.status_code == 409
    assert response.json()["code"] == "capacity_exceeded"
    assert counts() == before


def test_joining_while_going_elsewhere_is_409_overlapping_session(
    client: Client, bob: User, acme: Organization, monday: Session, small_room: Workspace
) -> None:
    book(bob, acme, small_room, at(NEXT_MONDAY, 10), at(NEXT_MONDAY, 11))
    before = counts()

    response = call(client, "POST", f"/sessions/{monday.pk}/participants", bob, {})

    assert response.status_code == 409
    assert response.json()["code"] == "overlapping_session"
    assert counts() == before


def test_joining_a_cancelled_session_is_409_session_cancelled(
    client: Client, alice: User, bob: User, monday: Session
) -> None:
    call(client, "DELETE", f"/sessions/{monday.pk}", alice)

    response = call(client, "POST", f"/sessions/{monday.pk}/participants", bob, {})

    assert response.status_code == 409
    assert response.json()["code"] == "session_cancelled"
    assert not Participant.objects.filter(user=bob).exists()


def test_joining_a_session_that_is_over_is_409_session_over(client: Client, bob: User, monday: Session) -> None:
    with time_machine.travel(at(NEXT_MONDAY, 18), tick=False):
        response = call(client, "POST", f"/sessions/{monday.pk}/participants", bob, {})

    assert response.status_code == 409
    assert response.json()["code"] == "session_over"
    assert not Participant.objects.filter(user=bob).exists()


def test_a_join_body_that_is_not_an_object_is_a_422(client: Client, bob: User, monday: Session) -> None:
    response = call(client, "POST", f"/sessions/{monday.pk}/participants", bob, [1])

    assert response.status_code == 422
    assert not Participant.objects.filter(user=bob).exists()


def test_leaving_gives_the_seat_back(client: Client, bob: User, acme: Organization, monday: Session) -> None:
    join(bob, acme, monday)

    response = call(client, "DELETE", f"/sessions/{monday.pk}/participants/me", bob)

    assert response.status_code == 204
    assert Participant.objects.get(session=monday, user=bob).status == ParticipantStatus.DECLINED


def test_leaving_a_session_one_is_not_part_of_is_harmless(client: Client, bob: User, monday: Session) -> None:
    first = call(client, "DELETE", f"/sessions/{monday.pk}/participants/me", bob)
    second = call(client, "DELETE", f"/sessions/{monday.pk}/participants/me", bob)

    assert (first.status_code, second.status_code) == (204, 204)
    assert not Participant.objects.filter(user=bob).exists()


def test_the_organizer_leaving_alone_cancels_the_session(client: Client, alice: User, monday: Session) -> None:
    response = call(client, "DELETE", f"/sessions/{monday.pk}/participants/me", alice)

    assert response.status_code == 204
    monday.refresh_from_db()
    assert monday.is_cancelled


def test_accepting_an_invitation(client: Client, alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17), invitee_ids=[bob.pk])

    response = call(client, "PATCH", f"/sessions/{session.pk}/participants/me", bob, {"status": "going"})

    assert response.status_code == 200
    assert response.json()["my_status"] == "going"
    assert Participant.objects.get(session=session, user=bob).status == ParticipantStatus.GOING


def test_accepting_an_invitation_by_joining(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace
) -> None:
    session = book(alice, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17), invitee_ids=[bob.pk])

    response = call(client, "POST", f"/sessions/{session.pk}/participants", bob, {})

    assert response.status_code == 201
    assert Participant.objects.get(session=session, user=bob).status == ParticipantStatus.GOING


def test_declining_an_invitation(client: Client, alice: User, bob: User, acme: Organization, paris: Workspace) -> None:
    session = book(alice, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17), invitee_ids=[bob.pk])

    response = call(client, "PATCH", f"/sessions/{session.pk}/participants/me", bob, {"status": "declined"})

    assert response.status_code == 200
    assert response.json()["my_status"] == "declined"
    assert Participant.objects.get(session=session, user=bob).status == ParticipantStatus.DECLINED


def test_declining_a_session_one_was_never_invited_to_is_409(client: Client, bob: User, monday: Session) -> None:
    response = call(client, "PATCH", f"/sessions/{monday.pk}/participants/me", bob, {"status": "declined"})

    assert response.status_code == 409
    assert response.json()["code"] == "not_participant"
    assert not Participant.objects.filter(user=bob).exists()


def test_accepting_an_invitation_to_a_full_session_is_409(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace
) -> None:
    session = book(alice, acme, small_room, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 12), invitee_ids=[bob.pk])
    join(carol, acme, session)

    response = call(client, "PATCH", f"/sessions/{session.pk}/participants/me", bob, {"status": "going"})

    assert response.status_code == 409
    assert response.json()["code"] == "capacity_exceeded"
    assert Participant.objects.get(session=session, user=bob).status == ParticipantStatus.INVITED


@pytest.mark.parametrize("status", ["invited", "maybe", None, 1])
def test_an_answer_other_than_going_or_declined_is_a_422(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, status: Any
) -> None:
    session = book(alice, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17), invitee_ids=[bob.pk])

    response = call(client, "PATCH", f"/sessions/{session.pk}/participants/me", bob, {"status": status})

    assert response.status_code == 422
    assert Participant.objects.get(session=session, user=bob).status == ParticipantStatus.INVITED


# --- Invitations ----------------------------------------------------------------------------------------------


def test_the_organizer_invites_colleagues(client: Client, alice: User, bob: User, carol: User, monday: Session) -> None:
    response = call(client, "POST", f"/sessions/{monday.pk}/invitations", alice, {"invitees": [bob.pk, carol.pk]})

    assert response.status_code == 201
    assert [(p["user"]["id"], p["status"]) for p in response.json()["participants"]] == [
        (alice.pk, "going"),
        (bob.pk, "invited"),
        (carol.pk, "invited"),
    ]
    assert set(Participant.objects.filter(status="invited").values_list("user_id", flat=True)) == {bob.pk, carol.pk}


def test_a_going_participant_may_invite_too(
    client: Client, bob: User, carol: User, acme: Organization, monday: Session
) -> None:
    join(bob, acme, monday)

    response = call(client, "POST", f"/sessions/{monday.pk}/invitations", bob, {"invitees": [carol.pk]})

    assert response.status_code == 201
    assert Participant.objects.get(user=carol).invited_by == bob


def test_a_member_not_going_may_not_invite(client: Client, bob: User, carol: User, monday: Session) -> None:
    before = counts()

    response = call(client, "POST", f"/sessions/{monday.pk}/invitations", bob, {"invitees": [carol.pk]})

    assert response.status_code == 403
    assert counts() == before


def test_inviting_an_outsider_is_404_and_invites_nobody(
    client: Client, alice: User, bob: User, olivia: User, monday: Session
) -> None:
    before = counts()

    response = call(client, "POST", f"/sessions/{monday.pk}/invitations", alice, {"invitees": [bob.pk, olivia.pk]})

    assert response.status_code == 404
    assert counts() == before


def test_inviting_people_already_there_is_409_already_participant(
    client: Client, alice: User, bob: User, acme: Organization, monday: Session
) -> None:
    join(bob, acme, monday)
    before = counts()

    response = call(client, "POST", f"/sessions/{monday.pk}/invitations", alice, {"invitees": [bob.pk]})

    assert response.status_code == 409
    assert response.json()["code"] == "already_participant"
    assert counts() == before


@pytest.mark.parametrize("users", [[], None, ["x"], [0]])
def test_an_invitation_without_valid_ids_is_a_422(client: Client, alice: User, monday: Session, users: Any) -> None:
    before = counts()

    response = call(client, "POST", f"/sessions/{monday.pk}/invitations", alice, {"invitees": users})

    assert response.status_code == 422
    assert counts() == before


# --- Recurring ------------------------------------------------------------------------------------------------


def recurring(client: Client, user: User, place: Workspace, **fields: Any) -> Any:
    body = {
        "workspace": place.pk,
        "start": MONDAY_9,
        "end": MONDAY_17,
        "weekdays": [0, 2],
        "until": day_after_monday(13),
        **fields,
    }
    return call(client, "POST", "/sessions/recurring", user, body)


def test_a_recurring_session_books_each_chosen_weekday(client: Client, bob: User, paris: Workspace) -> None:
    response = recurring(client, bob, paris)

    assert response.status_code == 201
    body = response.json()
    series = SessionSeries.objects.get()
    assert body["series"] == series.pk
    assert [s["start"] for s in body["sessions"]] == [
        at(NEXT_MONDAY + timedelta(days=days), 9).isoformat() for days in (0, 2, 7, 9)
    ]
    assert all(s["series"] == series.pk for s in body["sessions"])
    assert body["skipped"] == []
    assert Session.objects.filter(series=series).count() == 4


def test_occurrences_that_cannot_be_booked_are_listed_not_dropped(
    client: Client, bob: User, acme: Organization, paris: Workspace
) -> None:
    # Paris HQ is closed at weekends: the Saturday is skipped.
    response = recurring(client, bob, paris, weekdays=[0, 5], until=day_after_monday(6))

    assert response.status_code == 201
    assert [s["start"][:10] for s in response.json()["sessions"]] == [NEXT_MONDAY.isoformat()]
    assert response.json()["skipped"] == [
        {"date": SATURDAY.isoformat(), "code": "workspace_closed", "reason": response.json()["skipped"][0]["reason"]}
    ]
    assert Session.objects.count() == 1


def test_a_series_with_no_bookable_occurrence_is_409_and_writes_nothing(
    client: Client, bob: User, paris: Workspace
) -> None:
    response = recurring(
        client,
        bob,
        paris,
        start=at(SATURDAY, 9).isoformat(),
        end=at(SATURDAY, 12).isoformat(),
        weekdays=[5, 6],
        until=day_after_monday(13),
    )

    assert response.status_code == 409
    assert response.json()["code"] == "no_occurrence_available"
    assert [(s["date"], s["code"]) for s in response.json()["skipped"]] == [
        (day_after_monday(days), "workspace_closed") for days in (5, 6, 12, 13)
    ]
    assert counts() == {"sessions": 0, "participants": 0, "going": 0, "series": 0, "check-ins": 0}


@pytest.mark.parametrize(
    "fields",
    [
        {"weekdays": []},
        {"weekdays": [7]},
        {"weekdays": [True]},
        {"until": day_after_monday(-6)},
        {"until": "2026-02-30"},
        {"until": day_after_monday(13).replace("-", "")},
        {"end": at(NEXT_MONDAY + timedelta(days=1), 10).isoformat()},
    ],
    ids=["no weekday", "weekday 7", "boolean weekday", "until before start", "no such date", "compact date", "days"],
)
def test_a_malformed_series_is_a_422_and_writes_nothing(
    client: Client, bob: User, paris: Workspace, fields: dict[str, Any]
) -> None:
    response = recurring(client, bob, paris, **fields)

    assert response.status_code == 422
    assert counts()["series"] == counts()["sessions"] == 0


# --- .ics -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_session_downloads_as_an_ics_file_in_the_requests_language(
    client: Client, bob: User, monday: Session, language: str
) -> None:
    response = call(client, "GET", f"/sessions/{monday.pk}/ics", bob, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    with translation.override(language):
        assert str(event["summary"]) == _("Session à %(workspace)s") % {"workspace": "Paris HQ"}
    assert event.decoded("dtstart") == at(NEXT_MONDAY, 9)
    assert event.decoded("dtend") == at(NEXT_MONDAY, 17)


def test_another_organizations_ics_is_404(client: Client, olivia: User, monday: Session) -> None:
    response = call(client, "GET", f"/sessions/{monday.pk}/ics", olivia)

    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "not_found"


def test_writes_take_a_bounded_number_of_queries(
    client: Client, bob: User, alice: User, acme: Organization, paris: Workspace, django_assert_max_num_queries: Any
) -> None:
    for day in range(5):
        book(alice, acme, paris, at(NEXT_MONDAY + timedelta(days=day), 9), at(NEXT_MONDAY + timedelta(days=day), 10))

    with django_assert_max_num_queries(40):
        assert create(client, bob, paris).status_code == 201
