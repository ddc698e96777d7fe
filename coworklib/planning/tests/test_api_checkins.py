"""Check-in and check-out through the API: from the app, with today's QR code, only while open, never over capacity.

The clock is frozen on Wednesday 2 December 2026, 10:00 in Paris (`frozen_now`).
"""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.planning.checkin_codes import checkin_code, todays_checkin_code
from coworklib.planning.models import CheckIn, CheckInMethod, Participant, Session
from coworklib.planning.tests.factories import at, book, join
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import call, membership_of

WEDNESDAY = date(2026, 12, 2)


def counts() -> dict[str, int]:
    return {
        "check-ins": CheckIn.objects.count(),
        "sessions": Session.objects.count(),
        "participants": Participant.objects.count(),
    }


def check_in(client: Client, user: User, workspace: Workspace, **fields: Any) -> Any:
    return call(client, "POST", "/checkins", user, {"workspace": workspace.pk, **fields})


# --- Check in -------------------------------------------------------------------------------------------------


def test_checking_in_from_the_app_takes_a_walk_in_seat_until_closing(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    response = check_in(client, bob, paris)

    assert response.status_code == 201
    record = CheckIn.objects.get()
    walk_in = Session.objects.get(is_walk_in=True)
    assert response.json() == {
        "id": record.pk,
        "workspace": paris.pk,
        "checked_in_at": "2026-12-02T10:00:00+01:00",
        "checked_out_at": None,
        "closes_at": "2026-12-02T19:00:00+01:00",
        "session": walk_in.pk,
        "method": "app",
    }
    assert (record.user, record.method, record.session) == (bob, CheckInMethod.APP, walk_in)


def test_checking_in_again_where_one_already_is_answers_200_and_writes_nothing(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    first = check_in(client, bob, paris)
    before = counts()

    again = check_in(client, bob, paris)

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert counts() == before


def test_a_going_participant_uses_their_sessions_seat(
    client: Client, bob: User, acme: Organization, paris: Workspace, frozen_now: Any
) -> None:
    session = book(bob, acme, paris, at(WEDNESDAY, 10, 30), at(WEDNESDAY, 12))

    response = check_in(client, bob, paris)

    assert response.status_code == 201
    assert response.json()["session"] == session.pk
    assert not Session.objects.filter(is_walk_in=True).exists()


def test_todays_qr_code_checks_in_with_method_qr(client: Client, bob: User, paris: Workspace, frozen_now: Any) -> None:
    response = check_in(client, bob, paris, code=todays_checkin_code(paris))

    assert response.status_code == 201
    assert response.json()["method"] == "qr"
    assert CheckIn.objects.get().method == CheckInMethod.QR_CODE


@pytest.mark.parametrize("code", ["", "not-the-code", "x" * 43])
def test_a_wrong_code_is_422_invalid_checkin_code_and_writes_nothing(
    client: Client, bob: User, paris: Workspace, frozen_now: Any, code: str
) -> None:
    response = check_in(client, bob, paris, code=code)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_checkin_code"
    assert response.json()["errors"][0]["loc"] == ["code"]
    assert counts() == {"check-ins": 0, "sessions": 0, "participants": 0}


def test_yesterdays_code_no_longer_checks_anyone_in(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    response = check_in(client, bob, paris, code=checkin_code(paris, WEDNESDAY - timedelta(days=1)))

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_checkin_code"
    assert counts()["check-ins"] == 0


def test_another_workspaces_code_does_not_work_here(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, small_room: Workspace, frozen_now: Any
) -> None:
    response = check_in(client, bob, paris, code=todays_checkin_code(small_room))

    assert response.status_code == 422
    assert counts()["check-ins"] == 0


def test_checking_in_while_closed_is_409_workspace_closed(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    frozen_now.move_to(at(date(2026, 12, 5), 10))  # a Saturday

    response = check_in(client, bob, paris)

    assert response.status_code == 409
    assert response.json()["code"] == "workspace_closed"
    assert counts() == {"check-ins": 0, "sessions": 0, "participants": 0}


def test_checking_in_at_a_full_workspace_is_409_capacity_exceeded(
    client: Client, alice: User, bob: User, carol: User, acme: Organization, small_room: Workspace, frozen_now: Any
) -> None:
    session = book(alice, acme, small_room, at(WEDNESDAY, 9), at(WEDNESDAY, 18))
    join(carol, acme, session)
    before = counts()

    response = check_in(client, bob, small_room)

    assert response.status_code == 409
    assert response.json()["code"] == "capacity_exceeded"
    assert counts() == before


def test_another_organizations_workspace_is_404(
    client: Client, bob: User, globex_office: Workspace, frozen_now: Any
) -> None:
    response = check_in(client, bob, globex_office)

    assert response.status_code == 404
    assert counts()["check-ins"] == 0


def test_a_workspace_hidden_by_an_access_rule_is_404_even_with_its_code(
    client: Client, alice: User, bob: User, acme: Organization, paris: Workspace, frozen_now: Any
) -> None:
    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=paris, restricted=True)

    response = check_in(client, bob, paris, code=todays_checkin_code(paris))

    assert response.status_code == 404
    assert counts()["check-ins"] == 0


@pytest.mark.parametrize("body", [{}, {"workspace": "abc"}, {"workspace": 0}, {"workspace": 1, "code": 5}, []])
def test_a_malformed_check_in_is_a_422(client: Client, bob: User, paris: Workspace, frozen_now: Any, body: Any) -> None:
    response = call(client, "POST", "/checkins", bob, body)

    assert response.status_code == 422
    assert counts()["check-ins"] == 0


# --- Check out ------------------------------------------------------------------------------------------------


def test_checking_out_ends_the_check_in_and_gives_the_walk_in_seat_back(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    check_in(client, bob, paris)
    frozen_now.shift(timedelta(hours=2))

    response = call(client, "POST", "/checkins/checkout", bob)

    assert response.status_code == 200
    assert response.json()["checked_out_at"] == "2026-12-02T12:00:00+01:00"
    assert response.json()["workspace"] == paris.pk
    assert CheckIn.objects.get().checked_out_at == at(WEDNESDAY, 12)
    assert Session.objects.get(is_walk_in=True).end == at(WEDNESDAY, 12)


def test_checking_out_without_a_check_in_is_409_not_checked_in(client: Client, bob: User, frozen_now: Any) -> None:
    response = call(client, "POST", "/checkins/checkout", bob)

    assert response.status_code == 409
    assert response.json()["code"] == "not_checked_in"


def test_checking_out_after_closing_time_is_409_the_check_in_already_ended(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    check_in(client, bob, paris)
    frozen_now.move_to(at(WEDNESDAY, 20))

    response = call(client, "POST", "/checkins/checkout", bob)

    assert response.status_code == 409
    assert response.json()["code"] == "not_checked_in"
    assert CheckIn.objects.get().checked_out_at is None


def test_checking_out_twice_is_409_the_second_time(
    client: Client, bob: User, paris: Workspace, frozen_now: Any
) -> None:
    check_in(client, bob, paris)
    call(client, "POST", "/checkins/checkout", bob)

    response = call(client, "POST", "/checkins/checkout", bob)

    assert response.status_code == 409
    assert response.json()["code"] == "not_checked_in"
