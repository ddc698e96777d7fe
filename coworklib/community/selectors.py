"""Reads of the community app: groups, follows and blocks, always inside the caller's organization.

Groups and people are fetched through `get_*_for_member` selectors that raise
NotFound for anything outside the caller's organization: a group or person of
another organization answers exactly like one that does not exist.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from coworklib.accounts.models import User
from coworklib.core.errors import NotFound
from coworklib.organizations.models import Membership
from coworklib.organizations.selectors import get_membership_for_user
from coworklib.workspaces.models import WorkspaceAccessGrant
from coworklib.workspaces.selectors import as_id, visible_workspaces

from .models import Block, Group, GroupMembership, MemberFollow, WorkspaceFollow


def groups_for_member(membership: Membership) -> QuerySet[Group]:
    """The organization's groups, by name, with `member_count` and `is_mine` (the caller belongs to it)."""
    mine = GroupMembership.objects.filter(group_id=OuterRef("pk"), user_id=membership.user_id)
    return (
        Group.objects.filter(organization_id=membership.organization_id)
        .annotate(member_count=Count("memberships", distinct=True), is_mine=Exists(mine))
        .select_related("created_by")
        .order_by("name", "pk")
    )


def get_group_for_member(membership: Membership, group_id: object) -> Group:
    """A group of the caller's organization (annotated like `groups_for_member`); NotFound for any other."""
    pk = as_id(group_id)
    group = groups_for_member(membership).filter(pk=pk).first() if pk is not None else None
    if group is None:
        raise NotFound
    return group


def get_membership_and_group(user: User, group_id: object) -> tuple[Membership, Group]:
    """For endpoints that know only the group: the caller's membership of its organization, and the group.

    NotFound for a group of an organization the caller is not in, as for one that does not exist.
    """
    pk = as_id(group_id)
    organization_id = Group.objects.filter(pk=pk).values_list("organization_id", flat=True).first() if pk else None
    if organization_id is None:
        raise NotFound
    membership = get_membership_for_user(user, organization_id)
    return membership, get_group_for_member(membership, pk)


def group_members(group: Group) -> list[User]:
    """The group's members, by name."""
    return list(User.objects.filter(group_memberships__group=group).order_by("first_name", "last_name", "email", "pk"))


def can_manage_group(membership: Membership, group: Group) -> bool:
    """Its creator and the organization's admins rename it, add and remove members, delete it."""
    return membership.is_admin or (group.created_by_id is not None and group.created_by_id == membership.user_id)


def grants_workspace_access(group: Group) -> bool:
    """Whether an access rule names the group: its membership then opens restricted workspaces."""
    return WorkspaceAccessGrant.objects.filter(group=group).exists()


def can_add_to_group(membership: Membership, group: Group) -> bool:
    """Managers add members, but only admins add to a group an access rule names.

    Otherwise a group's creator could open a restricted workspace to anyone by adding them.
    """
    if not can_manage_group(membership, group):
        return False
    return membership.is_admin or not grants_workspace_access(group)


# --- Follows --------------------------------------------------------------------------------------------------


def is_following_workspace(user_id: int, workspace_id: int) -> bool:
    return WorkspaceFollow.objects.filter(user_id=user_id, workspace_id=workspace_id).exists()


def followed_members(membership: Membership) -> QuerySet[MemberFollow]:
    """The colleagues the caller follows in this organization, newest first, still members of it."""
    return (
        MemberFollow.objects.filter(organization_id=membership.organization_id, follower_id=membership.user_id)
        .filter(followed__memberships__organization_id=membership.organization_id)
        .select_related("followed")
        .order_by("-created_at", "-id")
    )


def followers(membership: Membership) -> QuerySet[MemberFollow]:
    """Who follows the caller in this organization, newest first, among its current members."""
    return (
        MemberFollow.objects.filter(organization_id=membership.organization_id, followed_id=membership.user_id)
        .filter(follower__memberships__organization_id=membership.organization_id)
        .select_related("follower")
        .order_by("-created_at", "-id")
    )


def followed_workspaces(membership: Membership) -> QuerySet[WorkspaceFollow]:
    """The workspaces of this organization the caller follows and may still see, newest first."""
    return (
        WorkspaceFollow.objects.filter(
            user_id=membership.user_id, workspace__in=visible_workspaces(membership).values("pk")
        )
        .select_related("workspace")
        .order_by("-created_at", "-id")
    )


# --- A colleague's profile --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Colleague:
    """Another member as the caller sees them: who they are and how the two are linked."""

    membership: Membership
    is_me: bool
    i_follow: bool
    follows_me: bool
    i_blocked: bool
    shared_groups: list[Group]


def colleague_for_member(membership: Membership, user_id: object) -> Colleague:
    """A member of the caller's organization, with the links between them; NotFound for anyone else."""
    pk = as_id(user_id)
    target = (
        Membership.objects.select_related("user")
        .filter(organization_id=membership.organization_id, user_id=pk, user__deleted_at__isnull=True)
        .first()
        if pk is not None
        else None
    )
    if target is None:
        raise NotFound
    links = MemberFollow.objects.filter(organization_id=membership.organization_id).filter(
        Q(follower_id=membership.user_id, followed_id=target.user_id)
        | Q(follower_id=target.user_id, followed_id=membership.user_id)
    )
    directions = set(links.values_list("follower_id", flat=True))
    shared = (
        Group.objects.filter(organization_id=membership.organization_id, memberships__user_id=membership.user_id)
        .filter(pk__in=GroupMembership.objects.filter(user_id=target.user_id).values("group_id"))
        .order_by("name", "pk")
    )
    return Colleague(
        membership=target,
        is_me=target.user_id == membership.user_id,
        i_follow=membership.user_id in directions,
        follows_me=target.user_id in directions,
        i_blocked=Block.objects.filter(blocker_id=membership.user_id, blocked_id=target.user_id).exists(),
        shared_groups=list(shared),
    )
