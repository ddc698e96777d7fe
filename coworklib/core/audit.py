"""The audit log: what happened inside an organization, recorded by each app and told as a sentence.

The console's activity page belongs to organizations, which must not import
the apps above it, yet every app records its own actions. So each app
registers, from its AppConfig.ready, a describer for every action code it
records (`register_audit_descriptions`), and the page asks this registry
(`describe_audit_entry`). A test parses the code for every `record_audit`
call and fails on an action nobody describes.

Details keep ids, roles and the names of things (workspaces, groups,
equipment), never people's names or addresses: a person is referenced through
`target_user`, so that erasing them leaves nothing of them in the log.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from coworklib.core.models import AuditEntry

# A describer tells one entry, in the reader's language, as what its actor did:
# "a créé l'espace « Lyon »" (the page puts the actor's name before it).
AuditDescriber = Callable[[AuditEntry], str]

_describers: dict[str, AuditDescriber] = {}


def record_audit(*, organization: Any, actor: Any, action: str, target_user: Any = None, **details: Any) -> AuditEntry:
    return AuditEntry.objects.create(
        organization=organization, actor=actor, action=action, target_user=target_user, details=details
    )


def register_audit_descriptions(describers: Mapping[str, AuditDescriber]) -> None:
    """Say how to tell each of an app's action codes. A code belongs to one app: describing it twice is an error."""
    for action, describer in describers.items():
        registered = _describers.get(action)
        if registered is not None and registered is not describer:
            raise ValueError(f"the audit action {action!r} is already described")
        _describers[action] = describer


def described_actions() -> frozenset[str]:
    return frozenset(_describers)


def describe_audit_entry(entry: AuditEntry) -> str:
    describer = _describers.get(entry.action)
    if describer is None:
        # Only an entry recorded by code since removed: every current action is described (tests).
        return _("a effectué une action (%(code)s)") % {"code": entry.action}
    return describer(entry)


def target_name(entry: AuditEntry) -> str:
    """The display name of the person acted upon, or a neutral word once their account is gone."""
    return entry.target_user.display_name if entry.target_user else _("une personne")
