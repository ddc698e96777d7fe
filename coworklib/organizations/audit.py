"""How the console's activity log tells the actions organizations records (core.audit's registry).

Entries keep ids and roles, never addresses, so that erasing a person leaves
nothing of them in the log (their name goes with the user row).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coworklib.core.audit import AuditDescriber, target_name
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import Role

_SETTING_LABELS = {
    "name": gettext_lazy("le nom"),
    "slug": gettext_lazy("l'identifiant"),
    "allow_join_requests": gettext_lazy("les demandes d'adhésion"),
    "require_mfa_for_admins": gettext_lazy("la double authentification des administrateurs"),
    "no_show_release_minutes": gettext_lazy("la libération des places sans check-in"),
}


def _role_label(value: object) -> str:
    try:
        return str(Role(str(value)).label).lower()
    except ValueError:
        return str(value)


def _role(entry: AuditEntry) -> str:
    return _role_label((entry.details or {}).get("role"))


def _domain(entry: AuditEntry) -> str:
    return str((entry.details or {}).get("domain", ""))


def _settings_changed(entry: AuditEntry) -> str:
    changed = [str(_SETTING_LABELS.get(field, field)) for field in (entry.details or {}).get("changes", {})]
    return _("a modifié les réglages : %(fields)s") % {"fields": ", ".join(changed)}


def _role_changed(entry: AuditEntry) -> str:
    details = entry.details or {}
    return _("a changé le rôle de %(name)s : %(old)s → %(new)s") % {
        "name": target_name(entry),
        "old": _role_label(details.get("old_role")),
        "new": _role_label(details.get("new_role")),
    }


def _domain_verified(entry: AuditEntry) -> str:
    if (entry.details or {}).get("proof") == "staff":
        return _("a vérifié le domaine %(domain)s (équipe Coworklib)") % {"domain": _domain(entry)}
    return _("a vérifié le domaine %(domain)s par son enregistrement DNS") % {"domain": _domain(entry)}


def _revoked_with_creator(entry: AuditEntry) -> str:
    details = entry.details or {}
    count = len(details.get("invitation_ids", []))
    values = {"count": count, "name": target_name(entry)}
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


def _refused(entry: AuditEntry) -> str:
    values = {"name": target_name(entry), "role": _role(entry)}
    reason = (entry.details or {}).get("reason")
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


DESCRIPTIONS: dict[str, AuditDescriber] = {
    "organization.created": lambda entry: _("a créé l'organisation"),
    "organization.settings_changed": _settings_changed,
    "member.role_changed": _role_changed,
    "member.removed": lambda entry: _("a retiré %(name)s de l'organisation") % {"name": target_name(entry)},
    "member.left": lambda entry: _("a quitté l'organisation"),
    "member.joined_by_domain": lambda entry: (
        _("a rejoint l'organisation grâce à son adresse @%(domain)s") % {"domain": _domain(entry)}
    ),
    "ownership.transferred": lambda entry: _("a transféré la propriété à %(name)s") % {"name": target_name(entry)},
    "invitation.sent": lambda entry: _("a envoyé une invitation par e-mail (%(role)s)") % {"role": _role(entry)},
    "invitation.link_created": lambda entry: _("a créé un lien d'invitation (%(role)s)") % {"role": _role(entry)},
    "invitation.revoked": lambda entry: _("a annulé une invitation"),
    "invitation.revoked_with_creator": _revoked_with_creator,
    "invitation.refused": _refused,
    "invitation.accepted": lambda entry: (
        _("a accepté une invitation et rejoint l'organisation (%(role)s)") % {"role": _role(entry)}
    ),
    "join_request.created": lambda entry: _("a demandé à rejoindre l'organisation"),
    "join_request.approved": lambda entry: (
        _("a accepté la demande d'adhésion de %(name)s") % {"name": target_name(entry)}
    ),
    "join_request.rejected": lambda entry: (
        _("a refusé la demande d'adhésion de %(name)s") % {"name": target_name(entry)}
    ),
    "domain.added": lambda entry: _("a ajouté le domaine %(domain)s") % {"domain": _domain(entry)},
    "domain.verified": _domain_verified,
    "domain.removed": lambda entry: _("a retiré le domaine %(domain)s") % {"domain": _domain(entry)},
}
