"""Sessions, their participants, recurring series, check-ins and calendar feeds.

Every going participant takes one seat of the session's workspace for the
whole session (DESIGN invariant 1). Only `services` writes these rows, under
the lock of `capacity.planning_lock`; reads go through `selectors`.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# The longest a session may last. Occupancy queries rely on it to bound what they read from below
# (start ≥ range start − this), so that they never walk a workspace's whole history: only
# planning.services writes sessions, and it refuses longer ones (walk-ins end by the next midnight).
SESSION_MAX_DURATION = timedelta(days=7)


class Visibility(models.TextChoices):
    """Who sees a session besides its organizer and participants: everyone, one group's members, or nobody else."""

    ORGANIZATION = "organization", _("Toute l'organisation")
    GROUP = "group", _("Un groupe")
    INVITED = "invited", _("Personnes invitées uniquement")


class ParticipantStatus(models.TextChoices):
    INVITED = "invited", _("Invité")
    GOING = "going", _("Participe")
    DECLINED = "declined", _("Décliné")


class SessionSeries(models.Model):
    """A weekly recurrence: the same wall-clock hours on `weekdays` until `until` (local dates).

    Each occurrence is an ordinary Session booked through the same capacity
    path; the series only remembers how they were asked for.
    """

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="session_series")
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="organized_series"
    )
    # Monday = 0, as in opening hours; stored as a sorted list of ints.
    weekdays = models.JSONField(_("jours"))
    until = models.DateField(_("jusqu'au"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("série de sessions")
        verbose_name_plural = _("séries de sessions")

    def __str__(self) -> str:
        return f"{self.workspace_id} {self.weekdays} → {self.until}"


class Session(models.Model):
    """A planned period at a workspace. `is_walk_in` marks the seat a check-in without a session takes."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="sessions")
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="sessions")
    # Nullable so that a removed account leaves its sessions behind, shown as "Utilisateur supprimé".
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="organized_sessions"
    )
    series = models.ForeignKey(SessionSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions")
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    description = models.TextField(_("description"), blank=True)
    visibility = models.CharField(
        _("visibilité"), max_length=16, choices=Visibility.choices, default=Visibility.ORGANIZATION
    )
    # With visibility "group": whose members see it. A deleted group leaves it to its participants only.
    group = models.ForeignKey(
        "community.Group", on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    is_walk_in = models.BooleanField(_("sans réservation"), default=False)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start", "id"]
        indexes = [
            # Occupancy reads: the sessions of one workspace overlapping a range.
            models.Index(fields=["workspace", "start", "end"], name="session_workspace_range"),
            models.Index(fields=["organization", "start"], name="session_organization_start"),
        ]
        constraints = [models.CheckConstraint(condition=Q(start__lt=F("end")), name="session_starts_before_end")]

    def __str__(self) -> str:
        return f"{self.workspace_id} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Participant(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations")
    status = models.CharField(_("statut"), max_length=16, choices=ParticipantStatus.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="unique_participant")]
        indexes = [
            models.Index(fields=["user", "status"], name="participant_user_status"),
            models.Index(fields=["session", "status"], name="participant_session_status"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.session_id} ({self.status})"


class CheckInMethod(models.TextChoices):
    APP = "app", _("Application")
    QR_CODE = "qr", _("QR code")


class CheckIn(models.Model):
    """A member's arrival at a workspace.

    `closes_at` is the end of the open period they arrived in: past it, they
    count as checked out automatically, without any job having to run.
    `checked_out_at` is set when they check out themselves (or check in again).
    """

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="check_ins")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="check_ins")
    # The session whose seat they use: one they were going to, or the walk-in session the check-in opened.
    session = models.ForeignKey(Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="check_ins")
    method = models.CharField(_("méthode"), max_length=8, choices=CheckInMethod.choices, default=CheckInMethod.APP)
    checked_in_at = models.DateTimeField(_("arrivée"))
    checked_out_at = models.DateTimeField(_("départ"), null=True, blank=True)
    closes_at = models.DateTimeField(_("départ automatique"))

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-checked_in_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "checked_in_at"], name="checkin_workspace_time"),
            models.Index(fields=["user", "checked_in_at"], name="checkin_user_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(checked_in_at__lt=F("closes_at")), name="checkin_before_closing"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.workspace_id} {self.checked_in_at:%Y-%m-%d %H:%M}"

    @property
    def left_at(self) -> datetime:
        """When they left or will be checked out automatically, whichever comes first."""
        if self.checked_out_at is not None and self.checked_out_at < self.closes_at:
            return self.checked_out_at
        return self.closes_at


class CalendarFeed(models.Model):
    """A member's secret iCal feed address. Only a hash of its token is kept, as for API tokens."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("flux de calendrier")
        verbose_name_plural = _("flux de calendrier")

    def __str__(self) -> str:
        return f"{self.user_id}"
