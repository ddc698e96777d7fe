import re
from pathlib import Path

import pytest

from coworklib.core.env import EnvError, envbool, envint, parse_database_url, parse_email_url

ROOT = Path(__file__).resolve().parents[3]


def test_every_environment_variable_read_by_the_settings_is_documented_in_the_readme() -> None:
    settings_source = (ROOT / "config" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()

    names = set(re.findall(r'env(?:str|bool|int|list)\(\s*"([A-Z_]+)"', settings_source))

    assert names, "the settings read no variable: the pattern above is out of date"
    undocumented = sorted(name for name in names if f"`{name}`" not in readme)
    assert undocumented == []


def test_a_bad_boolean_stops_the_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "perhaps")

    with pytest.raises(EnvError, match="SOME_FLAG"):
        envbool("SOME_FLAG", False)


def test_a_bad_integer_stops_the_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_NUMBER", "twelve")

    with pytest.raises(EnvError, match="SOME_NUMBER"):
        envint("SOME_NUMBER", 3)


def test_a_value_can_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "flag"
    secret.write_text("true\n")
    monkeypatch.setenv("SOME_FLAG_FILE", str(secret))

    assert envbool("SOME_FLAG", False) is True


def test_postgres_urls_are_parsed_with_their_credentials() -> None:
    database = parse_database_url("postgres://app:s%40cret@db.internal:6543/coworklib")

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["USER"], database["PASSWORD"], database["HOST"], database["PORT"], database["NAME"]) == (
        "app",
        "s@cret",
        "db.internal",
        "6543",
        "coworklib",
    )


def test_an_unknown_database_scheme_is_refused() -> None:
    with pytest.raises(EnvError):
        parse_database_url("mysql://root@localhost/x")


def test_smtp_urls_become_a_mailer_with_tls() -> None:
    mailer = parse_email_url("smtp+tls://user:pw@smtp.example.com:587")

    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] == {
        "host": "smtp.example.com",
        "port": 587,
        "use_tls": True,
        "use_ssl": False,
        "timeout": 20,
        "username": "user",
        "password": "pw",
    }
