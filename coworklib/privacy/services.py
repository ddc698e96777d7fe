"""Writes of the privacy app: erasing an account, exporting it, restricting its processing."""

import json
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coworklib.accounts import selectors as account_selectors
from coworklib.accounts import throttling
from coworklib.accounts.errors import LoginThrottled
from coworklib.accounts.models import User
from coworklib.accounts.services import second_factor_accepted
from coworklib.core.errors import Conflict, Forbidden
from coworklib.organizations.privacy import hand_over_ownership, organizations_left_without_owner
from coworklib.privacy.registry import declarations

EXPORT_FORMAT = "coworklib-personal-data"
EXPORT_FORMAT_VERSION = 1


def export_user_data(*, user: User, now: datetime | None = None) -> dict[str, Any]:
    """Everything the apps keep about ``user``, by app (GDPR articles 15 and 20)."""
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_FORMAT_VERSION,
        "exported_at": now or timezone.now(),
    }
    for declaration in declarations():
        if declaration.exporter is not None:
            data[declaration.label] = declaration.exporter(user)
    return data


def export_as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def export_files(*, user: User) -> list[tuple[str, str]]:
    """The files to ship with the export: (name inside the archive, storage name)."""
    return [pair for declaration in declarations() if declaration.files for pair in declaration.files(user)]


def ensure_may_be_erased(*, user: User) -> None:
    """Raise ``Conflict`` (code ``last_owner``) while the user alone owns an organization others belong to."""
    stuck = organizations_left_without_owner(user)
    if stuck:
        names = ", ".join(organization.name for organization in stuck)
        raise Conflict(
            _(
                "Vous êtes le seul propriétaire de : %(names)s. Nommez d'abord un autre propriétaire "
                "(Membres → rôle), puis supprimez votre compte."
            )
            % {"names": names},
            code="last_owner",
            extra={"organizations": [organization.slug for organization in stuck]},
        )


def confirm_identity(*, user: User, password: str, code: str | None, ip: str | None) -> None:
    """Check the password (and the second factor when the account has one) before something irreversible.

    Raises ``LoginThrottled`` after too many failures, ``Forbidden`` with code
    ``wrong_password`` or ``mfa_required``. Failures count like failed logins.
    """
    state = throttling.check_login_throttle(email=user.email, ip=ip)
    if state.throttled:
        raise LoginThrottled(retry_after=state.retry_after)
    if not password or not user.check_password(password):
        throttling.record_login_failure(email=user.email, ip=ip)
        raise Forbidden(_("Mot de passe incorrect."), code="wrong_password")
    if account_selectors.user_has_mfa(user):
        if not code:
            raise Forbidden(
                _("Saisissez aussi un code de votre application d'authentification ou un code de récupération."),
                code="mfa_required",
            )
        if not second_factor_accepted(user, code):
            throttling.record_login_failure(email=user.email, ip=ip)
            raise Forbidden(_("Code de double authentification incorrect ou déjà utilisé."), code="mfa_required")


def erase_user(*, user: User, hand_over: bool = False, now: datetime | None = None) -> None:
    """Delete or anonymise everything about ``user``; what they published stays, by "Utilisateur supprimé".

    Idempotent. Without ``hand_over`` (the person's own request) it refuses, with
    ``Conflict``, while they alone own an organization others belong to; with it
    (the retention job), ownership passes to the longest-standing admin or member.
    Files are deleted once the transaction commits. Holds a SELECT FOR UPDATE
    lock on the user row, so two erasures of one account never interleave.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_deleted:
            return
        if hand_over:
            hand_over_ownership(locked)
        ensure_may_be_erased(user=locked)
        for declaration in declarations():
            if declaration.eraser is not None:
                declaration.eraser(locked)
        locked.deleted_at = now or timezone.now()
        locked.save(update_fields=["deleted_at"])
    user.refresh_from_db()


def set_processing_restriction(*, user: User, restricted: bool, now: datetime | None = None) -> User:
    """GDPR article 18: restricted, the person is left out of audience measurement, news and offers, and
    recommendations (each reads ``processing_restricted_at``)."""
    if restricted and user.processing_restricted_at is None:
        user.processing_restricted_at = now or timezone.now()
    elif not restricted:
        user.processing_restricted_at = None
    user.save(update_fields=["processing_restricted_at"])
    return user
