"""The OpenAPI schema says what the server enforces: a value the schema allows is not refused as invalid, and
a value it forbids is refused, so clients (and schemathesis, positive and negative) can trust it."""

import io
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from PIL import Image

from config.wsgi import application
from conftest import bearer
from coworklib.accounts.models import User
from coworklib.api.tests.test_schema import wsgi_in_test_transaction  # noqa: F401 - the fixture
from coworklib.community.messaging import get_or_create_direct_conversation
from coworklib.organizations.models import Organization
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.tests.factories import make_workspace


@pytest.fixture
def openapi(client: Client, db: Any) -> dict[str, Any]:
    return dict(client.get("/api/v1/openapi.json").json())


def request_body_schema(openapi: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    reference = openapi["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return dict(openapi["components"]["schemas"][reference.rsplit("/", 1)[-1]])


def query_parameter_schema(openapi: dict[str, Any], method: str, path: str, name: str) -> dict[str, Any]:
    [parameter] = [item for item in openapi["paths"][path][method]["parameters"] if item["name"] == name]
    return dict(parameter["schema"])


def schema_allows(schema: dict[str, Any], value: Any) -> bool:
    # schemathesis's own validator (JSON Schema 2020-12, ECMA-262 patterns).
    return bool(jsonschema_rs.is_valid(schema, value))


MESSAGE_BODIES = [
    "Tu viens ?",
    "  Tu viens ?  ",
    "Ligne 1\r\nLigne 2\tfin",
    "x" * 4000,
    "x" * 4001,
    "",
    "   ",
    "\n\t ",
    "\u2003",  # an em space: white space too
    "a\x01b",
    "a\x7fb",
    "a\x85b",
]


@pytest.mark.parametrize("body", MESSAGE_BODIES)
def test_a_message_body_is_refused_exactly_when_the_schema_forbids_it(
    body: str, openapi: dict[str, Any], alice: User, bob: User, acme: Organization, client: Client
) -> None:
    conversation, _created = get_or_create_direct_conversation(membership=alice.memberships.get(), other_user_id=bob.pk)
    body_schema = request_body_schema(openapi, "post", "/api/v1/conversations/{id}/messages")["properties"]["body"]

    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"body": body},
        content_type="application/json",
        headers=bearer(alice),
    )

    assert response.status_code in {201, 422}
    assert (response.status_code == 201) == schema_allows(body_schema, body), response.content
    assert conversation.messages.count() == (1 if response.status_code == 201 else 0)


def test_session_comments_declare_the_same_body_as_messages(openapi: dict[str, Any]) -> None:
    comments = request_body_schema(openapi, "post", "/api/v1/sessions/{id}/comments")
    messages = request_body_schema(openapi, "post", "/api/v1/conversations/{id}/messages")

    assert comments == messages
    assert messages["properties"]["body"]["maxLength"] == 4000
    assert messages["properties"]["body"]["minLength"] == 1


@pytest.mark.parametrize(
    "scope",
    ["organization", "me", "following", "group:999", "", "everyone", "ME", "group:", "group:abc", "group:0", "me "],
)
def test_a_whereabouts_scope_is_refused_exactly_when_the_schema_forbids_it(
    scope: str, openapi: dict[str, Any], alice: User, client: Client
) -> None:
    scope_schema = query_parameter_schema(openapi, "get", "/api/v1/organizations/{org}/whereabouts", "scope")

    response = client.get("/api/v1/organizations/acme/whereabouts", {"scope": scope}, headers=bearer(alice))

    assert response.status_code in {200, 404, 422}
    assert (response.status_code != 422) == schema_allows(scope_schema, scope), response.content


def jpeg() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_every_status_a_workspace_write_can_answer_is_documented(
    openapi: dict[str, Any], alice: User, acme: Organization, client: Client
) -> None:
    workspace = make_workspace(alice, acme, "Paris")
    membership = alice.memberships.get()
    first, _second = (workspace_services.add_photo(by=membership, workspace=workspace, upload=jpeg()) for _ in range(2))

    # One photo left out: the photos changed since the caller listed them.
    response = client.put(
        f"/api/v1/workspaces/{workspace.pk}/photos/order",
        {"photo_ids": [first.pk]},
        content_type="application/json",
        headers=bearer(alice),
    )

    assert response.status_code == 409
    assert "409" in openapi["paths"]["/api/v1/workspaces/{id}/photos/order"]["put"]["responses"]
    # A capacity below the participants of coming sessions (sessions_over_capacity).
    assert "409" in openapi["paths"]["/api/v1/workspaces/{id}"]["patch"]["responses"]


negative = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
negative.config.generation.update(modes=[schemathesis.GenerationMode.NEGATIVE])


@negative.include(
    path_regex=r"(/conversations/\{id\}/messages|/sessions/\{id\}/comments|/organizations/\{org\}/whereabouts)$",
    method=["POST", "GET"],
).parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_schema_violating_messages_and_scopes_are_refused(
    case: Any,
    wsgi_in_test_transaction: None,  # noqa: F811 - the fixture imported above
    alice: User,
) -> None:
    if case.headers:
        case.headers = {name: value for name, value in case.headers.items() if name.lower() != "host"}
    case.call_and_validate(headers=bearer(alice))
