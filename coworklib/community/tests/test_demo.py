"""The demo groups and follows (API.md): teams with members, people following workspaces and each other."""

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.community.demo import seed_demo_community
from coworklib.community.models import Group, MemberFollow, WorkspaceFollow
from coworklib.organizations.models import Organization
from coworklib.workspaces.demo import seed_demo_workspaces


def test_the_demo_has_groups_and_follows_and_seeding_twice_changes_nothing(alice: User, acme: Organization) -> None:
    for number in range(1, 17):
        make_member(acme, f"member{number:02d}@acme.test", first_name=f"M{number}")
    seed_demo_workspaces(acme)

    assert seed_demo_community(acme) == 2
    groups = list(Group.objects.filter(organization=acme))
    assert {group.name for group in groups} == {"Équipe produit", "Marketing"}
    assert all(group.memberships.filter(user=alice).exists() for group in groups)
    assert all(group.memberships.count() >= 5 for group in groups)
    assert WorkspaceFollow.objects.filter(workspace__name="Bureau de Lyon").count() == 17
    assert MemberFollow.objects.filter(organization=acme).count() > 17
    before = (Group.objects.count(), WorkspaceFollow.objects.count(), MemberFollow.objects.count())

    assert seed_demo_community(acme) == 0
    assert (Group.objects.count(), WorkspaceFollow.objects.count(), MemberFollow.objects.count()) == before
