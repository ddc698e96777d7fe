"""Audit entries told as sentences for the console's activity log.

Entries keep ids and roles, never addresses, so that erasing a person leaves
nothing of them in the log (their name goes with the user row).
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coworklib.core.models import AuditEntry
from coworklib.organizations.models import Role

_SETTING_LABELS = {
    "name": gettext_lazy("le nom"),
    "slug": gettext_lazy("l'identifiant"),
    "allow_join_requests": gettext_lazy("les demandes d'adhésion"),
    "require_mfa_for_admins": gettext_lazy("la double authentification des administrateurs"),
    "no_show_release_minutes": gettext_lazy("la libération des places sans check-in"),
}


def _role(value: object) -> str:
    try:
        return str(Role(str(value)).label).lower()
    except ValueError:
        return str(value)


def _revoked_with_creator(creator: str, details: dict[str, Any]) -> str:
    count = len(details.get("invitation_ids", []))
    values = {"count": count, "name": creator}
    reason = details.get("reason")
    if reason == "left":
        return (
            ngettext(
                "a annulé %(count)d invitation de %(name)s, qui a quitté l'organisation",
                "a annulé %(count)d invitations de %(name)s, qui a quitté l'organisation",
                count,
            )
            % values
        )
    if reason == "removed":
        return (
            ngettext(
                "a annulé %(count)d invitation de %(name)s, qui ne fait plus partie de l'organisation",
                "a annulé %(count)d invitations de %(name)s, qui ne fait plus partie de l'organisation",
                count,
            )
            % values
        )
    return (
        ngettext(
            "a annulé %(count)d invitation de %(name)s, dont le nouveau rôle ne permet plus de l'envoyer",
            "a annulé %(count)d invitations de %(name)s, dont le nouveau rôle ne permet plus de les envoyer",
            count,
        )
        % values
    )


def _refused(creator: str, details: dict[str, Any]) -> str:
    values = {"name": creator, "role": _role(details.get("role"))}
    reason = details.get("reason")
    if reason == "creator_deleted":
        return (
            _("n'a pas pu accepter une invitation (%(role)s) : la personne qui l'avait créée a supprimé son compte")
            % values
        )
    if reason == "creator_not_member":
        return (
            _(
                "n'a pas pu accepter l'invitation de %(name)s (%(role)s) : cette personne ne fait plus partie "
                "de l'organisation"
            )
            % values
        )
    return (
        _("n'a pas pu accepter l'invitation de %(name)s (%(role)s) : son rôle ne lui permet plus d'inviter à ce rôle")
        % values
    )


def describe(entry: AuditEntry) -> str:
    """What happened, in the reader's language, naming the person acted upon."""
    details = entry.details or {}
    target = entry.target_user.display_name if entry.target_user else _("une personne")
    action = entry.action
    if action == "organization.created":
        return _("a créé l'organisation")
    if action == "organization.settings_changed":
        changed = [str(_SETTING_LABELS.get(field, field)) for field in details.get("changes", {})]
        return _("a modifié les réglages : %(fields)s") % {"fields": ", ".join(changed)}
    if action == "member.role_changed":
        return _("a changé le rôle de %(name)s : %(old)s → %(new)s") % {
            "name": target,
            "old": _role(details.get("old_role")),
            "new": _role(details.get("new_role")),
        }
    if action == "member.removed":
        return _("a retiré %(name)s de l'organisation") % {"name": target}
    if action == "member.left":
        return _("a quitté l'organisation")
    if action == "member.joined_by_domain":
        return _("a rejoint l'organisation grâce à son adresse @%(domain)s") % {"domain": details.get("domain", "")}
    if action == "ownership.transferred":
        return _("a transféré la propriété à %(name)s") % {"name": target}
    if action == "invitation.sent":
        return _("a envoyé une invitation par e-mail (%(role)s)") % {"role": _role(details.get("role"))}
    if action == "invitation.link_created":
        return _("a créé un lien d'invitation (%(role)s)") % {"role": _role(details.get("role"))}
    if action == "invitation.revoked":
        return _("a annulé une invitation")
    if action == "invitation.revoked_with_creator":
        return _revoked_with_creator(target, details)
    if action == "invitation.refused":
        return _refused(target, details)
    if action == "invitation.accepted":
        return _("a accepté une invitation et rejoint l'organisation (%(role)s)") % {"role": _role(details.get("role"))}
    if action == "join_request.created":
        return _("a demandé à rejoindre l'organisation")
    if action == "join_request.approved":
        return _("a accepté la demande d'adhésion de %(name)s") % {"name": target}
    if action == "join_request.rejected":
        return _("a refusé la demande d'adhésion de %(name)s") % {"name": target}
    if action == "domain.added":
        return _("a ajouté le domaine %(domain)s") % {"domain": details.get("domain", "")}
    if action == "domain.verified":
        if details.get("proof") == "staff":
            return _("a vérifié le domaine %(domain)s (équipe Coworklib)") % {"domain": details.get("domain", "")}
        return _("a vérifié le domaine %(domain)s par son enregistrement DNS") % {"domain": details.get("domain", "")}
    if action == "domain.removed":
        return _("a retiré le domaine %(domain)s") % {"domain": details.get("domain", "")}
    if action == "group.created":
        return _("a créé le groupe « %(name)s »") % {"name": details.get("name", "")}
    if action == "group.updated":
        return _("a modifié le groupe « %(name)s »") % {"name": details.get("name", "")}
    if action == "group.deleted":
        return _("a supprimé le groupe « %(name)s »") % {"name": details.get("name", "")}
    if action == "group.member_removed":
        return _("a retiré %(member)s du groupe « %(group)s »") % {"member": target, "group": details.get("name", "")}
    return action
