import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _


class ConsentCategory(models.TextChoices):
    """Cookie categories beyond the strictly necessary ones (which need no consent)."""

    AUDIENCE = "audience", _("Mesure d'audience")


def new_visitor_id() -> str:
    return secrets.token_urlsafe(16)


class ConsentRecord(models.Model):
    """One choice made in the cookie banner: the proof of consent (or refusal) the CNIL asks for.

    A visitor who is not signed in is known only by the random id kept in the
    consent cookie; the record is tied to the account when they are signed in.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="consent_records"
    )
    visitor_id = models.CharField(max_length=32, default=new_visitor_id, db_index=True)
    version = models.CharField(_("version de la politique"), max_length=32)
    # The categories accepted; every other one was refused.
    categories = models.JSONField(_("catégories acceptées"), default=list, blank=True)
    created_at = models.DateTimeField(_("date"), default=now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.version} {self.categories}"


class ContactRequest(models.Model):
    """A question or complaint sent through the contact form, kept for the staff who answer it."""

    class Topic(models.TextChoices):
        QUESTION = "question", _("Question")
        PRIVACY = "privacy", _("Données personnelles")
        COMPLAINT = "complaint", _("Réclamation")
        OTHER = "other", _("Autre")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="contact_requests"
    )
    name = models.CharField(_("nom"), max_length=150)
    email = models.EmailField(_("adresse e-mail"))
    topic = models.CharField(_("sujet"), max_length=16, choices=Topic.choices, default=Topic.QUESTION)
    message = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("envoyée le"), default=now)
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande de contact")
        verbose_name_plural = _("demandes de contact")

    def __str__(self) -> str:
        return f"{self.get_topic_display()} · {self.created_at:%Y-%m-%d}"


def new_export_key() -> str:
    return secrets.token_urlsafe(18)


class DataExport(models.Model):
    """A ZIP of everything about a user, built by the worker and downloadable until it expires."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En préparation")
        READY = "ready", _("Prête")
        FAILED = "failed", _("Échec")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Names the export in its download link. Not a secret: the link also needs its owner signed in.
    key = models.CharField(max_length=32, unique=True, default=new_export_key)
    file = models.FileField(upload_to="exports/", blank=True)
    created_at = models.DateTimeField(default=now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.status})"

    def is_available(self, now: datetime) -> bool:
        return self.status == self.Status.READY and self.expires_at is not None and self.expires_at > now


class InactivityNotice(models.Model):
    """The warning e-mail sent before an inactive account is anonymised (sent once per spell of inactivity)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inactivity_notice")
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"notice {self.sent_at:%Y-%m-%d}"
