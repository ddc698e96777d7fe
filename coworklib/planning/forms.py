"""Web forms of sessions: they check shapes (a date, a time, ids among the choices); the rules live in the services.

Times are typed on the workspace's wall clock: `SessionTimesForm.instants`
turns the date and times into aware instants in the chosen workspace's zone,
the way the services expect them.
"""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from coworklib.accounts.models import User
from coworklib.community.models import Group
from coworklib.planning import services
from coworklib.planning.models import Visibility
from coworklib.workspaces.forms import BoundedDateField
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.opening_hours import MINUTES_PER_DAY, wall_instant

DAYS_PER_WEEK = 7


class TimeInput(forms.TimeInput):
    """The browser's time picker (a wheel on phones); its value is always HH:MM."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class MemberChoiceField(forms.TypedMultipleChoiceField):
    """Colleagues picked by id among the organization's members; shown as a filterable list of checkboxes."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)


class SessionTimesForm(forms.Form):
    """Where and when: a workspace, a date, start and end times on that workspace's clock.

    An end of 00:00 means midnight at the end of the day; `end_date` (optional,
    shown only for a session over several days) moves the end to a later date.
    """

    workspace = forms.TypedChoiceField(label=_("Espace de travail"), coerce=int)
    date = BoundedDateField(label=_("Date"))
    start_time = forms.TimeField(label=_("Début"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Fin"), widget=TimeInput)
    end_date = BoundedDateField(label=_("Date de fin"), required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=services.DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Facultatif : ce que vous y ferez, une salle, un déjeuner ensemble…"),
    )
    visibility = forms.ChoiceField(
        label=_("Qui voit cette session ?"),
        choices=Visibility.choices,
        initial=Visibility.ORGANIZATION,
        widget=forms.RadioSelect,
    )
    group = forms.TypedChoiceField(label=_("Groupe"), coerce=int, required=False, empty_value=None)

    def __init__(
        self, data: Any = None, *, workspaces: Sequence[Workspace], groups: Sequence[Group] = (), **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.workspaces = {workspace.pk: workspace for workspace in workspaces}
        self.fields["workspace"].choices = [  # type: ignore[attr-defined]
            ("", _("Choisissez un espace")),
            *((workspace.pk, _workspace_label(workspace)) for workspace in workspaces),
        ]
        # "Un groupe" is offered only to members who have one: the others could not pick any.
        self.groups = list(groups)
        self.fields["group"].choices = [  # type: ignore[attr-defined]
            ("", _("Choisissez un groupe")),
            *((group.pk, group.name) for group in self.groups),
        ]
        if not self.groups:
            self.fields["visibility"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in Visibility.choices if value != Visibility.GROUP
            ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("visibility") == Visibility.GROUP and not cleaned.get("group"):
            self.add_error("group", _("Choisissez le groupe qui verra cette session."))
        day, start_time, end_time = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        end_day = cleaned.get("end_date") or day
        if day and end_day and end_day < day:
            self.add_error("end_date", _("La date de fin doit suivre la date de début."))
        elif day and end_day and start_time and end_time:
            start_minute, end_minute = _minutes(start_time), _minutes(end_time)
            if end_minute == 0 and end_day == day:
                end_minute = MINUTES_PER_DAY  # 00:00 as an end: midnight tonight
            end_minute += (end_day - day).days * MINUTES_PER_DAY
            if end_minute <= start_minute:
                self.add_error("end_time", _("La fin doit être après le début."))
            cleaned["start_minute"], cleaned["end_minute"] = start_minute, end_minute
        return cleaned

    def booking(self) -> tuple[Workspace, datetime, datetime]:
        """The chosen workspace, and start and end as aware instants read on its clock (a valid form only)."""
        workspace = self.workspaces[self.cleaned_data["workspace"]]
        zone = ZoneInfo(workspace.timezone)
        day: date = self.cleaned_data["date"]
        return (
            workspace,
            wall_instant(zone, day, self.cleaned_data["start_minute"]),
            wall_instant(zone, day, self.cleaned_data["end_minute"]),
        )


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _workspace_label(workspace: Workspace) -> str:
    return f"{workspace.name} · {workspace.city}" if workspace.city else workspace.name


class PlanSessionForm(SessionTimesForm):
    """A new session: where, when, who, and optionally the same hours every week until a date."""

    invitees = MemberChoiceField(label=_("Inviter des collègues"))
    repeat = forms.BooleanField(label=_("Répéter chaque semaine"), required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Les jours"),
        required=False,
        coerce=int,
        choices=[(day, WEEKDAYS[day]) for day in range(DAYS_PER_WEEK)],
        widget=forms.CheckboxSelectMultiple,
    )
    until = BoundedDateField(label=_("Jusqu'au"), required=False)

    def __init__(
        self, data: Any = None, *, workspaces: Sequence[Workspace], colleagues: Sequence[User], **kwargs: Any
    ) -> None:
        super().__init__(data, workspaces=workspaces, **kwargs)
        self.colleagues = list(colleagues)
        self.fields["invitees"].choices = [  # type: ignore[attr-defined]
            (user.pk, user.display_name) for user in self.colleagues
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("repeat"):
            if not cleaned.get("weekdays"):
                self.add_error("weekdays", _("Choisissez au moins un jour de la semaine."))
            if not cleaned.get("until"):
                self.add_error("until", _("Indiquez jusqu'à quand répéter la session."))
        return cleaned

    def colleague_options(self) -> list[tuple[User, bool]]:
        chosen = {str(value) for value in (self["invitees"].value() or [])}
        return [(user, str(user.pk) in chosen) for user in self.colleagues]

    def weekday_options(self) -> list[tuple[int, str, bool]]:
        chosen = {str(value) for value in (self["weekdays"].value() or [])}
        return [(day, str(WEEKDAYS[day]), str(day) in chosen) for day in range(DAYS_PER_WEEK)]


class EditSessionForm(SessionTimesForm):
    """Move, extend or shorten a session, or change its description and visibility."""

    @classmethod
    def initial_for(
        cls,
        *,
        workspace: Workspace,
        start: datetime,
        end: datetime,
        description: str,
        visibility: str,
        group_id: int | None = None,
    ) -> dict[str, Any]:
        zone = ZoneInfo(workspace.timezone)
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        end_day = local_end.date()
        if local_end.time() == time(0) and end_day == local_start.date() + timedelta(days=1):
            end_day = local_start.date()  # ends at midnight: shown as 00:00 on the same day
        return {
            "workspace": workspace.pk,
            "date": local_start.date(),
            "start_time": local_start.time(),
            "end_time": local_end.time(),
            "end_date": end_day if end_day != local_start.date() else None,
            "description": description,
            "visibility": visibility,
            "group": group_id,
        }


class InviteForm(forms.Form):
    invitees = MemberChoiceField(label=_("Qui inviter ?"))

    def __init__(self, data: Any = None, *, colleagues: Sequence[User], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.colleagues = list(colleagues)
        self.fields["invitees"].choices = [  # type: ignore[attr-defined]
            (user.pk, user.display_name) for user in self.colleagues
        ]

    def clean_invitees(self) -> list[int]:
        invitees: list[int] = self.cleaned_data["invitees"]
        if not invitees:
            raise ValidationError(_("Choisissez au moins une personne à inviter."), code="required")
        return invitees

    def colleague_options(self) -> list[tuple[User, bool]]:
        chosen = {str(value) for value in (self["invitees"].value() or [])}
        return [(user, str(user.pk) in chosen) for user in self.colleagues]


class CalendarFeedForm(forms.Form):
    action = forms.ChoiceField(choices=[("reset", "reset"), ("revoke", "revoke")])
