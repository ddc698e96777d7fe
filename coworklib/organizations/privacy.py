"""What organizations keeps about a person (privacy registry): memberships, invitations, join requests."""

from typing import Any

from django.db.models import Case, When
from django.utils import timezone

from coworklib.accounts.models import User
from coworklib.accounts.selectors import email_addresses_of
from coworklib.organizations.models import (
    Departure,
    EmailDomain,
    Invitation,
    JoinRequest,
    Membership,
    Organization,
    Role,
)
from coworklib.organizations.services import leave_organization
from coworklib.privacy.registry import register, rows


def organizations_left_without_owner(user: User) -> list[Organization]:
    """The organizations where this user is the only owner while others are still members."""
    owned = Membership.objects.filter(user=user, role=Role.OWNER).values_list("organization_id", flat=True)
    stuck = []
    for organization in Organization.objects.filter(pk__in=owned).order_by("name"):
        owners = Membership.objects.filter(organization=organization, role=Role.OWNER).count()
        others = Membership.objects.filter(organization=organization).exclude(user=user).count()
        if owners == 1 and others:
            stuck.append(organization)
    return stuck


def hand_over_ownership(user: User) -> None:
    """For an account being anonymised without its owner's say (inactivity): the longest-standing
    admin, else member, of each organization they alone own becomes its owner."""
    for organization in organizations_left_without_owner(user):
        successor = (
            Membership.objects.filter(organization=organization)
            .exclude(user=user)
            .order_by(Case(When(role=Role.ADMIN, then=0), default=1), "joined_at", "id")
            .first()
        )
        if successor is not None:
            successor.role = Role.OWNER
            successor.save(update_fields=["role"])


def export(user: User) -> dict[str, Any]:
    addresses = email_addresses_of(user)
    return {
        "memberships": [
            {"organization": membership.organization.name, "role": membership.role, "joined_at": membership.joined_at}
            for membership in Membership.objects.filter(user=user).select_related("organization").order_by("joined_at")
        ],
        "invitations_received": rows(
            Invitation.objects.filter(email__in=addresses).order_by("created_at"),
            "organization__name",
            "email",
            "role",
            "created_at",
            "accepted_at",
        ),
        "join_requests": rows(
            JoinRequest.objects.filter(user=user).order_by("created_at"),
            "organization__name",
            "message",
            "status",
            "created_at",
            "decided_at",
        ),
        "departures": rows(
            Departure.objects.filter(user=user).order_by("departed_at"), "organization__name", "reason", "departed_at"
        ),
    }


def erase(user: User) -> None:
    """Leave every organization (coming sessions are handed over or cancelled, planning's receiver)."""
    for membership in Membership.objects.filter(user=user).select_related("organization", "user"):
        others = Membership.objects.filter(organization=membership.organization).exclude(user=user).exists()
        if others:
            leave_organization(membership=membership)
        else:
            # Nobody else to hand it to: the organization goes with its only member.
            membership.organization.delete()
    addresses = email_addresses_of(user)
    Invitation.objects.filter(email__in=addresses, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    Invitation.objects.filter(email__in=addresses).update(email="")
    JoinRequest.objects.filter(user=user).delete()


register(
    "organizations",
    fields={
        Organization: (
            set(),
            {
                "id",
                "name",
                "slug",
                "created_at",
                "require_mfa_for_admins",
                "allow_join_requests",
                "no_show_release_minutes",
            },
        ),
        Membership: ({"user", "joined_at"}, {"id", "organization", "role"}),
        Invitation: (
            {"email", "accepted_by"},
            {
                "id",
                "organization",
                "role",
                "token_hash",
                "created_by",
                "created_at",
                "expires_at",
                "accepted_at",
                "revoked_at",
            },
        ),
        JoinRequest: ({"user", "message", "created_at"}, {"id", "organization", "status", "decided_at", "decided_by"}),
        EmailDomain: (
            set(),
            {"id", "organization", "domain", "verification_token", "verified_at", "added_by", "created_at"},
        ),
        # Kept after erasure as a count of departures, attributed to the deleted user.
        Departure: ({"user", "departed_at"}, {"id", "organization", "reason"}),
    },
    exporter=export,
    eraser=erase,
    order=10,
)
