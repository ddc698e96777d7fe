"""Reads. Everything organization-scoped is reached through the caller's Membership.

An organization the caller does not belong to raises NotFound, exactly like one
that does not exist: outsiders (and people whose join request is pending) must
not learn that it exists.
"""

import re
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coworklib.accounts.models import User, hash_token
from coworklib.core.errors import Forbidden, Gone, MfaRequired, NotFound
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import (
    EmailDomain,
    Invitation,
    JoinRequest,
    Membership,
    Organization,
    Role,
    may_invite,
)

_SLUG_SHAPE = re.compile(r"^[a-z0-9-]{1,50}$")
# Bigger than any auto-increment id; longer digit strings are not ids at all.
_MAX_ID_DIGITS = 18
SEARCH_MAX_WORDS = 5
# Our tokens are 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 200


def organization_lookup(org_ref: Any, prefix: str = "") -> Q | None:
    """A filter for an organization given by id or slug, or None when the reference cannot match.

    Slugs are never all digits (models.slug_validator), so a digit string is an id.
    """
    ref = str(org_ref)
    if ref.isascii() and ref.isdigit():
        if len(ref) > _MAX_ID_DIGITS:
            return None
        return Q(**{f"{prefix}id": int(ref)})
    if not _SLUG_SHAPE.fullmatch(ref):
        return None
    return Q(**{f"{prefix}slug": ref})


def get_membership_for_user(user: Any, org_ref: Any) -> Membership:
    """The caller's membership of the organization given by id or slug; NotFound otherwise."""
    if user is None or not user.is_authenticated:
        raise NotFound
    lookup = organization_lookup(org_ref, prefix="organization__")
    if lookup is None:
        raise NotFound
    membership = Membership.objects.select_related("organization").filter(lookup, user=user).first()
    if membership is None:
        raise NotFound
    membership.user = user
    return membership


def is_member(user: Any, organization: Organization) -> bool:
    return bool(user.is_authenticated) and Membership.objects.filter(organization=organization, user=user).exists()


def user_has_mfa(user: User) -> bool:
    return Authenticator.objects.filter(user=user).exists()


def ensure_admin_access(membership: Membership) -> None:
    """Raise unless the member may use admin features: an admin or owner, with MFA if the organization asks."""
    if not membership.is_admin:
        raise Forbidden
    if membership.organization.require_mfa_for_admins and not user_has_mfa(membership.user):
        raise MfaRequired


def get_admin_membership_for_user(user: Any, org_ref: Any) -> Membership:
    membership = get_membership_for_user(user, org_ref)
    ensure_admin_access(membership)
    return membership


def memberships_for_user(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization").order_by(Lower("organization__name"))


def last_membership_for_user(user: User) -> Membership | None:
    """The membership of the organization the user last opened, if they still belong to it."""
    if user.last_organization_id is None:
        return None
    return (
        Membership.objects.select_related("organization")
        .filter(user=user, organization_id=user.last_organization_id)
        .first()
    )


def verified_emails_of(user: User) -> list[str]:
    return [
        email.lower() for email in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    ]


def pending_invitations_for_user(user: User) -> QuerySet[Invitation]:
    """Usable e-mail invitations sent to one of the user's verified addresses, for organizations they are not in."""
    emails = verified_emails_of(user)
    if not emails:
        return Invitation.objects.none()
    address_match = Q()
    for email in emails:
        address_match |= Q(email__iexact=email)
    return (
        usable_invitations()
        .filter(address_match)
        .exclude(organization__memberships__user=user)
        .select_related("organization", "created_by")
        .order_by("-created_at")
    )


def usable_invitations() -> QuerySet[Invitation]:
    return Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def search_members(organization: Organization, query: str = "") -> QuerySet[User]:
    """The organization's members, matching every word of `query` in their name, job title or e-mail.

    Ordered by last name then first name, with the id as a tie-breaker so that
    pages never overlap.
    """
    users = User.objects.filter(memberships__organization=organization, is_active=True, deleted_at__isnull=True)
    for word in query.replace("\x00", "").split()[:SEARCH_MAX_WORDS]:
        users = users.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(job_title__icontains=word)
            | Q(email__icontains=word)
        )
    return users.order_by(Lower("last_name"), Lower("first_name"), "id")


def search_memberships(organization: Organization, query: str = "") -> QuerySet[Membership]:
    """Memberships with their users, for the console: same matching and order as the directory."""
    members = search_members(organization, query)
    return (
        Membership.objects.filter(organization=organization, user__in=members.values("id"))
        .select_related("user")
        .order_by(Lower("user__last_name"), Lower("user__first_name"), "user_id")
    )


def count_members(organization: Organization) -> int:
    return Membership.objects.filter(organization=organization).count()


def recent_members(organization: Organization, limit: int = 8) -> list[User]:
    return list(
        User.objects.filter(memberships__organization=organization, is_active=True, deleted_at__isnull=True).order_by(
            "-memberships__joined_at"
        )[:limit]
    )


def get_member_for_member(membership: Membership, user_id: int) -> Membership:
    """Another member's membership of the caller's organization; NotFound for anyone else."""
    target = (
        Membership.objects.select_related("user")
        .filter(organization_id=membership.organization_id, user_id=user_id)
        .first()
    )
    if target is None:
        raise NotFound
    return target


def owners_count(organization: Organization) -> int:
    return Membership.objects.filter(organization=organization, role=Role.OWNER).count()


def pending_invitations(organization: Organization) -> QuerySet[Invitation]:
    return usable_invitations().filter(organization=organization).select_related("created_by").order_by("-created_at")


def get_invitation_by_token(raw_token: str) -> Invitation:
    """The invitation a link points to, usable or not (the page explains which); NotFound if unknown."""
    if not raw_token or len(raw_token) > MAX_TOKEN_LENGTH:
        raise NotFound
    invitation = (
        Invitation.objects.select_related("organization", "created_by").filter(token_hash=hash_token(raw_token)).first()
    )
    if invitation is None:
        raise NotFound
    return invitation


def pending_join_requests(organization: Organization) -> QuerySet[JoinRequest]:
    return (
        JoinRequest.objects.filter(organization=organization, status=JoinRequest.Status.PENDING)
        .select_related("user")
        .order_by("created_at")
    )


def count_pending_join_requests(organization: Organization) -> int:
    return JoinRequest.objects.filter(organization=organization, status=JoinRequest.Status.PENDING).count()


def email_domains(organization: Organization) -> QuerySet[EmailDomain]:
    return EmailDomain.objects.filter(organization=organization).select_related("added_by").order_by("domain")


def audit_entries(organization: Organization) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(organization=organization)
        .select_related("actor", "target_user")
        .order_by("-created_at", "-id")
    )


def invitation_problem(invitation: Invitation) -> Gone | None:
    """Why an invitation can no longer be used, as the error to raise; None if it can."""
    if invitation.revoked_at is not None:
        return Gone(_("Cette invitation a été annulée par l'organisation."), code="invitation_revoked")
    if invitation.accepted_at is not None:
        return Gone(_("Cette invitation a déjà été utilisée."), code="invitation_used")
    if invitation.expires_at <= timezone.now():
        return Gone(_("Cette invitation a expiré."), code="invitation_expired")
    return None


class InviterNoLongerAllowed(Gone):
    """The invitation's creator left the organization, was removed, lost the role it takes, or deleted their account.

    410 like the invitation's other dead ends (revoked, used, expired): the
    invitation itself is no longer good, and nothing its holder can do changes
    that; a 403 would say that the holder lacks a right. `reason` is kept for
    the audit log: "creator_deleted", "creator_not_member" or "creator_role".
    """

    code = "inviter_not_allowed"
    default_detail = gettext_lazy(
        "La personne qui a créé cette invitation ne peut plus inviter dans cette organisation : "
        "l'invitation n'est plus valable. Demandez-en une nouvelle à un administrateur de l'organisation."
    )

    def __init__(self, *, invitation: Invitation, reason: str) -> None:
        super().__init__()
        self.invitation = invitation
        self.reason = reason


def inviter_problem(invitation: Invitation) -> InviterNoLongerAllowed | None:
    """Why the invitation's creator can no longer vouch for it, as the error to raise; None if they still can.

    An invitation is only as good as its creator's right to send it today: an
    admin who was removed or demoted must not come back, or let anyone in,
    through a link they made before.
    """
    creator = invitation.created_by
    if creator is None or creator.is_deleted:
        return InviterNoLongerAllowed(invitation=invitation, reason="creator_deleted")
    role = (
        Membership.objects.filter(organization_id=invitation.organization_id, user_id=creator.pk)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        return InviterNoLongerAllowed(invitation=invitation, reason="creator_not_member")
    if not may_invite(role, invitation.role):
        return InviterNoLongerAllowed(invitation=invitation, reason="creator_role")
    return None
