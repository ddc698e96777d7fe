"""Writes about accounts: sign-up records, profile and photo, API tokens."""

import contextlib
import unicodedata
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from coworklib.accounts import selectors, throttling
from coworklib.accounts.errors import EmailNotVerified, InvalidCredentials, LoginThrottled, SecondFactorRequired
from coworklib.accounts.models import ApiToken, LegalAcceptance, LoginEvent, User
from coworklib.core.errors import InvalidInput, NotFound
from coworklib.core.images import ProcessedImage

PROFILE_FIELDS = ("first_name", "last_name", "job_title", "language", "timezone")
_TEXT_FIELDS = {"first_name", "last_name", "job_title"}
# Blank in the model (accounts created by staff or erased have none), but a
# person cannot remove their own name: colleagues find each other by it.
_REQUIRED_FIELDS = {"first_name", "last_name"}


def record_signup_acceptances(*, user: User) -> list[LegalAcceptance]:
    """Record that ``user`` accepted the current terms and privacy policy and attested being an adult.

    Called by the sign-up form, which refuses to go on without both boxes ticked.
    """
    documents = [
        (LegalAcceptance.Document.TERMS, settings.TERMS_VERSION),
        (LegalAcceptance.Document.PRIVACY, settings.PRIVACY_POLICY_VERSION),
        # The attestation has no document behind it; it is versioned with the terms it answers to.
        (LegalAcceptance.Document.ADULT, settings.TERMS_VERSION),
    ]
    return [
        LegalAcceptance.objects.get_or_create(user=user, document=document, version=version)[0]
        for document, version in documents
    ]


def _field_errors(errors: dict[str, list[str]]) -> InvalidInput:
    fields = ", ".join(errors)
    return InvalidInput(
        _("Données invalides : %(fields)s.") % {"fields": fields},
        extra={
            "errors": [
                {"loc": ["body", name], "msg": message, "type": "value_error"}
                for name, messages in errors.items()
                for message in messages
            ]
        },
    )


def _clean_profile_changes(user: User, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in changes.items():
        if name in _TEXT_FIELDS and isinstance(value, str):
            value = value.strip()
        if name in _REQUIRED_FIELDS and value == "":
            errors[name] = [_("Ce champ est obligatoire.")]
            continue
        try:
            # The model field's own rules (type, length, choices, validators):
            # the web form and the API cannot drift from each other.
            cleaned[name] = User._meta.get_field(name).clean(value, user)  # type: ignore[union-attr]
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise _field_errors(errors)
    return cleaned


def _delete_files(storage: Storage, names: list[str | None]) -> None:
    for name in names:
        if name:
            # A file already gone (deleted by hand, or a retried removal) is not an error.
            with contextlib.suppress(FileNotFoundError):
                storage.delete(name)


def update_profile(*, user: User, photo: ProcessedImage | None = None, **changes: Any) -> User:
    """Change any of ``PROFILE_FIELDS`` and, optionally, the photo.

    Raises ``InvalidInput`` (nothing changed) when a value breaks a rule, ``NotFound`` when the
    account has been erased meanwhile. The
    previous photo files are deleted once the change is committed; the new ones
    are deleted again if it is not.
    """
    cleaned = _clean_profile_changes(user, changes)
    # Names, not the FieldFiles: saving the new photo renames those in place.
    old_names = [user.photo.name, user.photo_thumbnail.name] if photo is not None else []
    storage = user.photo.storage
    for name, value in cleaned.items():
        setattr(user, name, value)
    update_fields = list(cleaned)
    if photo is not None:
        # FieldFile.save() writes the file to storage now; the row follows below.
        user.photo.save(photo.image.name or "photo", photo.image, save=False)
        user.photo_thumbnail.save(photo.thumbnail.name or "thumbnail", photo.thumbnail, save=False)
        update_fields += ["photo", "photo_thumbnail"]
    if not update_fields:
        return user
    try:
        with transaction.atomic():
            # Waits for an erasure of this account in progress (it holds the row), then refuses to
            # write a name or a photo back onto the anonymised row.
            if not User.objects.select_for_update().filter(pk=user.pk, deleted_at__isnull=True).exists():
                raise NotFound
            user.save(update_fields=update_fields)
    except Exception:
        if photo is not None:
            _delete_files(storage, [user.photo.name, user.photo_thumbnail.name])
        raise
    if old_names:
        transaction.on_commit(lambda: _delete_files(storage, old_names))
    return user


def remove_profile_photo(*, user: User) -> User:
    old_names = [user.photo.name, user.photo_thumbnail.name]
    if not any(old_names):
        return user
    storage = user.photo.storage
    user.photo = ""
    user.photo_thumbnail = ""
    user.save(update_fields=["photo", "photo_thumbnail"])
    transaction.on_commit(lambda: _delete_files(storage, old_names))
    return user


def _token_name(name: str) -> str:
    name = "".join(char for char in name if unicodedata.category(char) not in {"Cc", "Cs"}).strip()
    return name[: ApiToken._meta.get_field("name").max_length]  # type: ignore[misc]


def create_api_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue a token for ``user``; the raw value is returned here and never again."""
    return ApiToken.issue(user=user, name=_token_name(name))


def revoke_api_token(*, user: User, token_id: int) -> None:
    selectors.get_api_token_of(user=user, token_id=token_id).delete()


def revoke_token(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).delete()


def second_factor_accepted(user: User, code: str) -> bool:
    # The same authenticators as allauth's own login step: the app's current
    # code, or one of the recovery codes (each works once). Security keys
    # cannot be checked with a typed code.
    for authenticator in Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.WEBAUTHN):
        if authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            return True
    return False


def obtain_api_token(
    *, request: HttpRequest, email: str, password: str, code: str | None = None, name: str = ""
) -> tuple[ApiToken, str]:
    """Exchange an e-mail address and password (and second factor) for an API token.

    Raises ``LoginThrottled`` without checking anything when the address or the
    client IP has too many recent failures; ``InvalidCredentials`` for a wrong
    password, an unknown, inactive or deleted account; ``EmailNotVerified``;
    ``SecondFactorRequired`` when the account has MFA and ``code`` is missing or
    wrong. Failed passwords and wrong codes count towards the throttle.
    """
    email = throttling.normalise_email(email)
    ip = throttling.client_ip(request)
    state = throttling.check_login_throttle(email=email, ip=ip)
    if state.throttled:
        raise LoginThrottled(retry_after=state.retry_after)

    # authenticate() refuses inactive accounts and sends user_login_failed,
    # which counts the failure (accounts.signals).
    user = authenticate(request, email=email, password=password)
    if not isinstance(user, User):
        raise InvalidCredentials()
    if user.is_deleted:
        throttling.record_login_failure(email=email, ip=ip)
        raise InvalidCredentials()
    if not selectors.is_email_verified(user=user, email=email):
        raise EmailNotVerified()
    if selectors.user_has_mfa(user):
        if not code:
            if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                raise SecondFactorRequired()
            raise SecondFactorRequired(
                _(
                    "Ce compte est protégé par une clé de sécurité, qui ne peut pas servir ici : créez un jeton "
                    "d'API depuis les paramètres de votre compte sur le web, ou envoyez l'un de vos codes de "
                    "récupération (champ « code »)."
                )
            )
        if not second_factor_accepted(user, code):
            throttling.record_login_failure(email=email, ip=ip)
            raise SecondFactorRequired(_("Code de double authentification incorrect ou déjà utilisé."))

    throttling.clear_login_failures(email=email)
    record_login(user=user, request=request, method=LoginEvent.Method.API)
    return create_api_token(user=user, name=name or request.headers.get("User-Agent", ""))


def record_login(*, user: User, request: HttpRequest | None, method: str) -> LoginEvent:
    """Keep one line of login history (shown in the data export, removed with the account)."""
    session = getattr(request, "session", None) if method == LoginEvent.Method.WEB else None
    return LoginEvent.objects.create(
        user=user,
        method=method,
        ip_address=throttling.client_ip(request),
        user_agent=(request.headers.get("User-Agent", "") if request else "")[:300],
        session_key=(session.session_key or "") if session is not None else "",
    )
