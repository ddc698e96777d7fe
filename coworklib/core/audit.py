from typing import Any

from coworklib.core.models import AuditEntry


def record_audit(*, organization: Any, actor: Any, action: str, target_user: Any = None, **details: Any) -> AuditEntry:
    return AuditEntry.objects.create(
        organization=organization, actor=actor, action=action, target_user=target_user, details=details
    )
