"""The throwaway database the benchmarks run on: SQLite in a temporary folder, or a PostgreSQL database whose
name contains "bench" (its schema is dropped and rebuilt)."""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def configure(database_url: str, data_dir: str) -> str:
    """Point Django at the throwaway database and start it; returns its description for the report."""
    os.environ["COWORKLIB_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.pop("COWORKLIB_TESTING", None)
    if database_url:
        name = urlsplit(database_url).path.lstrip("/")
        if "bench" not in name:
            sys.exit(f"refusing to wipe database {name!r}: its name must contain 'bench'")
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]} ({name})"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} ({data_dir})"
