"""Reads of the privacy app: what the "Vos données" and deletion pages show."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from coworklib.accounts.models import User
from coworklib.organizations.models import Membership, Organization
from coworklib.organizations.privacy import organizations_left_without_owner
from coworklib.planning.models import ParticipantStatus, Session
from coworklib.privacy.models import DataExport


def latest_export(user: User) -> DataExport | None:
    return DataExport.objects.filter(user=user).order_by("-created_at", "-id").first()


@dataclass(frozen=True)
class DeletionPreview:
    """What deleting the account would do, said before the person confirms."""

    # Organizations they alone own while others belong to them: deletion waits for a hand-over.
    blocking_organizations: list[Organization]
    # Organizations whose only member they are: deleted with the account.
    deleted_organizations: list[Organization]
    # Coming sessions they organise: handed to a going participant, or cancelled with notice.
    handed_over_sessions: int
    cancelled_sessions: int

    @property
    def may_delete(self) -> bool:
        return not self.blocking_organizations


def deletion_preview(user: User, *, now: datetime | None = None) -> DeletionPreview:
    now = now or timezone.now()
    alone = (
        Membership.objects.filter(user=user)
        .annotate(members=Count("organization__memberships"))
        .filter(members=1)
        .values_list("organization_id", flat=True)
    )
    coming = Session.objects.filter(organizer=user, end__gt=now, cancelled_at__isnull=True, is_walk_in=False).exclude(
        organization_id__in=alone
    )
    with_someone = Q(participants__status=ParticipantStatus.GOING) & ~Q(participants__user=user)
    handed_over = coming.filter(with_someone).distinct().count()
    return DeletionPreview(
        blocking_organizations=organizations_left_without_owner(user),
        deleted_organizations=list(Organization.objects.filter(pk__in=alone).order_by("name")),
        handed_over_sessions=handed_over,
        cancelled_sessions=coming.count() - handed_over,
    )
