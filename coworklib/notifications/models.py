"""Notifications, the preferences that route them, and the outbox of what is sent.

A `Notification` is the in-app record of one event for one recipient; its
text is written when it is read, in the reader's language, from the live
objects it points at (so an erased author reads "Utilisateur supprimé" and
no name is copied here). Each e-mail or web push that leaves is a `Delivery`
row whose state is recorded: a retried or re-run task finds it sent and does
not send it again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationType(models.TextChoices):
    FOLLOWED_WORKSPACE_SESSION = "followed_workspace_session", _("Session planifiée dans un espace que je suis")
    FOLLOWED_MEMBER_SESSION = "followed_member_session", _("Session planifiée par un membre que je suis")
    GROUP_SESSION = "group_session", _("Session planifiée pour un de mes groupes")
    SESSION_INVITATION = "session_invitation", _("Invitation à une session")
    SESSION_CHANGED = "session_changed", _("Session déplacée ou modifiée")
    SESSION_CANCELLED = "session_cancelled", _("Session annulée")
    SESSION_REMINDER = "session_reminder", _("Rappel avant une session")
    SEAT_RELEASED = "seat_released", _("Place libérée faute de check-in")
    GROUP_ADDED = "group_added", _("Ajout à un groupe")
    NEW_MESSAGE = "new_message", _("Nouveau message")
    JOIN_REQUEST = "join_request", _("Demande d'adhésion à traiter")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("Dans l'application")
    EMAIL = "email", _("E-mail")
    PUSH = "push", _("Notification push")


class TargetType(models.TextChoices):
    SESSION = "session", _("session")
    GROUP = "group", _("groupe")
    CONVERSATION = "conversation", _("conversation")
    JOIN_REQUEST = "join_request", _("demande d'adhésion")


class Notification(models.Model):
    """One event for one recipient, inside one organization.

    `data` holds small non-personal facts the text needs (which fields
    changed, why the recipient is told); never names or free text.
    `dedupe_key`, when set, makes a second notification of the same fact
    impossible (reminders, re-run fan-outs).
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(_("type"), max_length=40, choices=NotificationType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_type = models.CharField(max_length=16, choices=TargetType.choices)
    target_id = models.BigIntegerField()
    data = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_time"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_recipient_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.type} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A member's choice for one type on one channel, where it differs from the default (preferences.DEFAULTS)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    type = models.CharField(max_length=40, choices=NotificationType.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")
        constraints = [
            models.UniqueConstraint(fields=["user", "type", "channel"], name="unique_notification_preference")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.type}/{self.channel}={self.enabled}"


class ReminderLead(models.TextChoices):
    EVENING_BEFORE = "evening_before", _("La veille à 18:00")
    MORNING_OF = "morning_of", _("Le matin même à 08:00")
    HOUR_BEFORE = "hour_before", _("Une heure avant")
    OFF = "off", _("Jamais")


class NotificationSettings(models.Model):
    """A member's delivery settings that are not per type: digest, reminders, news.

    News and offers are off until the member opts in (`news_opt_in_at` says
    when); they are never sent to someone who restricted the processing of
    their data.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    digest_enabled = models.BooleanField(_("résumé quotidien par e-mail"), default=False)
    digest_hour = models.PositiveSmallIntegerField(_("heure du résumé"), default=18)
    reminder_lead = models.CharField(
        _("rappel avant une session"), max_length=16, choices=ReminderLead.choices, default=ReminderLead.EVENING_BEFORE
    )
    news_opt_in_at = models.DateTimeField(_("accepte les nouveautés et offres depuis"), null=True, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réglages de notification")
        verbose_name_plural = _("réglages de notification")
        constraints = [
            models.CheckConstraint(condition=Q(digest_hour__lte=23), name="digest_hour_in_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}"


class PushSubscription(models.Model):
    """A browser's web push subscription (endpoint and keys), removed when the push service says it is gone."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("abonnement push")
        verbose_name_plural = _("abonnements push")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.endpoint[:40]}"


class News(models.Model):
    """News or an offer from Coworklib or a partner, written by staff in the admin.

    Sent only to users who opted in and did not restrict the processing of their data.
    """

    subject_fr = models.CharField(_("objet (français)"), max_length=150)
    subject_en = models.CharField(_("objet (anglais)"), max_length=150)
    body_fr = models.TextField(_("texte (français)"))
    body_en = models.TextField(_("texte (anglais)"))
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("nouveauté")
        verbose_name_plural = _("nouveautés")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject_fr


class DeliveryKind(models.TextChoices):
    NOTIFICATION = "notification", _("Notification")
    DIGEST = "digest", _("Résumé quotidien")
    NEWS = "news", _("Nouveautés et offres")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec définitif")
    CANCELLED = "cancelled", _("Annulé")


class Delivery(models.Model):
    """The outbox: one e-mail or one web push, and whether it left.

    Content is rendered when it is sent, in the recipient's language; the
    subject is kept afterwards for staff. A row is claimed (`sending`, with
    `claimed_until`) before the mail server or push service is called, and
    marked `sent` right after, so a re-run never sends it twice. Failures go
    back to `pending` with `next_attempt_at` pushed back (exponential backoff)
    until `FAILED` after the last attempt. `dedupe_key` makes a digest or a
    news e-mail unique per recipient.
    """

    channel = models.CharField(max_length=16, choices=Channel.choices)
    kind = models.CharField(max_length=16, choices=DeliveryKind.choices, default=DeliveryKind.NOTIFICATION)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="deliveries"
    )
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    push_subscription = models.ForeignKey(
        PushSubscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    news = models.ForeignKey(News, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries")
    # A digest: the ids of the notifications it lists. Nothing personal.
    payload = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    subject = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} → {self.recipient_id} ({self.status})"
