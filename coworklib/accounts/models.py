import functools
import hashlib
import secrets
import unicodedata
import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.hashers import acheck_password, check_password
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


@functools.cache
def _known_timezones() -> frozenset[str]:
    # available_timezones() walks the tz database on disk: read it once.
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    # The tz database's list rather than "ZoneInfo() loads it": ZoneInfo also
    # loads files that are not zones ("posixrules") and raises a
    # different exception for each kind of malformed key.
    if value not in _known_timezones():
        raise ValidationError(_("Fuseau horaire inconnu : choisissez-en un dans la liste."), code="invalid_timezone")


def validate_printable(value: str) -> None:
    # Control characters have no place in a name, PostgreSQL refuses NUL in text
    # and a lone surrogate cannot even be encoded for the database. Format
    # characters (Cf) stay allowed: Persian names need the zero-width non-joiner.
    if any(unicodedata.category(char) in {"Cc", "Cs"} for char in value):
        raise ValidationError(_("Ce texte contient des caractères non autorisés."), code="control_characters")


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. The e-mail address is the login.

    Organization-specific data (role, joining date) lives on Membership.
    """

    class Language(models.TextChoices):
        FRENCH = "fr", "Français"
        ENGLISH = "en", "English"

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True, validators=[validate_printable])
    last_name = models.CharField(_("nom"), max_length=150, blank=True, validators=[validate_printable])
    job_title = models.CharField(_("poste occupé"), max_length=150, blank=True, validators=[validate_printable])
    photo = models.ImageField(_("photo"), upload_to="profile-photos/", blank=True)
    photo_thumbnail = models.ImageField(upload_to="profile-photos/thumbnails/", blank=True)
    language = models.CharField(_("langue"), max_length=8, choices=Language.choices, default=Language.FRENCH)
    timezone = models.CharField(
        _("fuseau horaire"), max_length=64, default="Europe/Paris", validators=[validate_timezone]
    )
    is_staff = models.BooleanField(_("équipe Coworklib"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=now)
    # Set when the account is erased: the row stays so that what the person
    # published keeps an author, shown as "Utilisateur supprimé".
    deleted_at = models.DateTimeField(null=True, blank=True)
    # GDPR restriction of processing: set, the person gets no news or offers, is left out of
    # audience measurement and recommendations (the privacy app owns the switch).
    processing_restricted_at = models.DateTimeField(_("traitement limité depuis"), null=True, blank=True)
    # The organization last opened in the web app; where /app/ takes them.
    last_organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def display_name(self) -> str:
        if self.is_deleted:
            return gettext("Utilisateur supprimé")
        full_name = f"{self.first_name} {self.last_name}".strip()
        return full_name or self.email.split("@", 1)[0]

    @property
    def initials(self) -> str:
        if self.is_deleted:
            return "?"
        letters = [part[0] for part in (self.first_name, self.last_name) if part]
        return ("".join(letters) or self.email[:1]).upper()

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.first_name or self.display_name

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        # Picked up after save (accounts.signals) to revoke every API token:
        # a password change must end every way in, not only web sessions.
        self._password_changed = True

    def check_password(self, raw_password: str | None) -> bool:
        # Django re-hashes a correct password stored with older parameters through
        # set_password(); that upgrade is not a change of password and must not
        # revoke the mobile app's tokens (it would log every app out after an upgrade).
        def upgrade_hash(raw: str) -> None:
            AbstractBaseUser.set_password(self, raw)
            self._password = None
            self.save(update_fields=["password"])

        return check_password(raw_password, self.password, upgrade_hash)

    async def acheck_password(self, raw_password: str | None) -> bool:
        async def upgrade_hash(raw: str) -> None:
            AbstractBaseUser.set_password(self, raw)
            self._password = None
            await self.asave(update_fields=["password"])

        return await acheck_password(raw_password, self.password, upgrade_hash)


class LegalAcceptance(models.Model):
    """A user's acceptance of one version of a legal document, or an attestation."""

    class Document(models.TextChoices):
        TERMS = "terms", _("Conditions d'utilisation")
        PRIVACY = "privacy", _("Politique de confidentialité")
        ADULT = "adult", _("Attestation d'avoir 18 ans ou plus")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="legal_acceptances")
    document = models.CharField(max_length=16, choices=Document.choices)
    version = models.CharField(max_length=32)
    accepted_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "document", "version"], name="unique_acceptance_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.document} {self.version}"


def hash_token(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the mobile app. Only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters, shown in the settings so people can tell tokens apart.
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @classmethod
    def issue(cls, *, user: User, name: str = "") -> tuple["ApiToken", str]:
        """Create a token and return it with its raw value, which is never stored."""
        raw = "cwl_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name[:100], token_hash=hash_token(raw), prefix=raw[4:10])
        return token, raw


class LoginEvent(models.Model):
    """One successful sign-in: the login history people see in their data export.

    The session key lets erasure end that web session; API tokens are listed
    (and revoked) on their own.
    """

    class Method(models.TextChoices):
        WEB = "web", _("Site web")
        API = "api", _("Application (jeton d'API)")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_events")
    method = models.CharField(max_length=8, choices=Method.choices)
    occurred_at = models.DateTimeField(default=now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    session_key = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.method} {self.occurred_at:%Y-%m-%d %H:%M}"
