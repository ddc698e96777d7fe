"""How the console's activity log tells the actions workspaces records (core.audit's registry).

Each entry names its workspace or equipment item by the name it had when the
action was recorded (`name` in the details), so that a later renaming or
deletion does not leave the log pointing at nothing.
"""

from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coworklib.core.audit import AuditDescriber
from coworklib.core.models import AuditEntry
from coworklib.workspaces.models import DEFAULT_EQUIPMENT_NAMES

_FIELD_LABELS = {
    "name": gettext_lazy("le nom"),
    "capacity": gettext_lazy("la capacité"),
    "timezone": gettext_lazy("le fuseau horaire"),
    "description": gettext_lazy("la description"),
    "kind": gettext_lazy("le type"),
    "street": gettext_lazy("l'adresse"),
    "postal_code": gettext_lazy("l'adresse"),
    "city": gettext_lazy("l'adresse"),
    "country": gettext_lazy("l'adresse"),
    "latitude": gettext_lazy("la position sur la carte"),
    "longitude": gettext_lazy("la position sur la carte"),
    "equipment": gettext_lazy("les équipements"),
}


def _details(entry: AuditEntry) -> dict[str, Any]:
    return entry.details or {}


def _workspace(entry: AuditEntry) -> str:
    details = _details(entry)
    # Entries recorded before names were kept have the id only.
    return str(details.get("name") or _("n° %(id)s") % {"id": details.get("workspace_id", "?")})


def _equipment(entry: AuditEntry) -> str:
    details = _details(entry)
    default_name = DEFAULT_EQUIPMENT_NAMES.get(str(details.get("key", "")))
    # A default item keeps its name empty so that each reader gets it in their own language.
    return str(details.get("name") or default_name or details.get("key") or "?")


def _day(value: object) -> str:
    try:
        return date_format(date.fromisoformat(str(value)), "j F Y")
    except ValueError:
        return str(value)


def _updated(entry: AuditEntry) -> str:
    details = _details(entry)
    if details.get("previous_name"):
        return _("a renommé l'espace « %(old)s » en « %(name)s »") % {
            "old": details["previous_name"],
            "name": _workspace(entry),
        }
    labels = dict.fromkeys(str(_FIELD_LABELS.get(field, field)) for field in details.get("fields", []))
    return _("a modifié l'espace « %(name)s » : %(fields)s") % {"name": _workspace(entry), "fields": ", ".join(labels)}


def _closure_dates(entry: AuditEntry) -> dict[str, str]:
    details = _details(entry)
    return {"name": _workspace(entry), "start": _day(details.get("start_date")), "end": _day(details.get("end_date"))}


def _closure_added(entry: AuditEntry) -> str:
    values = _closure_dates(entry)
    if values["start"] == values["end"]:
        sentence = _("a fermé l'espace « %(name)s » le %(start)s") % values
    else:
        sentence = _("a fermé l'espace « %(name)s » du %(start)s au %(end)s") % values
    cancelled = len(_details(entry).get("cancelled_sessions", []))
    if not cancelled:
        return sentence
    return _("%(sentence)s (%(cancelled)s)") % {
        "sentence": sentence,
        "cancelled": ngettext("%(count)d session annulée", "%(count)d sessions annulées", cancelled)
        % {"count": cancelled},
    }


def _closure_deleted(entry: AuditEntry) -> str:
    values = _closure_dates(entry)
    if values["start"] == values["end"]:
        return _("a supprimé la fermeture de l'espace « %(name)s » le %(start)s") % values
    return _("a supprimé la fermeture de l'espace « %(name)s » du %(start)s au %(end)s") % values


def _access_set(entry: AuditEntry) -> str:
    if _details(entry).get("restricted"):
        return _("a restreint l'accès à l'espace « %(name)s »") % {"name": _workspace(entry)}
    return _("a ouvert l'espace « %(name)s » à tous les membres") % {"name": _workspace(entry)}


def _photos_added(entry: AuditEntry) -> str:
    count = len(_details(entry).get("photo_ids", []))
    return ngettext(
        "a ajouté %(count)d photo à l'espace « %(name)s »", "a ajouté %(count)d photos à l'espace « %(name)s »", count
    ) % {"count": count, "name": _workspace(entry)}


DESCRIPTIONS: dict[str, AuditDescriber] = {
    "workspace.created": lambda entry: _("a créé l'espace « %(name)s »") % {"name": _workspace(entry)},
    "workspace.updated": _updated,
    "workspace.archived": lambda entry: _("a archivé l'espace « %(name)s »") % {"name": _workspace(entry)},
    "workspace.unarchived": lambda entry: _("a rétabli l'espace « %(name)s »") % {"name": _workspace(entry)},
    "workspace.hours_set": lambda entry: (
        _("a changé les horaires d'ouverture de l'espace « %(name)s »") % {"name": _workspace(entry)}
    ),
    "workspace.closure_added": _closure_added,
    "workspace.closure_deleted": _closure_deleted,
    "workspace.photos_added": _photos_added,
    "workspace.photos_reordered": lambda entry: (
        _("a changé l'ordre des photos de l'espace « %(name)s »") % {"name": _workspace(entry)}
    ),
    "workspace.photo_updated": lambda entry: (
        _("a modifié la description d'une photo de l'espace « %(name)s »") % {"name": _workspace(entry)}
    ),
    "workspace.photo_deleted": lambda entry: (
        _("a supprimé une photo de l'espace « %(name)s »") % {"name": _workspace(entry)}
    ),
    "workspace.access_set": _access_set,
    "equipment.created": lambda entry: _("a ajouté l'équipement « %(name)s »") % {"name": _equipment(entry)},
    "equipment.updated": lambda entry: _("a modifié l'équipement « %(name)s »") % {"name": _equipment(entry)},
    "equipment.deleted": lambda entry: _("a supprimé l'équipement « %(name)s »") % {"name": _equipment(entry)},
}
