"""The Django admin shows planning to staff, and changes nothing behind the services' back."""

from typing import Any

import pytest
from django.test import Client

from conftest import make_user
from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.planning.models import Session
from coworklib.planning.tests.factories import FROZEN_MONDAY, at, book
from coworklib.workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client) -> Client:
    client.force_login(make_user("root@coworklib.test", is_staff=True, is_superuser=True))
    return client


def test_staff_see_sessions_with_their_participants(
    staff_client: Client, alice: User, acme: Organization, paris: Workspace, frozen_now: Any
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17))

    listing = staff_client.get("/staff/admin/planning/session/")
    detail = staff_client.get(f"/staff/admin/planning/session/{session.pk}/change/")

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert "Alice" in detail.content.decode()


@pytest.mark.parametrize("model", ["session", "checkin", "sessionseries", "calendarfeed"])
def test_staff_cannot_add_planning_rows_by_hand(staff_client: Client, model: str) -> None:
    assert staff_client.get(f"/staff/admin/planning/{model}/add/").status_code == 403


def test_staff_cannot_delete_a_session_by_hand(
    staff_client: Client, alice: User, acme: Organization, paris: Workspace, frozen_now: Any
) -> None:
    session = book(alice, acme, paris, at(FROZEN_MONDAY, 9), at(FROZEN_MONDAY, 17))

    response = staff_client.post(f"/staff/admin/planning/session/{session.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Session.objects.filter(pk=session.pk).exists()
