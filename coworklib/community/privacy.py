"""What community keeps about a person (privacy registry): groups, follows, blocks, conversations, messages.

Their messages keep their place in each thread, by "Utilisateur supprimé",
with the text removed (it is free text they wrote, and could name them). The
description of a group they created goes for the same reason; its name stays,
as the members know the group by it.
"""

from typing import Any

from django.db.models import Q
from django.utils import timezone

from coworklib.accounts.models import User
from coworklib.community.models import (
    Block,
    Conversation,
    ConversationMember,
    Group,
    GroupMembership,
    MemberFollow,
    Message,
    WorkspaceFollow,
)
from coworklib.privacy.registry import register, rows


def export(user: User) -> dict[str, Any]:
    return {
        "groups": rows(
            GroupMembership.objects.filter(user=user).order_by("added_at"),
            "group__organization__name",
            "group__name",
            "added_at",
        ),
        "groups_created": rows(
            Group.objects.filter(created_by=user).order_by("created_at"),
            "organization__name",
            "name",
            "description",
            "created_at",
        ),
        "workspaces_followed": rows(
            WorkspaceFollow.objects.filter(user=user).order_by("created_at"), "workspace__name", "created_at"
        ),
        # Whom they follow, by name as they saw it; who follows them is the other person's data.
        "members_followed": [
            {"member": follow.followed.display_name, "created_at": follow.created_at}
            for follow in MemberFollow.objects.filter(follower=user).select_related("followed").order_by("created_at")
        ],
        "members_blocked": [
            {"member": block.blocked.display_name, "created_at": block.created_at}
            for block in Block.objects.filter(blocker=user).select_related("blocked").order_by("created_at")
        ],
        "conversations": rows(
            ConversationMember.objects.filter(user=user).order_by("created_at"),
            "conversation_id",
            "conversation__kind",
            "created_at",
            "last_read_at",
        ),
        "messages": rows(
            Message.objects.filter(author=user).order_by("created_at"),
            "conversation_id",
            "body",
            "created_at",
            "deleted_at",
        ),
    }


def erase(user: User) -> None:
    GroupMembership.objects.filter(user=user).delete()
    WorkspaceFollow.objects.filter(user=user).delete()
    MemberFollow.objects.filter(Q(follower=user) | Q(followed=user)).delete()
    Block.objects.filter(Q(blocker=user) | Q(blocked=user)).delete()
    ConversationMember.objects.filter(user=user).delete()
    Group.objects.filter(created_by=user).exclude(description="").update(description="", updated_at=timezone.now())
    Message.objects.filter(author=user).exclude(body="", deleted_at__isnull=False).update(
        body="", deleted_at=timezone.now()
    )


register(
    "community",
    fields={
        Group: ({"description", "created_by"}, {"id", "organization", "name", "created_at", "updated_at"}),
        GroupMembership: ({"user", "added_by", "added_at"}, {"id", "group"}),
        WorkspaceFollow: ({"user", "created_at"}, {"id", "workspace"}),
        MemberFollow: ({"follower", "followed", "created_at"}, {"id", "organization"}),
        Block: ({"blocker", "blocked", "created_at"}, {"id"}),
        Conversation: (set(), {"id", "organization", "kind", "session", "direct_key", "created_at", "last_message_at"}),
        ConversationMember: ({"user", "last_read_at", "created_at"}, {"id", "conversation"}),
        Message: ({"author", "body", "created_at"}, {"id", "conversation", "deleted_at"}),
    },
    exporter=export,
    eraser=erase,
    # Before organizations' eraser (10), which ends the memberships: a group's creator is
    # forgotten then (signals.forget_former_member), and its description could no longer be found.
    order=8,
)
