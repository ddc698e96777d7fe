from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coworklib.accounts.models import validate_printable
from coworklib.privacy.contact_services import MESSAGE_MAX_LENGTH, normalise_newlines, validate_message_text
from coworklib.privacy.models import ContactRequest

# The honeypot: a field no person sees, which bots filling every input fill in.
HONEYPOT_FIELD = "website"

TOPIC_CHOICES = [
    (ContactRequest.Topic.QUESTION, _("Question")),
    (ContactRequest.Topic.PRIVACY, _("Données personnelles (exercer vos droits)")),
    (ContactRequest.Topic.COMPLAINT, _("Réclamation")),
    (ContactRequest.Topic.OTHER, _("Autre")),
]


class MessageField(forms.CharField):
    def to_python(self, value: Any) -> str:
        # Before the length check, so that it counts what the textarea's maxlength counted.
        return normalise_newlines(super().to_python(value) or "")


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Votre nom"),
        max_length=150,
        validators=[validate_printable],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        help_text=_("Nous vous répondrons à cette adresse."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topic = forms.ChoiceField(label=_("Sujet"), choices=TOPIC_CHOICES, initial=ContactRequest.Topic.QUESTION)
    message = MessageField(
        label=_("Votre message"),
        max_length=MESSAGE_MAX_LENGTH,
        validators=[validate_message_text],
        help_text=_("5 000 caractères au plus."),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, with_honeypot: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_honeypot:
            self.fields[HONEYPOT_FIELD] = forms.CharField(
                label=_("Laissez ce champ vide"),
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
            )

    @property
    def caught_a_bot(self) -> bool:
        """Whether the honeypot was filled in (looked at before validation: a bot gets no error to learn from)."""
        return HONEYPOT_FIELD in self.fields and bool(self.data.get(HONEYPOT_FIELD, "").strip())


class DeleteAccountForm(forms.Form):
    """The deletion's confirmation: the password, a second-factor code when the account has one, and a tick."""

    password = forms.CharField(
        label=_("Votre mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Code de double authentification"),
        max_length=64,
        help_text=_("Le code de votre application d'authentification, ou un de vos codes de récupération."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    confirm = forms.BooleanField(
        label=_("Je comprends que la suppression est définitive : mon compte ne pourra pas être récupéré."),
        error_messages={"required": _("Cochez la case pour confirmer la suppression.")},
    )

    def __init__(self, *args: Any, with_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]
