"""Web forms of workspaces: they check shapes (a time, a date, a number); the rules live in the services.

A form that feeds a service exposes what it parsed in the service's terms
(`WorkspaceForm.service_arguments`, `OpeningHoursForm.intervals`), so views
only pass it on.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms import BoundField
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from coworklib.accounts.models import timezone_choices
from coworklib.community.models import Group
from coworklib.core.images import max_bytes_attrs
from coworklib.organizations.models import Membership, Role
from coworklib.workspaces import services
from coworklib.workspaces.models import Equipment, EquipmentIcon, OpeningInterval, Workspace, WorkspaceKind
from coworklib.workspaces.opening_hours import DAYS_PER_WEEK, WeeklyInterval, format_wall_time, parse_wall_time
from coworklib.workspaces.richtext import DESCRIPTION_MAX_LENGTH
from coworklib.workspaces.selectors import WorkspaceFilters

SEARCH_MAX_LENGTH = 100


class DateInput(forms.DateInput):
    """The browser's date picker; its value is always ISO, whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class BoundedDateField(forms.DateField):
    """A date within the years the services accept: a typo like 0202 is an error here, not far in the past."""

    widget = DateInput

    def validate(self, value: Any) -> None:
        super().validate(value)
        if isinstance(value, date) and not services.FIRST_YEAR <= value.year <= services.LAST_YEAR:
            raise ValidationError(
                _("Choisissez une date entre %(first)d et %(last)d."),
                code="out_of_range",
                params={"first": services.FIRST_YEAR, "last": services.LAST_YEAR},
            )


# --- The members' list --------------------------------------------------------------------------------------


class WorkspaceSearchForm(forms.Form):
    """The list's filters (a GET form, so it works without JavaScript and its URL can be shared)."""

    q = forms.CharField(
        label=_("Rechercher un espace"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.SearchInput(attrs={"placeholder": _("Nom de l'espace"), "autocomplete": "off"}),
    )
    city = forms.ChoiceField(label=_("Ville"), required=False)
    kind = forms.ChoiceField(label=_("Type d'espace"), required=False)
    date = BoundedDateField(
        label=_("Date"), required=False, help_text=_("Pour les places libres et l'ouverture ce jour-là.")
    )
    seats = forms.IntegerField(
        label=_("Places libres, au moins"),
        required=False,
        min_value=1,
        max_value=services.CAPACITY_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    open = forms.BooleanField(
        label=_("Ouverts seulement"), required=False, help_text=_("Maintenant, ou à la date choisie.")
    )
    equipment = forms.TypedMultipleChoiceField(
        label=_("Équipements"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, data: Any, *, cities: Sequence[str], catalogue: Iterable[Equipment]) -> None:
        super().__init__(data)
        self.catalogue = list(catalogue)
        self.fields["city"].choices = [("", _("Toutes les villes")), *((city, city) for city in cities)]  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", _("Tous les types")), *WorkspaceKind.choices]  # type: ignore[attr-defined]
        self.fields["equipment"].choices = [(item.pk, item.label) for item in self.catalogue]  # type: ignore[attr-defined]

    def _value(self, name: str) -> Any:
        # A field with a wrong value is reported next to it and left out of the search, not the whole search:
        # cleaned_data holds only the valid ones.
        self.is_valid()
        return self.cleaned_data.get(name)

    def filters(self) -> WorkspaceFilters:
        day = self._value("date")
        wants_open = bool(self._value("open"))
        return WorkspaceFilters(
            query=self._value("q") or "",
            city=self._value("city") or "",
            kind=self._value("kind") or "",
            equipment_ids=tuple(self._value("equipment") or ()),
            open_now=wants_open and day is None,
            open_on=day if wants_open else None,
            day=day,
            min_free_seats=self._value("seats"),
        )

    def active_filter_count(self) -> int:
        """How many filters of the panel are set (the name search sits outside it)."""
        filters = self.filters()
        return sum(
            [
                bool(filters.city),
                bool(filters.kind),
                len(filters.equipment_ids),
                filters.day is not None,
                filters.min_free_seats is not None,
                filters.open_now or filters.open_on is not None,
            ]
        )

    def equipment_options(self) -> list[tuple[Equipment, bool]]:
        """Each catalogue item and whether it is ticked, for the panel's checkboxes with icons."""
        chosen = {str(value) for value in (self["equipment"].value() or [])}
        return [(item, str(item.pk) in chosen) for item in self.catalogue]


class FavouriteForm(forms.Form):
    action = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")])
    # Which star to send back to htmx: the card's (an icon) or the detail page's (a labelled button).
    variant = forms.ChoiceField(choices=[("card", "card"), ("detail", "detail")], required=False)
    next = forms.CharField(required=False, max_length=2000)


# --- Console: a workspace -----------------------------------------------------------------------------------


def _timezone_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Time zones grouped by region ("Europe" → "Paris"), so that the list can be scanned."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for name, label in timezone_choices():
        region, _slash, place = label.partition("/")
        groups.setdefault(region, []).append((name, place.replace("/", " / ")))
    return list(groups.items())


class WorkspaceForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=services.NAME_MAX_LENGTH)
    kind = forms.ChoiceField(label=_("Type d'espace"), choices=WorkspaceKind.choices, initial=WorkspaceKind.OFFICE)
    capacity = forms.IntegerField(
        label=_("Capacité (places)"),
        min_value=1,
        max_value=services.CAPACITY_MAX,
        help_text=_("Le nombre de personnes que l'espace peut accueillir en même temps."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Séparez les paragraphes par une ligne vide ; commencez une ligne par « - » pour faire une liste."),
    )
    street = forms.CharField(
        label=_("Adresse"), required=False, max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    postal_code = forms.CharField(label=_("Code postal"), required=False, max_length=20)
    city = forms.CharField(label=_("Ville"), required=False, max_length=100)
    country = forms.CharField(
        label=_("Pays"),
        required=False,
        max_length=2,
        initial="FR",
        help_text=_("Code à deux lettres : FR, BE, CH…"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false", "size": 2}),
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Facultatives : elles placent l'espace exactement dans l'application de cartes."),
    )
    timezone = forms.ChoiceField(
        label=_("Fuseau horaire"),
        help_text=_("Les horaires d'ouverture sont exprimés dans ce fuseau."),
    )
    equipment = forms.TypedMultipleChoiceField(
        label=_("Équipements"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, data: Any = None, *, catalogue: Iterable[Equipment], initial: Any = None) -> None:
        super().__init__(data, initial=initial)
        self.catalogue = list(catalogue)
        self.fields["timezone"].choices = _timezone_groups()  # type: ignore[attr-defined]
        self.fields["equipment"].choices = [(item.pk, item.label) for item in self.catalogue]  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, workspace: Workspace, *, description: str, equipment_ids: Sequence[int]) -> dict[str, Any]:
        return {
            "name": workspace.name,
            "kind": workspace.kind,
            "capacity": workspace.capacity,
            "description": description,
            "street": workspace.street,
            "postal_code": workspace.postal_code,
            "city": workspace.city,
            "country": workspace.country,
            "latitude": workspace.latitude,
            "longitude": workspace.longitude,
            "timezone": workspace.timezone,
            "equipment": list(equipment_ids),
        }

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned fields as create_workspace / update_workspace take them."""
        data = dict(self.cleaned_data)
        data["equipment_ids"] = data.pop("equipment")
        return data

    def equipment_options(self) -> list[tuple[Equipment, bool]]:
        chosen = {str(value) for value in (self["equipment"].value() or [])}
        return [(item, str(item.pk) in chosen) for item in self.catalogue]


# --- Console: weekly hours ----------------------------------------------------------------------------------

_TYPED_TIME = re.compile(r"^\s*(\d{1,2})(?:\s*[:hH.]?\s*(\d{2}))?\s*[hH]?\s*$")

# Raw "HH:MM" strings per weekday, one (opens, closes) pair per row of the grid.
Rows = dict[int, list[tuple[str, str]]]


class WallTimeField(forms.CharField):
    """A wall time typed as people type it ("9", "9h", "9h30", "0930", "09:30"), cleaned to minutes.

    A text box rather than the browser's time picker: that one cannot say 24:00.
    """

    def __init__(self, *, closing: bool, **kwargs: Any) -> None:
        self.closing = closing
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 8)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"placeholder": _("hh:mm"), "autocomplete": "off", "class": "time-input"}),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        match = _TYPED_TIME.fullmatch(text)
        normalised = f"{int(match.group(1)):02d}:{match.group(2) or '00'}" if match else text
        try:
            return parse_wall_time(normalised, closing=self.closing)
        except ValueError:
            if self.closing:
                message = _("Écrivez une heure entre 00:00 et 24:00, par exemple 18:30.")
            else:
                message = _("Écrivez une heure entre 00:00 et 23:59, par exemple 08:30.")
            raise ValidationError(message, code="invalid_time") from None


@dataclass(frozen=True)
class HoursRow:
    opens: BoundField
    closes: BoundField
    number: int


@dataclass(frozen=True)
class HoursDay:
    weekday: int
    name: str
    rows: list[HoursRow]
    can_add: bool
    is_closed: bool


class OpeningHoursForm(forms.Form):
    """The weekly grid: per weekday, rows of (opens, closes); an empty row is ignored, an empty day is closed.

    The rows come from the saved intervals (`rows_from_intervals`) or from what
    was posted (`rows_from_data`), so that a page re-rendered after an error or
    after "add a row" shows exactly what was typed.
    """

    def __init__(self, data: Any = None, *, rows: Rows) -> None:
        super().__init__(data)
        self.rows = rows
        self.day_fields: dict[int, list[tuple[str, str]]] = {}
        for weekday in range(DAYS_PER_WEEK):
            day_rows = (rows.get(weekday) or [("", "")])[: services.INTERVALS_PER_DAY_MAX]
            names = []
            for slot, (opens, closes) in enumerate(day_rows):
                day_name = WEEKDAYS[weekday]
                opens_name, closes_name = f"d{weekday}-{slot}-opens", f"d{weekday}-{slot}-closes"
                self.fields[opens_name] = WallTimeField(
                    closing=False,
                    label=_("%(day)s, créneau %(number)d : ouverture") % {"day": day_name, "number": slot + 1},
                    initial=opens,
                )
                self.fields[closes_name] = WallTimeField(
                    closing=True,
                    label=_("%(day)s, créneau %(number)d : fermeture") % {"day": day_name, "number": slot + 1},
                    initial=closes,
                )
                names.append((opens_name, closes_name))
            self.day_fields[weekday] = names
        self.intervals: list[Any] = []
        # For each interval handed to the service, the fields it came from, to put its errors next to them.
        self.interval_fields: list[dict[str, str]] = []

    @staticmethod
    def rows_from_intervals(intervals: Sequence[OpeningInterval]) -> Rows:
        rows: Rows = {}
        for interval in intervals:
            rows.setdefault(interval.weekday, []).append(
                (format_wall_time(interval.opens), format_wall_time(interval.closes))
            )
        return rows

    @staticmethod
    def rows_from_data(data: Mapping[str, Any]) -> Rows:
        rows: Rows = {}
        for weekday in range(DAYS_PER_WEEK):
            for slot in range(services.INTERVALS_PER_DAY_MAX):
                opens_key, closes_key = f"d{weekday}-{slot}-opens", f"d{weekday}-{slot}-closes"
                if opens_key in data or closes_key in data:
                    rows.setdefault(weekday, []).append(
                        (str(data.get(opens_key, ""))[:8], str(data.get(closes_key, ""))[:8])
                    )
        return rows

    @staticmethod
    def with_row_added(rows: Rows, weekday: int) -> Rows:
        if not 0 <= weekday < DAYS_PER_WEEK:
            return rows
        day_rows = list(rows.get(weekday) or [("", "")])
        if len(day_rows) < services.INTERVALS_PER_DAY_MAX:
            day_rows.append(("", ""))
        return {**rows, weekday: day_rows}

    @staticmethod
    def with_monday_copied(rows: Rows) -> Rows:
        """Monday's rows on Tuesday to Friday too (the weekend keeps its own)."""
        monday = list(rows.get(0) or [("", "")])
        return {**rows, **{weekday: list(monday) for weekday in range(1, 5)}}

    def days(self) -> list[HoursDay]:
        return [
            HoursDay(
                weekday=weekday,
                name=str(WEEKDAYS[weekday]),
                rows=[
                    HoursRow(opens=self[opens], closes=self[closes], number=number)
                    for number, (opens, closes) in enumerate(names, start=1)
                ],
                can_add=len(names) < services.INTERVALS_PER_DAY_MAX,
                is_closed=not any(opens.strip() or closes.strip() for opens, closes in self.rows.get(weekday, [])),
            )
            for weekday, names in self.day_fields.items()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.intervals, self.interval_fields = [], []
        for weekday, names in self.day_fields.items():
            for opens_name, closes_name in names:
                if opens_name in self.errors or closes_name in self.errors:
                    continue
                opens, closes = cleaned.get(opens_name), cleaned.get(closes_name)
                if opens is None and closes is None:
                    continue
                if opens is None:
                    self.add_error(opens_name, _("Indiquez aussi l'heure d'ouverture."))
                    continue
                if closes is None:
                    self.add_error(closes_name, _("Indiquez aussi l'heure de fermeture (24:00 pour minuit)."))
                    continue
                self.intervals.append(WeeklyInterval(weekday=weekday, opens=opens, closes=closes))
                self.interval_fields.append({"weekday": opens_name, "opens": opens_name, "closes": closes_name})
        return cleaned


# --- Console: closures, photos, access, equipment -----------------------------------------------------------


class ClosureForm(forms.Form):
    start_date = BoundedDateField(label=_("Du"))
    end_date = BoundedDateField(
        label=_("Au (inclus)"), required=False, help_text=_("Laissez vide pour une fermeture d'un seul jour.")
    )
    reason = forms.CharField(
        label=_("Motif (facultatif)"),
        required=False,
        max_length=services.CLOSURE_REASON_MAX_LENGTH,
        help_text=_("Montré aux membres, par exemple « Fermeture de fin d'année »."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("start_date") and not cleaned.get("end_date") and "end_date" not in self.errors:
            cleaned["end_date"] = cleaned["start_date"]
        return cleaned


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files from one input; each is checked by the service (format, size, pixels), not here."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]


class PhotoUploadForm(forms.Form):
    photos = MultiplePhotoField(
        label=_("Photos"),
        error_messages={"required": _("Choisissez au moins une photo.")},
        help_text=_("JPEG, PNG, WebP ou GIF, 10 Mo au plus chacune. Vous pouvez en choisir plusieurs."),
    )
    alt_text = forms.CharField(
        label=_("Description pour les lecteurs d'écran (facultatif)"),
        required=False,
        max_length=services.ALT_TEXT_MAX_LENGTH,
        help_text=_("Ce que montrent les photos, par exemple « Open space lumineux ». Sinon, le nom de l'espace."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs.update(max_bytes_attrs(services.PHOTO_MAX_BYTES))


class PhotoAltForm(forms.Form):
    alt_text = forms.CharField(label=_("Texte alternatif"), required=False, max_length=services.ALT_TEXT_MAX_LENGTH)


class PhotoMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])

    @property
    def offset(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1


class AccessForm(forms.Form):
    restricted = forms.BooleanField(
        label=_("Réserver cet espace à certaines personnes"),
        required=False,
        help_text=_("Les autres membres ne le verront nulle part : ni dans la liste, ni dans la recherche."),
    )
    allowed_roles = forms.MultipleChoiceField(
        label=_("Rôles autorisés"), required=False, widget=forms.CheckboxSelectMultiple
    )
    allowed_members = forms.TypedMultipleChoiceField(
        label=_("Membres autorisés"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    allowed_groups = forms.TypedMultipleChoiceField(
        label=_("Groupes autorisés"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les membres du groupe au moment où ils consultent l'espace : qui quitte le groupe perd l'accès."),
    )

    def __init__(
        self, data: Any = None, *, members: Sequence[Membership], groups: Sequence[Group] = (), initial: Any = None
    ) -> None:
        super().__init__(data, initial=initial)
        self.members = list(members)
        self.groups = list(groups)
        self.fields["allowed_groups"].choices = [  # type: ignore[attr-defined]
            (group.pk, group.name) for group in self.groups
        ]
        # Admins and owners always have access: only the plain roles are a choice.
        self.fields["allowed_roles"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in Role.choices if value not in {Role.OWNER, Role.ADMIN}
        ]
        self.fields["allowed_members"].choices = [  # type: ignore[attr-defined]
            (member.user_id, member.user.display_name) for member in self.members
        ]

    def member_options(self) -> list[tuple[Membership, bool]]:
        chosen = {str(value) for value in (self["allowed_members"].value() or [])}
        return [(member, str(member.user_id) in chosen) for member in self.members]


class EquipmentForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=services.EQUIPMENT_NAME_MAX_LENGTH)
    icon = forms.ChoiceField(
        label=_("Icône"), choices=EquipmentIcon.choices, initial=EquipmentIcon.OTHER, widget=forms.RadioSelect
    )
