"""English is a full translation: every French string of the code and templates
has an English one, and the compiled catalogues match their sources."""

import gettext
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
NOT_SOURCE = (
    ".git",
    ".venv",
    ".tools",
    "var",
    "staticfiles",
    "test-artifacts",
    "__pycache__",
    "*_cache",
    ".hypothesis",
)


def catalogues(root: Path) -> list[Path]:
    return sorted(
        [*root.glob("locale/en/LC_MESSAGES/django.po"), *root.glob("coworklib/*/locale/en/LC_MESSAGES/django.po")]
    )


@dataclass
class Entry:
    msgid: str = ""
    context: str | None = None
    plural: str | None = None
    msgstr: str = ""  # the singular form for plural entries
    fuzzy: bool = False


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header and obsolete entries left out."""
    entries: list[Entry] = []
    entry, field = Entry(), ""
    for line in [*path.read_text().splitlines(), ""]:
        keyword, _, literal = line.partition(" ")
        if line.startswith("#,") and "fuzzy" in line:
            entry.fuzzy = True
        elif keyword in {"msgctxt", "msgid", "msgid_plural", "msgstr"} or keyword.startswith("msgstr["):
            field = keyword
            setattr_field(entry, field, literal)
        elif line.startswith('"') and field:
            setattr_field(entry, field, line, append=True)
        elif not line.strip():
            if entry.msgid:
                entries.append(entry)
            entry, field = Entry(), ""
    return entries


def setattr_field(entry: Entry, field: str, literal: str, *, append: bool = False) -> None:
    attribute = {"msgctxt": "context", "msgid_plural": "plural", "msgstr[0]": "msgstr"}.get(field, field)
    if field.startswith("msgstr[") and field != "msgstr[0]":
        return
    value = eval(literal)  # noqa: S307 - a .po string literal is a Python string literal
    setattr(entry, attribute, (getattr(entry, attribute) or "") + value if append else value)


@pytest.mark.parametrize("po", catalogues(ROOT), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_string_of_the_catalogue_is_translated(po: Path) -> None:
    entries = read_po(po)

    assert entries
    assert [entry.msgid for entry in entries if not entry.msgstr] == []
    assert [entry.msgid for entry in entries if entry.fuzzy] == []


@pytest.mark.parametrize("po", catalogues(ROOT), ids=lambda path: str(path.relative_to(ROOT)))
def test_the_compiled_catalogue_matches_its_source(po: Path) -> None:
    with po.with_suffix(".mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)

    for entry in read_po(po):
        if entry.plural is not None:
            compiled_text = catalogue.ngettext(entry.msgid, entry.plural, 1)
        elif entry.context is not None:
            compiled_text = catalogue.pgettext(entry.context, entry.msgid)
        else:
            compiled_text = catalogue.gettext(entry.msgid)
        assert compiled_text == entry.msgstr, f"{po.with_suffix('.mo')} is stale: run compilemessages"


def test_no_string_of_the_code_or_templates_is_missing_from_the_catalogues(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("xgettext is missing: .ci/run installs Debian's gettext package")
        pytest.skip("xgettext is missing (apt-get install gettext)")
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_SOURCE), symlinks=True)
    before = {path.relative_to(copy): {entry.msgid for entry in read_po(path)} for path in catalogues(copy)}

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--ignore=*/tests/*", "--ignore=bench/*"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "COWORKLIB_DATA_DIR": str(tmp_path / "data")},
    )

    for path in catalogues(copy):
        entries = read_po(path)
        untranslated = sorted(entry.msgid for entry in entries if not entry.msgstr or entry.fuzzy)
        assert untranslated == [], f"{path.relative_to(copy)}: run makemessages -l en and translate these"
        assert {entry.msgid for entry in entries} >= before.get(path.relative_to(copy), set())
