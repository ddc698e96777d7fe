"""What core keeps about a person (privacy registry): audit entries naming them.

An audit entry stays after erasure (what happened, when, in which
organization), pointing at the deleted user; the names and addresses its
details recorded go.
"""

from typing import Any

from django.db.models import Q

from coworklib.accounts.models import User
from coworklib.core.models import AuditEntry
from coworklib.privacy.registry import identity_needles, matching_any, register, rows, scrub


def export(user: User) -> dict[str, Any]:
    return {
        "audit_entries_about_you": rows(
            AuditEntry.objects.filter(Q(actor=user) | Q(target_user=user)).order_by("created_at"),
            "organization__name",
            "action",
            "details",
            "created_at",
        )
    }


def erase(user: User) -> None:
    needles = identity_needles(user)
    for entry in AuditEntry.objects.filter(Q(actor=user) | Q(target_user=user) | matching_any("details", needles)):
        cleaned = scrub(entry.details, needles, "")
        if cleaned != entry.details:
            AuditEntry.objects.filter(pk=entry.pk).update(details=cleaned)


register(
    "core",
    fields={AuditEntry: ({"actor", "target_user", "details"}, {"id", "organization", "action", "created_at"})},
    exporter=export,
    eraser=erase,
    order=70,
)
