"""Shapes of the community API: groups and follows."""

from ninja import Field, Schema

from coworklib.community.models import GROUP_DESCRIPTION_MAX_LENGTH, GROUP_NAME_MAX_LENGTH
from coworklib.community.services import GROUP_MAX_MEMBERS
from coworklib.workspaces.schemas import NAME_PATTERN, TEXT_PATTERN, BodyIn, Id


class PersonOut(Schema):
    id: int
    display_name: str


class GroupCreateIn(BodyIn):
    name: str = Field(..., max_length=GROUP_NAME_MAX_LENGTH, pattern=NAME_PATTERN)
    description: str = Field("", max_length=GROUP_DESCRIPTION_MAX_LENGTH, pattern=TEXT_PATTERN)
    members: list[Id] = Field(
        default_factory=list, max_length=GROUP_MAX_MEMBERS, description="User ids of the organization's members"
    )


class GroupPatchIn(BodyIn):
    name: str | None = Field(None, max_length=GROUP_NAME_MAX_LENGTH, pattern=NAME_PATTERN)
    description: str | None = Field(None, max_length=GROUP_DESCRIPTION_MAX_LENGTH, pattern=TEXT_PATTERN)


class GroupMembersIn(BodyIn):
    members: list[Id] = Field(..., min_length=1, max_length=GROUP_MAX_MEMBERS, description="User ids")


class GroupOut(Schema):
    id: int
    name: str
    description: str
    created_by: PersonOut | None
    members: list[PersonOut]
    is_member: bool = Field(..., description="The caller belongs to the group")
    can_manage: bool = Field(..., description="The caller may rename it, add and remove members, delete it")


class GroupSummaryOut(Schema):
    id: int
    name: str
    description: str
    member_count: int
    is_member: bool


class GroupPageOut(Schema):
    items: list[GroupSummaryOut]
    count: int


class WorkspaceFollowOut(Schema):
    workspace: int
    following: bool


class MemberFollowOut(Schema):
    user: int
    following: bool


class FollowedWorkspaceOut(Schema):
    id: int
    name: str


class FollowedWorkspacePageOut(Schema):
    items: list[FollowedWorkspaceOut]
    count: int


class PersonPageOut(Schema):
    items: list[PersonOut]
    count: int
