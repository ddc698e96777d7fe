"""The organization home puts each count where it belongs (issue 14).

Two different things wait on an admin's home: invitations to sessions, waiting
for their own answer (the sessions card), and the organization's pending
membership invitations (the badge of the console's "Invitations" link). The
page once counted the second under the first's name and showed it twice.
"""

import re
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from coworklib.accounts.models import User
from coworklib.organizations import services as organization_services
from coworklib.organizations.models import Organization
from coworklib.planning import services as planning_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import make_workspace, membership_of


@pytest.fixture
def office(alice: User, acme: Organization) -> Workspace:
    return make_workspace(alice, acme, "Bureau de Lyon", capacity=20)


def _invite_to_sessions(
    organizer: User, invitee: User, organization: Organization, office: Workspace, count: int
) -> None:
    # A week ahead, in the morning: never in the past, whatever day the tests run.
    start = timezone.localtime(timezone.now() + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    for index in range(count):
        begins: datetime = start + timedelta(hours=index)
        planning_services.create_session(
            by=membership_of(organizer, organization),
            workspace=office,
            start=begins,
            end=begins + timedelta(minutes=30),
            invitee_ids=[invitee.pk],
        )


def _invite_to_the_organization(admin: User, organization: Organization, count: int) -> None:
    for _index in range(count):
        organization_services.create_invitation_link(by=membership_of(admin, organization))


def _sections(client: Client, user: User) -> tuple[str, str]:
    client.force_login(user)
    page = client.get("/o/acme/").content.decode()
    sessions = page.split('aria-labelledby="sessions-title"', 1)[1].split("</section>", 1)[0]
    admin = page.split('aria-labelledby="admin-title"', 1)[1].split("</section>", 1)[0]
    return " ".join(sessions.split()), " ".join(admin.split())


def _invitations_badge(admin_section: str) -> str | None:
    found = re.search(r'/console/invitations/">Invitations(?: <span class="badge">(\d+)</span>)?</a>', admin_section)
    assert found is not None
    return found.group(1)


def test_an_admin_sees_their_session_invitations_and_the_organizations_apart(
    client: Client, acme: Organization, alice: User, carol: User, office: Workspace
) -> None:
    _invite_to_sessions(alice, carol, acme, office, count=1)
    _invite_to_the_organization(alice, acme, count=3)

    sessions, admin = _sections(client, carol)

    assert "1 invitation attend votre réponse" in sessions
    assert "3 invitations" not in sessions
    assert _invitations_badge(admin) == "3"


def test_an_admin_without_membership_invitations_still_sees_their_session_invitations(
    client: Client, acme: Organization, alice: User, carol: User, office: Workspace
) -> None:
    _invite_to_sessions(alice, carol, acme, office, count=2)

    sessions, admin = _sections(client, carol)

    assert "2 invitations attendent votre réponse" in sessions
    assert _invitations_badge(admin) is None


def test_an_admin_without_session_invitations_sees_only_the_badge(
    client: Client, acme: Organization, alice: User, carol: User
) -> None:
    _invite_to_the_organization(alice, acme, count=2)

    sessions, admin = _sections(client, carol)

    assert "attend" not in sessions
    assert _invitations_badge(admin) == "2"
