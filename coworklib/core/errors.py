"""Errors raised by services and selectors, mapped to HTTP by the API and the pages.

Each carries a stable machine ``code`` (API.md) and a translated ``detail``.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "error"
    default_detail = _("La requête n'a pas pu être traitée.")

    def __init__(self, detail: str | None = None, *, code: str | None = None, extra: dict | None = None) -> None:
        self.detail = str(detail) if detail is not None else str(self.default_detail)
        if code is not None:
            self.code = code
        self.extra = extra or {}
        super().__init__(self.detail)


class NotFound(DomainError):
    """Outside the caller's organization, hidden by an access rule, or absent: all look the same."""

    status = 404
    code = "not_found"
    default_detail = _("Introuvable.")


class Forbidden(DomainError):
    """Inside the caller's own organization, but their role does not allow it."""

    status = 403
    code = "forbidden"
    default_detail = _("Vous n'avez pas les droits nécessaires pour cette action.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_detail = _("Cette action est en conflit avec l'état actuel.")


class InvalidInput(DomainError):
    status = 422
    code = "invalid"
    default_detail = _("Les données envoyées ne sont pas valides.")


class MfaRequired(Forbidden):
    """The organization requires two-factor authentication for this role, and the caller has none."""

    code = "mfa_required"
    default_detail = _(
        "Cette organisation exige la double authentification pour ses administrateurs : "
        "activez-la dans votre compte pour continuer."
    )


class Gone(DomainError):
    """Existed, but can no longer be used (an expired, used or revoked invitation)."""

    status = 410
    code = "gone"
    default_detail = _("Ce lien n'est plus valable.")
