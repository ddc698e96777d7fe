"""The personal-data registry: what each app keeps about a person, and how it gives it back or forgets it.

Every app declares, in its own ``privacy.py``, each field of each of its models
as personal or not, and registers an exporter and an eraser. A test walks
every installed model and fails on any field nobody classified, so a feature
added later cannot store something about people without saying what happens
to it on export and on deletion (STYLE.md, after pretix's shredders and Zulip's
"every table is exported or listed as not exported").
"""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q

# An exporter returns JSON-ready data about the user; an eraser removes or
# anonymises it. Both are called inside erase_user's / export_user_data's
# transaction with the user row locked.
Exporter = Callable[[Any], dict[str, Any]]
Eraser = Callable[[Any], None]
# Files to put in the export ZIP: (name inside the archive, storage name).
FileLister = Callable[[Any], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class ModelClassification:
    model: type[models.Model]
    personal: frozenset[str]
    not_personal: frozenset[str]


@dataclass
class AppDeclaration:
    label: str
    exporter: Exporter | None
    eraser: Eraser | None
    files: FileLister | None
    # Erasers run in ascending order: the account row itself is anonymised last.
    order: int
    models: list[ModelClassification] = field(default_factory=list)


_declarations: dict[str, AppDeclaration] = {}


def register(
    label: str,
    *,
    fields: dict[type[models.Model], tuple[Iterable[str], Iterable[str]]],
    exporter: Exporter | None = None,
    eraser: Eraser | None = None,
    files: FileLister | None = None,
    order: int = 100,
) -> None:
    """Declare an app's models as ``{Model: (personal field names, other field names)}``.

    ``exporter``/``eraser`` may be None only for an app that keeps nothing
    personal (every field under "other"), such as a third-party app's tables.
    """
    classifications = [
        ModelClassification(model=model, personal=frozenset(personal), not_personal=frozenset(other))
        for model, (personal, other) in fields.items()
    ]
    if any(item.personal for item in classifications) and (exporter is None or eraser is None):
        raise ValueError(f"{label} keeps personal data: it must register an exporter and an eraser")
    _declarations[label] = AppDeclaration(
        label=label, exporter=exporter, eraser=eraser, files=files, order=order, models=classifications
    )


def declarations() -> list[AppDeclaration]:
    return sorted(_declarations.values(), key=lambda declaration: (declaration.order, declaration.label))


def classification_of(model: type[models.Model]) -> ModelClassification | None:
    for declaration in _declarations.values():
        for item in declaration.models:
            if item.model is model:
                return item
    return None


def field_names(model: type[models.Model]) -> set[str]:
    """Every concrete and many-to-many field the model stores (reverse relations belong to the other side)."""
    return {
        model_field.name
        for model_field in model._meta.get_fields(include_hidden=True)
        if model_field.concrete or (model_field.many_to_many and not model_field.auto_created)
    }


def rows(queryset: Any, *fields: str) -> list[dict[str, Any]]:
    """The given columns of each row, as exporters return them (dates are turned into ISO 8601 when dumped)."""
    return [dict(row) for row in queryset.values(*fields)]


def identity_needles(user: Any) -> list[str]:
    """What names the person in text others keep: their full name and every address of theirs.

    Scrubbed in rows tied to them, or wherever it appears whole: a first name alone
    is shared by too many people to be removed from others' text.
    """
    from coworklib.accounts.selectors import email_addresses_of

    full_name = f"{user.first_name} {user.last_name}".strip()
    return sorted({*email_addresses_of(user), *([full_name] if full_name else [])}, key=len, reverse=True)


def matching_any(field: str, needles: Iterable[str]) -> Q:
    """Rows whose ``field`` holds any needle, as typed or JSON-escaped (accents as \\u00e9), case-insensitively."""
    condition = Q(pk__in=[])
    for needle in needles:
        condition |= Q(**{f"{field}__icontains": needle})
        escaped = json.dumps(needle)[1:-1]
        if escaped != needle:
            condition |= Q(**{f"{field}__icontains": escaped})
    return condition


def scrub_json_text(text: str, needles: Iterable[str], replacement: str) -> str:
    """``scrub`` for a column holding JSON as text (Django admin's change messages), or plain text."""
    try:
        data = json.loads(text)
    except ValueError:
        return str(scrub(text, needles, replacement))
    return json.dumps(scrub(data, needles, replacement))


def scrub(value: Any, needles: Iterable[str], replacement: str) -> Any:
    """``value`` (a string or JSON data) with every occurrence of each needle replaced, case-insensitively."""
    patterns = [re.compile(re.escape(needle), re.IGNORECASE) for needle in needles if needle]
    if not patterns:
        return value

    def clean(item: Any) -> Any:
        if isinstance(item, str):
            for pattern in patterns:
                item = pattern.sub(replacement, item)
            return item
        if isinstance(item, list):
            return [clean(element) for element in item]
        if isinstance(item, dict):
            return {clean(key): clean(element) for key, element in item.items()}
        return item

    return clean(value)
