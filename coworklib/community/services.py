"""Writes of the community app: groups, follows and blocks.

Callers pass the acting member's Membership and objects fetched through the
selectors (so inside that organization); ids of other people are checked
here against the same organization, and any outside it makes the whole call
a NotFound that changes nothing.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coworklib.core.audit import record_audit
from coworklib.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from coworklib.organizations.models import Membership
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.selectors import as_id

from . import events, selectors
from .models import (
    GROUP_DESCRIPTION_MAX_LENGTH,
    GROUP_NAME_MAX_LENGTH,
    Block,
    Group,
    GroupMembership,
    MemberFollow,
    WorkspaceFollow,
)

# A group is a set one can read at a glance and notify at once; more than this is an organization.
GROUP_MAX_MEMBERS = 500


def _clean_name(name: object) -> str:
    text = " ".join(str(name or "").split())
    if not text:
        raise InvalidInput(_("Donnez un nom au groupe."), extra={"field": "name"})
    if len(text) > GROUP_NAME_MAX_LENGTH:
        raise InvalidInput(
            _("Le nom du groupe ne peut dépasser %(max)d caractères.") % {"max": GROUP_NAME_MAX_LENGTH},
            extra={"field": "name"},
        )
    return text


def _clean_description(description: object) -> str:
    text = str(description or "").strip()
    if len(text) > GROUP_DESCRIPTION_MAX_LENGTH:
        raise InvalidInput(
            _("La description ne peut dépasser %(max)d caractères.") % {"max": GROUP_DESCRIPTION_MAX_LENGTH},
            extra={"field": "description"},
        )
    return text


def _member_ids(membership: Membership, user_ids: Iterable[object]) -> list[int]:
    """The given ids as members of the caller's organization, in order, once each; NotFound if any is not one."""
    wanted: list[int] = []
    for raw in user_ids:
        pk = as_id(raw)
        if pk is None:
            raise NotFound(_("Ce membre n'existe pas dans votre organisation."))
        if pk not in wanted:
            wanted.append(pk)
    found = set(
        Membership.objects.filter(
            organization_id=membership.organization_id, user_id__in=wanted, user__deleted_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    if len(found) != len(wanted):
        raise NotFound(_("Ce membre n'existe pas dans votre organisation."))
    return wanted


def _ensure_manager(membership: Membership, group: Group) -> None:
    if not selectors.can_manage_group(membership, group):
        raise Forbidden(_("Seuls la personne qui a créé ce groupe et les administrateurs peuvent le modifier."))


def _name_taken(exc: IntegrityError) -> Conflict:
    detail = _("Un groupe porte déjà ce nom dans votre organisation.")
    return Conflict(detail, code="duplicate", extra={"field": "name"})


@transaction.atomic
def create_group(
    *, membership: Membership, name: str, description: str = "", member_ids: Iterable[object] = ()
) -> Group:
    """A new group of the caller's organization, with the caller and `member_ids` in it.

    Those added (not the caller) are told (`events.group_members_added`). 404 if an id is not a member.
    """
    clean_name = _clean_name(name)
    clean_description = _clean_description(description)
    added = [pk for pk in _member_ids(membership, member_ids) if pk != membership.user_id]
    if len(added) + 1 > GROUP_MAX_MEMBERS:
        raise InvalidInput(_("Un groupe compte au plus %(max)d membres.") % {"max": GROUP_MAX_MEMBERS})
    try:
        with transaction.atomic():
            group = Group.objects.create(
                organization_id=membership.organization_id,
                name=clean_name,
                description=clean_description,
                created_by_id=membership.user_id,
            )
    except IntegrityError as exc:
        raise _name_taken(exc) from None
    everyone = [membership.user_id, *added]
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, user_id=pk, added_by_id=membership.user_id) for pk in everyone]
    )
    record_audit(organization=membership.organization, actor=membership.user, action="group.created", name=group.name)
    if added:
        events.announce(events.group_members_added, group_id=group.pk, by_user_id=membership.user_id, user_ids=added)
    return group


@transaction.atomic
def update_group(*, membership: Membership, group: Group, name: str, description: str) -> Group:
    """Rename or describe a group (its creator or an admin)."""
    _ensure_manager(membership, group)
    group.name = _clean_name(name)
    group.description = _clean_description(description)
    try:
        with transaction.atomic():
            group.save(update_fields=["name", "description", "updated_at"])
    except IntegrityError as exc:
        raise _name_taken(exc) from None
    record_audit(organization=membership.organization, actor=membership.user, action="group.updated", name=group.name)
    return group


@transaction.atomic
def add_group_members(*, membership: Membership, group: Group, user_ids: Iterable[object]) -> list[int]:
    """Add members (its creator or an admin; only an admin when an access rule names the group).

    Returns the ids actually added (those already in it are left alone) and tells them.
    """
    if not selectors.can_add_to_group(membership, group):
        if selectors.can_manage_group(membership, group):
            raise Forbidden(
                _(
                    "Ce groupe ouvre l'accès à un espace restreint : "
                    "seuls les administrateurs peuvent y ajouter des membres."
                )
            )
        _ensure_manager(membership, group)
    wanted = _member_ids(membership, user_ids)
    # Lock the group so that two concurrent additions count against the limit one after the other.
    Group.objects.select_for_update().filter(pk=group.pk).first()
    present = set(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True))
    added = [pk for pk in wanted if pk not in present]
    if len(present) + len(added) > GROUP_MAX_MEMBERS:
        raise InvalidInput(_("Un groupe compte au plus %(max)d membres.") % {"max": GROUP_MAX_MEMBERS})
    GroupMembership.objects.bulk_create(
        [GroupMembership(group=group, user_id=pk, added_by_id=membership.user_id) for pk in added],
        ignore_conflicts=True,
    )
    told = [pk for pk in added if pk != membership.user_id]
    if told:
        events.announce(events.group_members_added, group_id=group.pk, by_user_id=membership.user_id, user_ids=told)
    return added


@transaction.atomic
def remove_group_member(*, membership: Membership, group: Group, user_id: object) -> bool:
    """Take someone out of a group: themselves (leaving), or anyone for its creator or an admin.

    True if they were in it. 404 for someone who is not a member of the organization.
    """
    pk = as_id(user_id)
    if pk is None:
        raise NotFound
    if pk != membership.user_id:
        _ensure_manager(membership, group)
        _member_ids(membership, [pk])
    deleted, _details = GroupMembership.objects.filter(group=group, user_id=pk).delete()
    if deleted and pk != membership.user_id:
        record_audit(
            organization=membership.organization,
            actor=membership.user,
            action="group.member_removed",
            target_user=Membership.objects.get(organization_id=membership.organization_id, user_id=pk).user,
            name=group.name,
        )
    return deleted > 0


@transaction.atomic
def delete_group(*, membership: Membership, group: Group) -> None:
    """Delete a group (its creator or an admin). Sessions shown to it become visible to their participants only;
    access rules that named it no longer grant anything through it."""
    _ensure_manager(membership, group)
    record_audit(organization=membership.organization, actor=membership.user, action="group.deleted", name=group.name)
    group.delete()


# --- Follows --------------------------------------------------------------------------------------------------


def follow_workspace(*, membership: Membership, workspace: Workspace) -> bool:
    """Follow a workspace fetched through `get_workspace_for_member`. True if not followed before."""
    _follow, created = WorkspaceFollow.objects.get_or_create(user_id=membership.user_id, workspace=workspace)
    return created


def unfollow_workspace(*, membership: Membership, workspace: Workspace) -> bool:
    deleted, _details = WorkspaceFollow.objects.filter(user_id=membership.user_id, workspace=workspace).delete()
    return deleted > 0


def follow_member(*, membership: Membership, user_id: object) -> bool:
    """Follow a colleague of the same organization. True if not followed before.

    404 for anyone outside it or for someone who blocked the caller (they must not learn they are blocked,
    and must not hear about the caller's sessions through a back door); 422 for oneself.
    """
    pk = _member_ids(membership, [user_id])[0]
    if pk == membership.user_id:
        raise InvalidInput(_("Vous ne pouvez pas vous suivre vous-même."), code="self_follow")
    if Block.objects.filter(blocker_id=pk, blocked_id=membership.user_id).exists():
        raise NotFound(_("Ce membre n'existe pas dans votre organisation."))
    _follow, created = MemberFollow.objects.get_or_create(
        organization_id=membership.organization_id, follower_id=membership.user_id, followed_id=pk
    )
    return created


def unfollow_member(*, membership: Membership, user_id: object) -> bool:
    pk = as_id(user_id)
    if pk is None:
        raise NotFound
    deleted, _details = MemberFollow.objects.filter(
        organization_id=membership.organization_id, follower_id=membership.user_id, followed_id=pk
    ).delete()
    return deleted > 0
