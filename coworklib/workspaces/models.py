"""Workspaces and what belongs to them: hours, closures, photos, equipment, access, favourites, views.

Every model here belongs to exactly one organization, directly (Workspace,
Equipment) or through its workspace. Reads go through `selectors`, writes
through `services`.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coworklib.accounts.models import validate_printable, validate_timezone
from coworklib.organizations.models import Role
from coworklib.workspaces.opening_hours import MINUTES_PER_DAY, format_wall_time
from coworklib.workspaces.richtext import render_description


class WorkspaceKind(models.TextChoices):
    OFFICE = "office", _("Bureau")
    FLOOR = "floor", _("Étage")
    MEETING_ROOM = "meeting_room", _("Salle de réunion")
    COWORKING = "coworking", _("Espace de coworking")
    OTHER = "other", _("Autre")


class EquipmentIcon(models.TextChoices):
    """The icons the pages can draw (inline SVG): a catalogue item picks one of them."""

    WIFI = "wifi", _("Wi-Fi")
    SCREEN = "screen", _("Écran")
    STANDING_DESK = "standing_desk", _("Bureau assis-debout")
    PHONE_BOOTH = "phone_booth", _("Cabine téléphonique")
    PARKING = "parking", _("Parking")
    KITCHEN = "kitchen", _("Cuisine")
    ACCESSIBLE = "accessible", _("Accès de plain-pied")
    VIDEOCONFERENCE = "videoconference", _("Visioconférence")
    WHITEBOARD = "whiteboard", _("Tableau blanc")
    PRINTER = "printer", _("Imprimante")
    COFFEE = "coffee", _("Café")
    BIKE = "bike", _("Local vélos")
    SHOWER = "shower", _("Douche")
    LOCKER = "locker", _("Casiers")
    OTHER = "other", _("Autre")


class Equipment(models.Model):
    """An item of an organization's equipment catalogue, which its admins edit.

    The default catalogue (services.ensure_default_equipment) leaves `name`
    empty so that each reader gets the name in their language; an admin who
    renames an item stores their own name.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="equipment_catalogue"
    )
    key = models.SlugField(_("clé"), max_length=50)
    name = models.CharField(_("nom"), max_length=80, blank=True, validators=[validate_printable])
    icon = models.CharField(_("icône"), max_length=32, choices=EquipmentIcon.choices, default=EquipmentIcon.OTHER)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("équipement")
        verbose_name_plural = _("équipements")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="unique_equipment_key")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name to show: the admin's own, else the default item's name in the reader's language."""
        if self.name:
            return self.name
        default_name = DEFAULT_EQUIPMENT_NAMES.get(self.key)
        return str(default_name) if default_name is not None else self.key


# The default catalogue: key → (French name, icon). Names are translated when
# read (Equipment.label), so they are marked here and stored empty.
DEFAULT_EQUIPMENT: list[tuple[str, Any, str]] = [
    ("wifi", pgettext_lazy("équipement", "Wi-Fi"), EquipmentIcon.WIFI),
    ("screens", pgettext_lazy("équipement", "Écrans"), EquipmentIcon.SCREEN),
    ("standing-desks", pgettext_lazy("équipement", "Bureaux assis-debout"), EquipmentIcon.STANDING_DESK),
    ("phone-booths", pgettext_lazy("équipement", "Cabines téléphoniques"), EquipmentIcon.PHONE_BOOTH),
    ("videoconference", pgettext_lazy("équipement", "Visioconférence"), EquipmentIcon.VIDEOCONFERENCE),
    ("whiteboard", pgettext_lazy("équipement", "Tableau blanc"), EquipmentIcon.WHITEBOARD),
    ("parking", pgettext_lazy("équipement", "Parking"), EquipmentIcon.PARKING),
    ("bike-storage", pgettext_lazy("équipement", "Local vélos"), EquipmentIcon.BIKE),
    ("kitchen", pgettext_lazy("équipement", "Cuisine"), EquipmentIcon.KITCHEN),
    ("coffee", pgettext_lazy("équipement", "Machine à café"), EquipmentIcon.COFFEE),
    ("printer", pgettext_lazy("équipement", "Imprimante"), EquipmentIcon.PRINTER),
    ("step-free-access", pgettext_lazy("équipement", "Accès de plain-pied"), EquipmentIcon.ACCESSIBLE),
]
DEFAULT_EQUIPMENT_NAMES: dict[str, Any] = {key: name for key, name, _icon in DEFAULT_EQUIPMENT}


class Workspace(models.Model):
    """A place an organization offers: an office, a floor, a meeting room, a coworking space.

    Hours are `OpeningInterval` rows, wall-clock in `timezone`; no row at all
    means closed every day (a workspace created without hours gets seven
    00:00–24:00 rows, see services.create_workspace). With `restricted` set,
    only admins, the roles and the members granted by `WorkspaceAccessGrant`
    rows see it (selectors.visible_workspaces).
    """

    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE, related_name="workspaces")
    name = models.CharField(_("nom"), max_length=120, validators=[validate_printable])
    # Sanitised HTML (richtext.sanitize_description), re-sanitised when shown.
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("type"), max_length=16, choices=WorkspaceKind.choices, default=WorkspaceKind.OFFICE)
    street = models.CharField(_("adresse"), max_length=200, blank=True, validators=[validate_printable])
    postal_code = models.CharField(_("code postal"), max_length=20, blank=True, validators=[validate_printable])
    city = models.CharField(_("ville"), max_length=100, blank=True, validators=[validate_printable])
    # ISO 3166-1 alpha-2, as the mobile apps and the browser localise country names themselves.
    country = models.CharField(_("pays"), max_length=2, blank=True, default="FR")
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    timezone = models.CharField(
        _("fuseau horaire"), max_length=64, default="Europe/Paris", validators=[validate_timezone]
    )
    capacity = models.PositiveIntegerField(_("capacité (places)"))
    equipment = models.ManyToManyField(Equipment, blank=True, related_name="workspaces", verbose_name=_("équipements"))
    restricted = models.BooleanField(_("accès restreint"), default=False)
    archived_at = models.DateTimeField(_("archivé le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("espace de travail")
        verbose_name_plural = _("espaces de travail")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "archived_at", "name"])]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="workspace_capacity_at_least_one"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="workspace_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="workspace_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="workspace_coordinates_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def description_html(self) -> SafeString:
        """The description, safe to put in a page as it is."""
        return render_description(self.description)


class OpeningInterval(models.Model):
    """Open from `opens` to `closes` every `weekday`, in the workspace's time zone.

    Minutes since local midnight, so that 24:00 (1440) can close a day; see
    opening_hours for how wall times become instants around DST changes.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="opening_intervals")
    weekday = models.PositiveSmallIntegerField(_("jour"))
    opens = models.PositiveSmallIntegerField(_("ouverture (minutes)"))
    closes = models.PositiveSmallIntegerField(_("fermeture (minutes)"))

    class Meta:
        verbose_name = _("horaire d'ouverture")
        verbose_name_plural = _("horaires d'ouverture")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_weekday_monday_to_sunday"),
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes"), closes__lte=MINUTES_PER_DAY),
                name="opening_opens_before_closes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {format_wall_time(self.opens)}–{format_wall_time(self.closes)}"


class Closure(models.Model):
    """The workspace is closed every local date from `start_date` to `end_date`, both included."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="closures")
    start_date = models.DateField(_("du"))
    end_date = models.DateField(_("au"))
    reason = models.CharField(_("motif"), max_length=200, blank=True, validators=[validate_printable])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Not stored: set by services.add_closure to the sessions the closure cancelled, for the answer to say so.
    cancelled_session_ids: tuple[int, ...] = ()

    class Meta:
        verbose_name = _("fermeture")
        verbose_name_plural = _("fermetures")
        ordering = ["start_date", "id"]
        indexes = [models.Index(fields=["workspace", "end_date"])]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="closure_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.start_date} → {self.end_date} {self.reason}"


class WorkspacePhoto(models.Model):
    """A photo, re-encoded on upload (no EXIF, no original bytes kept), with its thumbnail."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="photos")
    # Random file names (core.images): media are served without a permission
    # check, so the URL of a restricted workspace's photo must not be guessable.
    image = models.ImageField(_("photo"), upload_to="workspace-photos/")
    thumbnail = models.ImageField(_("vignette"), upload_to="workspace-photos/thumbnails/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(_("texte alternatif"), max_length=200, blank=True, validators=[validate_printable])
    position = models.PositiveIntegerField(_("position"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.workspace} #{self.position}"


class WorkspaceAccessGrant(models.Model):
    """Who may see and use a restricted workspace, besides the organization's admins.

    One row grants one thing: a role (every member with it), a named member, or
    a group (its members, as they are at each read). A workspace's access rule
    is its `restricted` flag plus these rows (services.set_access_rule writes
    them, selectors.visible_workspaces reads them). Rows of a workspace that is
    not restricted are kept but have no effect.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="access_grants")
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        "community.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="workspace_grants"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("autorisation d'accès")
        verbose_name_plural = _("autorisations d'accès")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="") & Q(user__isnull=False) & Q(group__isnull=True))
                | (~Q(role="") & Q(user__isnull=True) & Q(group__isnull=True))
                | (Q(role="") & Q(user__isnull=True) & Q(group__isnull=False)),
                name="access_grant_exactly_one_grantee",
            ),
            models.UniqueConstraint(fields=["workspace", "role"], condition=~Q(role=""), name="unique_role_grant"),
            models.UniqueConstraint(
                fields=["workspace", "user"], condition=Q(user__isnull=False), name="unique_member_grant"
            ),
            models.UniqueConstraint(
                fields=["workspace", "group"], condition=Q(group__isnull=False), name="unique_group_grant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workspace}: {self.role or self.user_id or self.group_id}"


class Favourite(models.Model):
    """A member's starred workspace."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourite_workspaces")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("favori")
        verbose_name_plural = _("favoris")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="unique_favourite")]

    def __str__(self) -> str:
        return f"{self.user_id} ★ {self.workspace_id}"


class WorkspaceView(models.Model):
    """When a user last opened a workspace's detail: one row per pair, the last VIEWS_KEPT kept per user."""

    VIEWS_KEPT = 20

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_views")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="views")
    viewed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-viewed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="unique_workspace_view")]
        indexes = [models.Index(fields=["user", "-viewed_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.workspace_id} {self.viewed_at:%Y-%m-%d %H:%M}"
