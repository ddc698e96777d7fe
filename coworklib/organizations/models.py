import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coworklib.accounts.models import hash_token

slug_validator = RegexValidator(
    r"^(?!\d+$)[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Lettres minuscules, chiffres et tirets ; pas uniquement des chiffres."),
)


class Organization(models.Model):
    """A private tenant. Everything a member sees belongs to exactly one organization."""

    name = models.CharField(_("nom"), max_length=120)
    # Used in web URLs (/o/<slug>/); never all digits, so the API can take an id or a slug.
    slug = models.SlugField(_("identifiant"), max_length=50, unique=True, validators=[slug_validator])
    created_at = models.DateTimeField(auto_now_add=True)
    require_mfa_for_admins = models.BooleanField(
        _("exiger la double authentification pour les administrateurs"), default=False
    )
    allow_join_requests = models.BooleanField(_("accepter les demandes d'adhésion"), default=True)
    # Off (None) by default: a going participant who has not checked in this many
    # minutes after their session's start gives their seat back (planning.services.release_no_shows).
    no_show_release_minutes = models.PositiveSmallIntegerField(
        _("libérer les places sans check-in après (minutes)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Propriétaire")
    ADMIN = "admin", _("Administrateur")
    MEMBER = "member", _("Membre")


def may_invite(role_held: str, role_granted: str) -> bool:
    """Whether someone holding `role_held` may invite to, or name someone to, `role_granted`.

    Admins and owners invite members and admins; only owners invite owners.
    """
    if role_held == Role.OWNER:
        return True
    return role_held == Role.ADMIN and role_granted != Role.OWNER


class Membership(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="unique_membership")]
        indexes = [models.Index(fields=["user", "organization"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role in {Role.OWNER, Role.ADMIN}

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


def default_invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.INVITATION_VALIDITY_DAYS)


class Invitation(models.Model):
    """A single-use, expiring invitation, sent by e-mail or shared as a link.

    Only the SHA-256 of the token is stored; the raw token (256 bits) exists in
    the e-mail or the link shown once to the admin.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse e-mail"), blank=True)
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=default_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organization}: {self.email or _('lien')}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        raw = secrets.token_urlsafe(32)
        return raw, hash_token(raw)

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        APPROVED = "approved", _("Acceptée")
        REJECTED = "rejected", _("Refusée")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(_("message"), max_length=1000, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("demande d'adhésion")
        verbose_name_plural = _("demandes d'adhésion")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], condition=Q(status="pending"), name="one_pending_join_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organization} ({self.status})"


def new_domain_verification_token() -> str:
    # 160 random bits in lower-case hex: DNS consoles keep it intact whatever
    # they do to case, and nobody can guess the record another organization needs.
    return secrets.token_hex(20)


class EmailDomain(models.Model):
    """An e-mail domain an organization claims: once verified, users whose verified address is at it join.

    A claim grants nothing until `verified_at` is set, which takes proof that
    the organization controls the domain's DNS (services.verify_email_domain)
    or platform staff's word (the Django admin). Several organizations may
    claim the same domain, so that a squatter cannot block its real owner, but
    only one of them can verify it.
    """

    VERIFICATION_RECORD_PREFIX = "_coworklib-verification"
    VERIFICATION_VALUE_PREFIX = "coworklib-verification="

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="email_domains")
    domain = models.CharField(_("domaine"), max_length=253)
    verification_token = models.CharField(
        _("jeton de vérification"), max_length=64, default=new_domain_verification_token, editable=False
    )
    verified_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("domaine e-mail")
        verbose_name_plural = _("domaines e-mail")
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "domain"], name="unique_email_domain_per_organization"),
            models.UniqueConstraint(
                fields=["domain"], condition=Q(verified_at__isnull=False), name="one_organization_per_verified_domain"
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def record_name(self) -> str:
        """The DNS name of the TXT record that proves control of the domain."""
        return f"{self.VERIFICATION_RECORD_PREFIX}.{self.domain}"

    @property
    def record_value(self) -> str:
        return f"{self.VERIFICATION_VALUE_PREFIX}{self.verification_token}"


class Departure(models.Model):
    """Someone who left an organization or was removed from it.

    Joining by e-mail domain never brings them back: otherwise a removal would
    undo itself the next time one of their addresses or the domain is verified.
    An invitation they accept or a join request an admin approves does bring
    them back, and deletes this row.
    """

    class Reason(models.TextChoices):
        REMOVED = "removed", _("Retiré par un administrateur")
        LEFT = "left", _("Parti de lui-même")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="departures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_departures")
    reason = models.CharField(_("motif"), max_length=16, choices=Reason.choices)
    departed_at = models.DateTimeField(_("parti le"), default=timezone.now)

    class Meta:
        verbose_name = _("départ")
        verbose_name_plural = _("départs")
        ordering = ["-departed_at"]
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="unique_departure")]

    def __str__(self) -> str:
        return f"{self.user} ← {self.organization} ({self.reason})"
