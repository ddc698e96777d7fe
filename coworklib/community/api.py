"""Community endpoints under /api/v1: groups and follows (this module), messages (message_api).

Parse, call one selector or service, shape the answer. A group, person or
workspace outside the caller's organizations, or hidden by an access rule,
is a 404; a member who may see a group but not change it gets a 403.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from coworklib.accounts.models import User
from coworklib.api.schemas import CONFLICT_ERRORS, READ_ERRORS, WRITE_ERRORS
from coworklib.community import selectors, services
from coworklib.community.message_api import router as message_router
from coworklib.community.models import Group
from coworklib.community.schemas import (
    FollowedWorkspacePageOut,
    GroupCreateIn,
    GroupMembersIn,
    GroupOut,
    GroupPageOut,
    GroupPatchIn,
    MemberFollowOut,
    PersonPageOut,
    WorkspaceFollowOut,
)
from coworklib.organizations.models import Membership
from coworklib.organizations.selectors import get_membership_for_user
from coworklib.workspaces import selectors as workspace_selectors
from coworklib.workspaces.schemas import MAX_ID, PageIn, page

router = Router(tags=["community"])

GroupId = Path(..., ge=1, le=MAX_ID, description="Group id")
WorkspaceId = Path(..., ge=1, le=MAX_ID, description="Workspace id")
UserId = Path(..., ge=1, le=MAX_ID, description="User id")


def _caller(request: HttpRequest) -> User:
    # Set by coworklib.api.auth (bearer token or session cookie) before any endpoint runs.
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "display_name": user.display_name}


def _group_out(membership: Membership, group: Group) -> dict[str, Any]:
    members = selectors.group_members(group)
    return {
        "id": group.pk,
        "name": group.name,
        "description": group.description,
        "created_by": _person(group.created_by) if group.created_by else None,
        "members": [_person(user) for user in members],
        "is_member": any(user.pk == membership.user_id for user in members),
        "can_manage": selectors.can_manage_group(membership, group),
    }


# --- Groups -------------------------------------------------------------------------------------------------


@router.get("/organizations/{org}/groups", response={200: GroupPageOut, **READ_ERRORS})
def list_groups(request: HttpRequest, org: str, pagination: Query[PageIn]) -> Any:
    """The organization's groups, by name, with how many members each has and whether the caller is one."""
    membership = get_membership_for_user(_caller(request), org)
    groups = selectors.groups_for_member(membership)
    rows = groups[pagination.offset : pagination.offset + pagination.limit]
    items = [
        {
            "id": group.pk,
            "name": group.name,
            "description": group.description,
            "member_count": group.member_count,  # type: ignore[attr-defined]
            "is_member": group.is_mine,  # type: ignore[attr-defined]
        }
        for group in rows
    ]
    return page(items, groups.count())


@router.post("/organizations/{org}/groups", response={201: GroupOut, **CONFLICT_ERRORS})
def create_group(request: HttpRequest, org: str, data: GroupCreateIn) -> Any:
    """A new group with the caller and `members` in it; each added member is notified.

    404 if an id is not a member of the organization; 409 `duplicate` if a group already has that name.
    """
    membership = get_membership_for_user(_caller(request), org)
    group = services.create_group(
        membership=membership, name=data.name, description=data.description, member_ids=data.members
    )
    return Status(201, _group_out(membership, selectors.get_group_for_member(membership, group.pk)))


@router.get("/groups/{id}", response={200: GroupOut, **READ_ERRORS})
def get_group(request: HttpRequest, id: int = GroupId) -> Any:
    membership, group = selectors.get_membership_and_group(_caller(request), id)
    return _group_out(membership, group)


@router.patch("/groups/{id}", response={200: GroupOut, **CONFLICT_ERRORS})
def update_group(request: HttpRequest, data: GroupPatchIn, id: int = GroupId) -> Any:
    """Rename or describe the group (its creator or an admin)."""
    membership, group = selectors.get_membership_and_group(_caller(request), id)
    services.update_group(
        membership=membership,
        group=group,
        name=group.name if data.name is None else data.name,
        description=group.description if data.description is None else data.description,
    )
    return _group_out(membership, group)


@router.delete("/groups/{id}", response={204: None, **WRITE_ERRORS})
def delete_group(request: HttpRequest, id: int = GroupId) -> Any:
    membership, group = selectors.get_membership_and_group(_caller(request), id)
    services.delete_group(membership=membership, group=group)
    return Status(204, None)


@router.post("/groups/{id}/members", response={200: GroupOut, **WRITE_ERRORS})
def add_group_members(request: HttpRequest, data: GroupMembersIn, id: int = GroupId) -> Any:
    """Add members (its creator or an admin; only an admin when an access rule names the group); they are notified.

    Those already in the group are left as they are. 404 if an id is not a member of the organization.
    """
    membership, group = selectors.get_membership_and_group(_caller(request), id)
    services.add_group_members(membership=membership, group=group, user_ids=data.members)
    return _group_out(membership, group)


@router.delete("/groups/{id}/members/{user_id}", response={204: None, **WRITE_ERRORS})
def remove_group_member(request: HttpRequest, id: int = GroupId, user_id: int = UserId) -> Any:
    """Leave the group (your own id) or, for its creator or an admin, take someone out of it."""
    membership, group = selectors.get_membership_and_group(_caller(request), id)
    services.remove_group_member(membership=membership, group=group, user_id=user_id)
    return Status(204, None)


# --- Follows ------------------------------------------------------------------------------------------------


@router.post("/workspaces/{id}/follow", response={200: WorkspaceFollowOut, 201: WorkspaceFollowOut, **WRITE_ERRORS})
def follow_workspace(request: HttpRequest, id: int = WorkspaceId) -> Any:
    """Follow the workspace, to be told about the sessions planned there: 201, or 200 if already following."""
    membership, workspace = workspace_selectors.get_membership_and_workspace(_caller(request), id)
    created = services.follow_workspace(membership=membership, workspace=workspace)
    return Status(201 if created else 200, {"workspace": workspace.pk, "following": True})


@router.delete("/workspaces/{id}/follow", response={204: None, **WRITE_ERRORS})
def unfollow_workspace(request: HttpRequest, id: int = WorkspaceId) -> Any:
    membership, workspace = workspace_selectors.get_membership_and_workspace(
        _caller(request), id, include_archived=True
    )
    services.unfollow_workspace(membership=membership, workspace=workspace)
    return Status(204, None)


@router.post(
    "/organizations/{org}/members/{user_id}/follow",
    response={200: MemberFollowOut, 201: MemberFollowOut, **WRITE_ERRORS},
)
def follow_member(request: HttpRequest, org: str, user_id: int = UserId) -> Any:
    """Follow a colleague, to be told about the sessions they plan: 201, or 200 if already following.

    404 for anyone who is not a member of the organization; 422 for yourself.
    """
    membership = get_membership_for_user(_caller(request), org)
    created = services.follow_member(membership=membership, user_id=user_id)
    return Status(201 if created else 200, {"user": user_id, "following": True})


@router.delete("/organizations/{org}/members/{user_id}/follow", response={204: None, **WRITE_ERRORS})
def unfollow_member(request: HttpRequest, org: str, user_id: int = UserId) -> Any:
    membership = get_membership_for_user(_caller(request), org)
    services.unfollow_member(membership=membership, user_id=user_id)
    return Status(204, None)


@router.get("/organizations/{org}/following/workspaces", response={200: FollowedWorkspacePageOut, **READ_ERRORS})
def followed_workspaces(request: HttpRequest, org: str, pagination: Query[PageIn]) -> Any:
    """The workspaces the caller follows in this organization, among those they may see, newest first."""
    membership = get_membership_for_user(_caller(request), org)
    follows = selectors.followed_workspaces(membership)
    rows = follows[pagination.offset : pagination.offset + pagination.limit]
    return page([{"id": row.workspace.pk, "name": row.workspace.name} for row in rows], follows.count())


@router.get("/organizations/{org}/following/members", response={200: PersonPageOut, **READ_ERRORS})
def followed_members(request: HttpRequest, org: str, pagination: Query[PageIn]) -> Any:
    """The colleagues the caller follows, newest first."""
    membership = get_membership_for_user(_caller(request), org)
    follows = selectors.followed_members(membership)
    rows = follows[pagination.offset : pagination.offset + pagination.limit]
    return page([_person(row.followed) for row in rows], follows.count())


@router.get("/organizations/{org}/followers", response={200: PersonPageOut, **READ_ERRORS})
def followers(request: HttpRequest, org: str, pagination: Query[PageIn]) -> Any:
    """The colleagues who follow the caller, newest first."""
    membership = get_membership_for_user(_caller(request), org)
    follows = selectors.followers(membership)
    rows = follows[pagination.offset : pagination.offset + pagination.limit]
    return page([_person(row.follower) for row in rows], follows.count())


router.add_router("", message_router)
