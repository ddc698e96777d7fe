"""Demo groups and follows, so that a first look at Coworklib shows teams and people who follow each other."""

import random

from coworklib.community.models import Group, GroupMembership, MemberFollow, WorkspaceFollow
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.workspaces.models import Workspace

DEMO_GROUPS = [
    ("Équipe produit", "Design, développement et produit : on se retrouve le mardi et le jeudi."),
    ("Marketing", "Campagnes, contenus et événements."),
    ("Les Lyonnais", "Celles et ceux qui viennent au bureau de Lyon."),
]


def seed_demo_community(organization: Organization) -> int:
    """Groups of the organization's members and who follows what; returns how many groups were created."""
    if Group.objects.filter(organization=organization).exists():
        return 0
    members = list(
        Membership.objects.filter(organization=organization, user__deleted_at__isnull=True)
        .select_related("user")
        .order_by("role", "user__email")
    )
    workspaces = list(Workspace.objects.filter(organization=organization, archived_at__isnull=True).order_by("pk"))
    if len(members) < 3:
        return 0
    chooser = random.Random(f"community:{organization.slug}")  # noqa: S311  (demo data: reproducible, not secret)
    owner = next((m for m in members if m.role == Role.OWNER), members[0])
    created = 0
    for name, description in DEMO_GROUPS[: max(1, len(members) // 8)]:
        group = Group.objects.create(
            organization=organization, name=name, description=description, created_by=owner.user
        )
        people = {owner.user_id, *(m.user_id for m in chooser.sample(members, k=min(len(members), 8)))}
        GroupMembership.objects.bulk_create(
            [GroupMembership(group=group, user_id=user_id, added_by=owner.user) for user_id in sorted(people)]
        )
        created += 1
    lyon = [w for w in workspaces if "lyon" in w.name.lower() or "lyon" in (w.city or "").lower()]
    follows: list[WorkspaceFollow] = []
    colleagues: list[MemberFollow] = []
    for member in members:
        for workspace in chooser.sample(workspaces, k=min(len(workspaces), chooser.randint(0, 2))) + lyon[:1]:
            follows.append(WorkspaceFollow(user_id=member.user_id, workspace=workspace))
        for other in chooser.sample(members, k=min(len(members), 3)):
            if other.user_id != member.user_id:
                colleagues.append(
                    MemberFollow(organization=organization, follower_id=member.user_id, followed_id=other.user_id)
                )
    WorkspaceFollow.objects.bulk_create(follows, ignore_conflicts=True)
    MemberFollow.objects.bulk_create(colleagues, ignore_conflicts=True)
    return created
