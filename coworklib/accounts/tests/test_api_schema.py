"""Schemathesis over the accounts endpoints: no 5xx, every answer as the schema says.

Complements the whole-schema run of coworklib/api/tests with more examples
for /auth/token and /me, whose inputs (passwords, names, time zones) are the
most varied.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from config.wsgi import application
from conftest import bearer
from coworklib.accounts.models import User

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex=r"^/api/v1/(auth/token|me)$"
)


@pytest.fixture
def wsgi_in_test_transaction(db: Any) -> Iterator[None]:
    # Each WSGI call would otherwise close the test transaction's connection
    # on PostgreSQL (FIELD-NOTES).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_accounts_endpoints_never_error_and_match_their_schema(
    case: Any, wsgi_in_test_transaction: None, bob: User
) -> None:
    # A fresh token each time: DELETE /auth/token revokes the one it is called with.
    case.call_and_validate(headers=bearer(bob))
