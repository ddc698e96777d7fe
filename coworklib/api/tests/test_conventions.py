"""The conventions of API.md that hold for every endpoint."""

import json
from typing import Any

from django.test import Client

from conftest import bearer
from coworklib.accounts.models import User
from coworklib.workspaces.tests.factories import make_workspace


def test_openapi_schema_is_served_and_names_the_contract_paths(db: Any, client: Client) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/auth/token", "/api/v1/me", "/api/v1/organizations/{org}/members"):
        assert path in paths


def test_interactive_docs_are_served(db: Any, client: Client) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 200


def test_unauthenticated_call_is_401_with_the_error_shape(db: Any, client: Client) -> None:
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json() == {"detail": response.json()["detail"], "code": "not_authenticated"}
    assert response.json()["detail"]


def test_an_unknown_bearer_token_is_401(db: Any, client: Client) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer cwl_not-a-real-token"})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_error_detail_follows_accept_language(db: Any, client: Client) -> None:
    french = client.get("/api/v1/me", headers={"Accept-Language": "fr"}).json()["detail"]
    english = client.get("/api/v1/me", headers={"Accept-Language": "en"}).json()["detail"]

    assert french != english
    assert english == "Authentication required."


def test_malformed_json_is_a_422_not_a_500(alice: User, client: Client) -> None:
    response = client.patch("/api/v1/me", data="{not json", content_type="application/json", headers=bearer(alice))

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_wrongly_typed_field_is_a_422_with_field_errors(alice: User, client: Client) -> None:
    response = client.patch(
        "/api/v1/me", data=json.dumps({"first_name": {"x": 1}}), content_type="application/json", headers=bearer(alice)
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert isinstance(body["detail"], str)
    assert body["errors"]
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_oversized_body_is_refused_without_a_500(alice: User, client: Client) -> None:
    huge = json.dumps({"first_name": "x" * (3 * 1024 * 1024)})

    response = client.patch("/api/v1/me", data=huge, content_type="application/json", headers=bearer(alice))

    assert response.status_code in {413, 422}
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_session_cookie_works_for_same_origin_reads(alice: User, client: Client) -> None:
    client.force_login(alice)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["email"] == "alice@acme.test"


def test_session_cookie_writes_need_the_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.patch("/api/v1/me", data=json.dumps({"first_name": "Eve"}), content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_lists_are_paginated_with_items_and_count(alice: User, client: Client) -> None:
    response = client.get("/api/v1/organizations/acme/members?limit=1&offset=0", headers=bearer(alice))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count"}
    assert len(body["items"]) == 1


def test_negative_or_huge_pagination_values_are_422(alice: User, client: Client) -> None:
    for query in ("limit=-1", "offset=-5", "limit=100000", "limit=abc"):
        response = client.get(f"/api/v1/organizations/acme/members?{query}", headers=bearer(alice))

        assert response.status_code == 422, query
        assert response.json()["code"] == "invalid"


def test_interactive_docs_load_nothing_from_a_third_party_host(db: Any, client: Client) -> None:
    html = client.get("/api/v1/docs").content.decode()

    assert "cdn" not in html.lower()
    assert "https://" not in html and "http://" not in html


def test_a_multipart_body_without_boundary_is_a_422_in_the_error_shape(alice: User, client: Client) -> None:
    workspace = make_workspace(alice, alice.memberships.get().organization, "Paris", capacity=4)

    response = client.generic(
        "POST",
        f"/api/v1/workspaces/{workspace.pk}/photos",
        b"xx",
        content_type="multipart/form-data",
        headers=bearer(alice),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert not workspace.photos.exists()
