from typing import Any, cast

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from coworklib.accounts import services
from coworklib.accounts.models import ApiToken, User, timezone_choices, validate_printable
from coworklib.accounts.photos import ACCEPTED_CONTENT_TYPES, process_profile_photo
from coworklib.core.images import ProcessedImage, max_bytes_attrs


def _drop_placeholders(form: forms.Form) -> None:
    # allauth's placeholders repeat the labels; real labels are shown instead,
    # and a placeholder that vanishes on typing is no substitute for one.
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)


class LoginForm(AllauthLoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _drop_placeholders(self)
        self.fields["login"].label = _("Adresse e-mail")
        if "remember" in self.fields:
            self.fields["remember"].label = _("Rester connecté sur cet appareil")


class SignupForm(AllauthSignupForm):
    """allauth's sign-up (e-mail, password twice) plus names and the two required attestations."""

    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        validators=[validate_printable],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        validators=[validate_printable],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    accept_terms = forms.BooleanField(
        label=_("J'accepte les conditions d'utilisation et la politique de confidentialité de Coworklib."),
        error_messages={
            "required": _(
                "Pour créer un compte, vous devez accepter les conditions d'utilisation "
                "et la politique de confidentialité."
            )
        },
    )
    is_adult = forms.BooleanField(
        label=_("J'atteste avoir 18 ans ou plus."),
        error_messages={"required": _("Coworklib est réservé aux personnes majeures (18 ans ou plus).")},
    )

    field_order = ["first_name", "last_name", "email", "password1", "password2", "accept_terms", "is_adult"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Adresse e-mail")
        _drop_placeholders(self)
        if "password1" in self.fields:
            self.fields["password1"].label = _("Mot de passe")
            self.fields["password1"].help_text = _(
                "8 caractères au moins. Une phrase de passe longue est la meilleure protection."
            )
        if "password2" in self.fields:
            self.fields["password2"].label = _("Mot de passe (confirmation)")

    def save(self, request: HttpRequest) -> AbstractBaseUser:
        # The account and its acceptances exist together or not at all.
        with transaction.atomic():
            return super().save(request)

    def signup(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        services.record_signup_acceptances(user=cast(User, user))


def _timezone_field_choices(current: str) -> list[tuple[str, str]]:
    choices = [("UTC", "UTC"), *timezone_choices()]
    if current and current not in {value for value, _label in choices}:
        # Set through the API to a legacy name (e.g. "US/Eastern"): keep it selectable.
        choices.insert(0, (current, current.replace("_", " ")))
    return choices


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    """The profile page: names, job title, language, time zone and an optional new photo.

    Bind it to a copy of the user: ModelForm validation writes the submitted
    values onto its instance, and an invalid submission must not show up in the
    rest of the page (the top bar shows the user's name).
    """

    photo = forms.FileField(
        label=_("Nouvelle photo"),
        required=False,
        help_text=_("JPEG, PNG, WebP ou GIF. Elle sera recadrée et réduite ; les métadonnées sont supprimées."),
        widget=forms.FileInput(attrs={"accept": ACCEPTED_CONTENT_TYPES}),
    )
    timezone = forms.ChoiceField(label=_("Fuseau horaire"))

    class Meta:
        model = User
        fields = ["first_name", "last_name", "job_title", "language", "timezone"]
        labels = {
            "first_name": _("Prénom"),
            "last_name": _("Nom"),
            "job_title": _("Poste occupé"),
            "language": _("Langue"),
        }
        help_texts = {
            "job_title": _("Visible par les membres de vos organisations."),
            "language": _("La langue du site et des e-mails que vous recevez."),
        }
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.processed_photo: ProcessedImage | None = None
        cast(forms.ChoiceField, self.fields["timezone"]).choices = _timezone_field_choices(self.instance.timezone)
        self.fields["photo"].widget.attrs.update(max_bytes_attrs(settings.PROFILE_PHOTO_MAX_BYTES))
        # The same rule as services.update_profile, shown before submitting.
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True

    def clean_photo(self) -> Any:
        upload = self.cleaned_data.get("photo")
        if upload:
            self.processed_photo = process_profile_photo(upload, size=upload.size)
        return upload

    def profile_changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in services.PROFILE_FIELDS}


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=ApiToken._meta.get_field("name").max_length,
        required=False,
        validators=[validate_printable],
        help_text=_("Pour le reconnaître plus tard, par exemple : Script d'export, Téléphone de Marie."),
    )
