"""How the console's activity log tells the actions community records (core.audit's registry)."""

from django.utils.translation import gettext as _

from coworklib.core.audit import AuditDescriber, target_name
from coworklib.core.models import AuditEntry


def _group(entry: AuditEntry) -> str:
    return str((entry.details or {}).get("name", ""))


DESCRIPTIONS: dict[str, AuditDescriber] = {
    "group.created": lambda entry: _("a créé le groupe « %(name)s »") % {"name": _group(entry)},
    "group.updated": lambda entry: _("a modifié le groupe « %(name)s »") % {"name": _group(entry)},
    "group.deleted": lambda entry: _("a supprimé le groupe « %(name)s »") % {"name": _group(entry)},
    "group.member_removed": lambda entry: (
        _("a retiré %(member)s du groupe « %(group)s »") % {"member": target_name(entry), "group": _group(entry)}
    ),
}
