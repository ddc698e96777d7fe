"""Schemathesis over the whole /api/v1 schema: no 5xx, no response that contradicts it.

Runs in process through WSGI with the real database (SQLite, then PostgreSQL in
./test). Every example gets a fresh token for Alice, an owner, so endpoints that
revoke tokens or change state do not starve later examples of a valid caller.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from config.wsgi import application
from conftest import bearer
from coworklib.accounts.models import User

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Rules JSON Schema cannot express, answered with a documented 422: an opening
# interval must open before it closes and not overlap another, and uploaded
# bytes must really be an image. Schema-valid data can therefore be refused there.
# Whether an endpoint is a push service, or a key a point on the curve, is not something JSON Schema can say.
SEMANTIC_422_OPERATIONS = {("PUT", "/opening-hours"), ("POST", "/photos"), ("POST", "/me/push-subscriptions")}


@pytest.fixture
def wsgi_in_test_transaction(db: Any) -> Iterator[None]:
    # Each WSGI call would otherwise close the test transaction's connection on
    # PostgreSQL (FIELD-NOTES: "the connection is closed").
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_never_errors_and_matches_its_schema(
    case: Any, wsgi_in_test_transaction: None, alice: User, bob: User, olivia: User
) -> None:
    semantic_422 = any(
        case.method == method and case.operation.path.endswith(suffix) for method, suffix in SEMANTIC_422_OPERATIONS
    )
    excluded = [positive_data_acceptance] if semantic_422 else []
    # A request whose Host header is empty or made up never reaches the API:
    # Django's ALLOWED_HOSTS check answers it with a plain 400 first, as it should.
    if case.headers:
        case.headers = {name: value for name, value in case.headers.items() if name.lower() != "host"}
    case.call_and_validate(headers=bearer(alice), excluded_checks=excluded)
