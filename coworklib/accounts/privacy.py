"""What accounts keeps about a person (privacy registry): the profile, login history, tokens, MFA."""

from typing import Any

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session as WebSession

from coworklib.accounts import throttling
from coworklib.accounts.models import ApiToken, LegalAcceptance, LoginEvent, User
from coworklib.core.media import delete_files_on_commit
from coworklib.privacy.registry import register, rows

PROFILE_EXPORT_FIELDS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "job_title",
    "language",
    "timezone",
    "date_joined",
    "last_login",
    "processing_restricted_at",
)


def export(user: User) -> dict[str, Any]:
    return {
        "profile": {field: getattr(user, field) for field in PROFILE_EXPORT_FIELDS}
        | {"photo": user.photo.name or None, "photo_thumbnail": user.photo_thumbnail.name or None},
        "email_addresses": rows(EmailAddress.objects.filter(user=user), "email", "verified", "primary"),
        "legal_acceptances": rows(
            LegalAcceptance.objects.filter(user=user).order_by("accepted_at"), "document", "version", "accepted_at"
        ),
        "login_history": rows(
            LoginEvent.objects.filter(user=user).order_by("occurred_at"),
            "occurred_at",
            "method",
            "ip_address",
            "user_agent",
        ),
        "api_tokens": rows(
            ApiToken.objects.filter(user=user).order_by("created_at"), "name", "prefix", "created_at", "last_used_at"
        ),
        "second_factors": rows(
            Authenticator.objects.filter(user=user).order_by("created_at"), "type", "created_at", "last_used_at"
        ),
    }


def photo_files(user: User) -> list[tuple[str, str]]:
    return [(f"photos/{file.name}", str(file.name)) for file in (user.photo, user.photo_thumbnail) if file]


def erase(user: User) -> None:
    """Anonymise the account row (it stays, so what they published keeps an author) and end every way in."""
    session_keys = [key for key in LoginEvent.objects.filter(user=user).values_list("session_key", flat=True) if key]
    WebSession.objects.filter(session_key__in=session_keys).delete()
    for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True):
        throttling.clear_login_failures(email=address)
    throttling.clear_login_failures(email=user.email)
    LoginEvent.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    LegalAcceptance.objects.filter(user=user).delete()
    EmailConfirmation.objects.filter(email_address__user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    # The file goes once the anonymisation is committed: a rollback must not lose a photo still in use.
    delete_files_on_commit([str(file.name) for file in (user.photo, user.photo_thumbnail) if file])
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.first_name = user.last_name = user.job_title = ""
    user.photo = user.photo_thumbnail = ""  # type: ignore[assignment]
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.timezone = "Europe/Paris"
    user.last_login = None
    user.processing_restricted_at = None
    user.last_organization = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


register(
    "accounts",
    fields={
        User: (
            {"email", "first_name", "last_name", "job_title", "photo", "photo_thumbnail", "password", "last_login"},
            {
                "id",
                "language",
                "timezone",
                "is_staff",
                "is_superuser",
                "is_active",
                "date_joined",
                "deleted_at",
                "processing_restricted_at",
                "last_organization",
                "groups",
                "user_permissions",
            },
        ),
        LegalAcceptance: ({"user", "version", "accepted_at"}, {"id", "document"}),
        ApiToken: ({"user", "name", "token_hash", "prefix", "created_at", "last_used_at"}, {"id"}),
        LoginEvent: ({"user", "occurred_at", "ip_address", "user_agent", "session_key"}, {"id", "method"}),
    },
    exporter=export,
    eraser=erase,
    files=photo_files,
    # Last: the other erasers still see the e-mail address and the names they scrub.
    order=1000,
)
