"""The demo workspaces (API.md): realistic, and seeding twice changes nothing."""

from datetime import date

from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.workspaces.demo import seed_demo_workspaces
from coworklib.workspaces.models import Closure, OpeningInterval, Workspace


def test_the_demo_has_paris_lyon_a_meeting_room_and_a_partner_space(alice: User, acme: Organization) -> None:
    seed_demo_workspaces(acme)

    workspaces = {workspace.name: workspace for workspace in Workspace.objects.filter(organization=acme)}
    assert set(workspaces) == {"Siège Paris", "Bureau de Lyon", "Salle Gutenberg", "Atelier Partagé Nantes"}
    assert workspaces["Salle Gutenberg"].kind == "meeting_room"
    assert workspaces["Atelier Partagé Nantes"].kind == "coworking"
    assert workspaces["Siège Paris"].equipment.filter(key="wifi").exists()


def test_the_head_office_opens_8_to_19_on_weekdays_and_has_a_closure(alice: User, acme: Organization) -> None:
    seed_demo_workspaces(acme)

    head_office = Workspace.objects.get(organization=acme, name="Siège Paris")
    hours = OpeningInterval.objects.filter(workspace=head_office).order_by("weekday")
    assert [(row.weekday, row.opens, row.closes) for row in hours] == [(day, 480, 1140) for day in range(5)]
    closure = Closure.objects.get(workspace=head_office)
    assert closure.reason == "Fermeture de fin d'année"
    assert closure.end_date >= date.today()  # noqa: DTZ011 - a local date is what closures hold


def test_seeding_twice_changes_nothing(alice: User, acme: Organization) -> None:
    seed_demo_workspaces(acme)
    before = (Workspace.objects.count(), OpeningInterval.objects.count(), Closure.objects.count())

    seed_demo_workspaces(acme)

    assert (Workspace.objects.count(), OpeningInterval.objects.count(), Closure.objects.count()) == before
