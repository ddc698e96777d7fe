#!/usr/bin/env bash
# Refreshes the English catalogues from the code and templates, then compiles them.
# French is the source language: translate the empty msgstr entries it reports.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
"$PYTHON" manage.py makemessages -l en --no-obsolete --ignore="*/tests/*" --ignore="bench/*" --ignore=".tools/*" \
  --ignore="var/*" --ignore="staticfiles/*" --ignore="test-artifacts/*" >/dev/null
"$PYTHON" manage.py compilemessages -l en --ignore=".venv/*" --ignore=".tools/*" >/dev/null
for po in locale/en/LC_MESSAGES/django.po coworklib/*/locale/en/LC_MESSAGES/django.po; do
  missing=$(msgattrib --untranslated --no-wrap "$po" | grep -c '^msgid ' || true)
  fuzzy=$(msgattrib --only-fuzzy --no-wrap "$po" | grep -c '^msgid ' || true)
  # msgattrib repeats the header entry when it prints anything
  [ "$missing" -gt 0 ] && missing=$((missing - 1))
  [ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
  if [ "$missing" -gt 0 ] || [ "$fuzzy" -gt 0 ]; then echo "$po: $missing untranslated, $fuzzy fuzzy"; fi
done
