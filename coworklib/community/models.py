"""Groups, follows, blocks and messages: how members of one organization find and talk to each other.

Every row belongs to exactly one organization, directly or through its group,
workspace or conversation. Reads go through `selectors`, writes through
`services`. Messages are personal data and live in one table (`Message`), so
that export and erasure (privacy) reach them in one place.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from coworklib.accounts.models import validate_printable

GROUP_NAME_MAX_LENGTH = 80
GROUP_DESCRIPTION_MAX_LENGTH = 500
MESSAGE_MAX_LENGTH = 4000


class Group(models.Model):
    """A set of members, created by any member. Scopes session visibility and workspace access rules.

    Its creator and the organization's admins manage it (rename, add, remove,
    delete); members added to it are notified and may leave it.
    """

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("nom"), max_length=GROUP_NAME_MAX_LENGTH, validators=[validate_printable])
    description = models.TextField(_("description"), max_length=GROUP_DESCRIPTION_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="created_groups"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("groupe")
        verbose_name_plural = _("groupes")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="unique_group_name_per_organization"),
        ]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membre du groupe")
        verbose_name_plural = _("membres du groupe")
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="unique_group_member")]
        indexes = [models.Index(fields=["user", "group"], name="group_member_user")]

    def __str__(self) -> str:
        return f"{self.user_id} ∈ {self.group_id}"


class WorkspaceFollow(models.Model):
    """A member follows a workspace: they are told about the sessions planned there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_follows")
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("abonnement à un espace")
        verbose_name_plural = _("abonnements à des espaces")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="unique_workspace_follow")]
        indexes = [models.Index(fields=["workspace", "user"], name="workspace_follow_workspace")]

    def __str__(self) -> str:
        return f"{self.user_id} → workspace {self.workspace_id}"


class MemberFollow(models.Model):
    """A member follows a colleague inside one organization: they are told about the sessions the colleague plans."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_follows")
    followed = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("abonnement à un membre")
        verbose_name_plural = _("abonnements à des membres")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "follower", "followed"], name="unique_member_follow"),
            models.CheckConstraint(condition=~Q(follower=F("followed")), name="member_follow_not_self"),
        ]
        indexes = [models.Index(fields=["organization", "followed"], name="member_follow_followed")]

    def __str__(self) -> str:
        return f"{self.follower_id} → {self.followed_id}"


class Block(models.Model):
    """`blocker` no longer hears from `blocked`: no messages, no notifications caused by them, no follow by them.

    Between two people, whatever organizations they share.
    """

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("blocage")
        verbose_name_plural = _("blocages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="unique_block"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} ⊘ {self.blocked_id}"


class ConversationKind(models.TextChoices):
    DIRECT = "direct", _("Conversation privée")
    SESSION = "session", _("Commentaires d'une session")


class Conversation(models.Model):
    """A direct conversation between two members, or the comment thread of a session.

    A direct one has `direct_key` "<organization>:<smaller user id>:<larger
    user id>", unique, so two people have one conversation per organization.
    Who may read a session's thread is whoever may see the session.
    """

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ConversationKind.choices)
    session = models.OneToOneField(
        "planning.Session", on_delete=models.CASCADE, null=True, blank=True, related_name="conversation"
    )
    direct_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="direct") & Q(session__isnull=True) & Q(direct_key__isnull=False))
                | (Q(kind="session") & Q(session__isnull=False) & Q(direct_key__isnull=True)),
                name="conversation_kind_matches",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class ConversationMember(models.Model):
    """Someone in a conversation, and how far they have read. Direct conversations have exactly two.

    For a session's thread, a row appears when someone first reads or writes
    there; it only remembers how far they read.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations")
    last_read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant à une conversation")
        verbose_name_plural = _("participants à une conversation")
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="unique_conversation_member")]
        indexes = [models.Index(fields=["user", "conversation"], name="conversation_member_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    """One message of a conversation. The author is nulled (kept as "Utilisateur supprimé") when erased."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField()
    # Set when its author deletes it: the body is emptied, the place in the thread stays.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_conversation_time")]

    def __str__(self) -> str:
        return f"{self.conversation_id} #{self.pk}"
