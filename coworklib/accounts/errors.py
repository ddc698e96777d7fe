"""Errors of the credential exchange (``POST /auth/token``), with API.md's codes."""

from django.utils.translation import gettext_lazy as _

from coworklib.core.errors import DomainError


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"
    default_detail = _("Adresse e-mail ou mot de passe incorrect.")


class EmailNotVerified(DomainError):
    # Still a 401 (API.md: bad credentials are 401), with its own code so that
    # the app can tell the person to open the confirmation e-mail.
    status = 401
    code = "email_not_verified"
    default_detail = _(
        "Votre adresse e-mail n'est pas encore confirmée : ouvrez le lien reçu par e-mail, puis réessayez."
    )


class SecondFactorRequired(DomainError):
    status = 401
    code = "mfa_required"
    default_detail = _(
        "La double authentification est activée sur ce compte : envoyez aussi le code de votre application "
        "d'authentification (champ « code »)."
    )


class LoginThrottled(DomainError):
    status = 429
    code = "throttled"
    default_detail = _("Trop de tentatives de connexion échouées. Réessayez plus tard.")

    def __init__(self, *, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after
