"""Forms of the community pages: a group's name and description, and colleagues to add to it."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coworklib.accounts.models import User
from coworklib.community.models import GROUP_DESCRIPTION_MAX_LENGTH, GROUP_NAME_MAX_LENGTH
from coworklib.planning.forms import InviteForm


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Nom du groupe"), max_length=GROUP_NAME_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=GROUP_DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("À quoi sert ce groupe, en une ou deux phrases."),
    )


class GroupMembersForm(InviteForm):
    """Colleagues to add, picked in the filterable list a session's invitees use (planning/_session_people_field)."""

    def __init__(self, data: Any = None, *, colleagues: Sequence[User], **kwargs: Any) -> None:
        super().__init__(data, colleagues=colleagues, **kwargs)
        self.fields["invitees"].label = _("Ajouter des collègues")

    def clean_invitees(self) -> list[int]:
        chosen: list[int] = self.cleaned_data["invitees"]
        if not chosen:
            raise forms.ValidationError(_("Choisissez au moins un collègue."), code="required")
        return chosen


class CreateGroupForm(GroupForm, GroupMembersForm):
    """A new group: its name, description and first members (optional)."""

    def clean_invitees(self) -> list[int]:
        chosen: list[int] = self.cleaned_data["invitees"]
        return chosen
