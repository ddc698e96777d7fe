"""A refused request is one log line (method, path, status, code); a server error keeps its traceback."""

import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.utils import timezone

from conftest import bearer
from coworklib.accounts.models import User
from coworklib.core.request_log import OneLineRefusals
from coworklib.organizations.models import Organization
from coworklib.workspaces.tests.factories import make_workspace


def broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a real bug")


urlpatterns = [path("broken/", broken_view)]


def in_three_days(hour: int) -> str:
    day = timezone.localdate() + timedelta(days=3)
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo("Europe/Paris")).isoformat()


def request_records(caplog: Any) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_member_refused_an_admin_page_is_one_line_without_traceback(bob: User, client: Client, caplog: Any) -> None:
    client.force_login(bob)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/o/acme/console/")

    assert response.status_code == 403
    [record] = request_records(caplog)
    assert record.getMessage() == "GET /o/acme/console/ 403 forbidden"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    ("method", "status", "code"),
    [
        ("get_access", 403, "forbidden"),
        ("outsider", 404, "not_found"),
        ("bad_session", 422, "invalid"),
        ("overbooked", 409, "capacity_exceeded"),
    ],
)
def test_api_refusals_are_one_line_with_their_code(
    method: str,
    status: int,
    code: str,
    alice: User,
    bob: User,
    olivia: User,
    acme: Organization,
    client: Client,
    caplog: Any,
) -> None:
    workspace = make_workspace(alice, acme, "Paris", capacity=1)
    calls = {
        "get_access": lambda: client.get(f"/api/v1/workspaces/{workspace.pk}/access", headers=bearer(bob)),
        "outsider": lambda: client.get(f"/api/v1/workspaces/{workspace.pk}", headers=bearer(olivia)),
        "bad_session": lambda: client.post(
            "/api/v1/sessions",
            {"workspace": workspace.pk, "start": in_three_days(10), "end": in_three_days(9)},
            content_type="application/json",
            headers=bearer(bob),
        ),
        "overbooked": lambda: [
            client.post(
                "/api/v1/sessions",
                {"workspace": workspace.pk, "start": in_three_days(9), "end": in_three_days(10)},
                content_type="application/json",
                headers=bearer(user),
            )
            for user in (alice, bob)
        ][-1],
    }

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = calls[method]()

    assert response.status_code == status
    record = request_records(caplog)[-1]
    assert record.getMessage().endswith(f" {status} {code}")
    assert record.getMessage().split(" ")[0] in {"GET", "POST"}
    assert record.exc_info is None


@pytest.mark.urls(__name__)
def test_a_server_error_keeps_its_traceback(caplog: Any, db: Any) -> None:
    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/broken/")

    assert response.status_code == 500
    [record] = request_records(caplog)
    assert record.exc_info is not None
    assert "RuntimeError: a real bug" in caplog.text


def test_the_console_handler_shortens_security_refusals_too(client: Client, caplog: Any, db: Any) -> None:
    # django.security.* records do not pass through django.request's filters: the console handler's filter
    # shortens them (as a logger's filters never see its children's records, caplog gets them whole).
    console = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(log_filter, OneLineRefusals) for log_filter in handler.filters)
    )

    with caplog.at_level(logging.ERROR, logger="django.security"):
        response = client.get("/", headers={"Host": "attacker.example"})

    assert response.status_code == 400
    [record] = [record for record in caplog.records if record.name.startswith("django.security")]
    assert record.exc_info is not None
    shown = console.filter(record)
    assert isinstance(shown, logging.LogRecord)
    line = console.format(shown)
    assert line.endswith("GET / 400 disallowed_host")
    assert "\n" not in line
    assert record.exc_info is not None  # the record itself is left as it came, for any other handler


def test_a_newline_in_the_path_cannot_forge_a_log_line(bob: User, client: Client, caplog: Any) -> None:
    client.force_login(bob)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/o/acme/console/%0A2026-01-01 INFO forged")

    [record] = request_records(caplog)
    assert "\n" not in record.getMessage()
