"""Web forms: they check shapes; the rules (uniqueness, roles, proofs) live in the services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coworklib.organizations.models import Organization, Role, slug_validator
from coworklib.organizations.services import (
    MESSAGE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NO_SHOW_RELEASE_MAX,
    NO_SHOW_RELEASE_MIN,
    SLUG_MAX_LENGTH,
)


class LowercaseSlugField(forms.CharField):
    """Accepts "Acme" for "acme": people type slugs the way they type names."""

    default_validators = [slug_validator]
    widget = forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"})

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().lower()


SLUG_HELP = _("Utilisé dans les adresses (/o/identifiant/) : lettres minuscules, chiffres et tirets.")
SLUG_CREATE_HELP = _(
    "Laissez vide pour le déduire du nom. Utilisé dans les adresses (/o/identifiant/) : "
    "lettres minuscules, chiffres et tirets."
)


class OrganizationCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Nom de l'organisation"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "organization", "autofocus": True}),
    )
    slug = LowercaseSlugField(
        label=_("Identifiant (facultatif)"),
        max_length=SLUG_MAX_LENGTH,
        required=False,
        help_text=SLUG_CREATE_HELP,
    )


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(label=_("Nom de l'organisation"), max_length=NAME_MAX_LENGTH)
    slug = LowercaseSlugField(label=_("Identifiant"), max_length=SLUG_MAX_LENGTH, help_text=SLUG_HELP)
    allow_join_requests = forms.BooleanField(
        label=_("Accepter les demandes d'adhésion"),
        required=False,
        help_text=_("Les personnes qui connaissent l'identifiant peuvent demander à rejoindre l'organisation."),
    )
    require_mfa_for_admins = forms.BooleanField(
        label=_("Exiger la double authentification pour les administrateurs"),
        required=False,
        help_text=_("Les administrateurs sans double authentification n'auront plus accès à la console."),
    )
    # Empty means off: the seats of people who do not come stay taken until the session ends.
    no_show_release_minutes = forms.IntegerField(
        label=_("Libérer la place d'un participant sans check-in après (minutes)"),
        required=False,
        min_value=NO_SHOW_RELEASE_MIN,
        max_value=NO_SHOW_RELEASE_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": _("Jamais")}),
        help_text=_(
            "Laissez vide pour ne jamais libérer de place. Entre 5 et 240 minutes après le début de la session ; "
            "la personne est prévenue par e-mail. S'applique à toutes les sessions qui n'ont pas encore commencé."
        ),
    )

    @classmethod
    def for_organization(cls, organization: Organization, data: Any = None) -> "OrganizationSettingsForm":
        initial = {
            "name": organization.name,
            "slug": organization.slug,
            "allow_join_requests": organization.allow_join_requests,
            "require_mfa_for_admins": organization.require_mfa_for_admins,
            "no_show_release_minutes": organization.no_show_release_minutes,
        }
        return cls(data=data, initial=initial)


def _role_choices(*, include_owner: bool) -> list[tuple[str, Any]]:
    return [(value, label) for value, label in Role.choices if include_owner or value != Role.OWNER]


class InviteByEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": _("prenom.nom@exemple.fr")}),
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=())

    def __init__(self, *args: Any, include_owner: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field: forms.ChoiceField = self.fields["role"]  # type: ignore[assignment]
        role_field.choices = _role_choices(include_owner=include_owner)
        self.fields["role"].initial = Role.MEMBER


class InvitationLinkForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle des personnes invitées"), choices=())

    def __init__(self, *args: Any, include_owner: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field: forms.ChoiceField = self.fields["role"]  # type: ignore[assignment]
        role_field.choices = _role_choices(include_owner=include_owner)
        self.fields["role"].initial = Role.MEMBER


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)


class TransferOwnershipForm(forms.Form):
    user_id = forms.TypedChoiceField(label=_("Nouveau propriétaire"), coerce=int, choices=())

    def __init__(self, *args: Any, candidates: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field: forms.ChoiceField = self.fields["user_id"]  # type: ignore[assignment]
        user_field.choices = [("", _("Choisissez un membre")), *(candidates or [])]


class JoinRequestForm(forms.Form):
    slug = LowercaseSlugField(
        label=_("Identifiant de l'organisation"),
        max_length=SLUG_MAX_LENGTH,
        help_text=_("Demandez-le à une personne de l'organisation : il figure dans ses adresses, après /o/."),
    )
    message = forms.CharField(
        label=_("Message aux administrateurs (facultatif)"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Présentez-vous en quelques mots : qui êtes-vous, qui vous a donné l'identifiant ?"),
    )


class EmailDomainForm(forms.Form):
    domain = forms.CharField(
        label=_("Domaine"),
        max_length=253,
        help_text=_("Le domaine d'une de vos adresses e-mail vérifiées, par exemple « acme.fr »."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false", "placeholder": "acme.fr"}),
    )


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), max_length=100, required=False)
