"""Roles × endpoints, and every endpoint against another organization's objects (STYLE.md: pretix test_permissions)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client

from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.workspaces import services
from coworklib.workspaces.models import (
    Closure,
    Equipment,
    Favourite,
    OpeningInterval,
    Workspace,
    WorkspaceAccessGrant,
    WorkspacePhoto,
    WorkspaceView,
)
from coworklib.workspaces.tests.factories import call, make_workspace, membership_of, photo_file, upload


@dataclass
class World:
    """One organization's workspace with one of everything, for the paths to point at."""

    workspace: Workspace
    closure: Closure
    photo: WorkspacePhoto
    equipment: Equipment
    org: str

    def path(self, template: str) -> str:
        return template.format(
            org=self.org,
            ws=self.workspace.pk,
            closure=self.closure.pk,
            photo=self.photo.pk,
            equipment=self.equipment.pk,
        )


def build_world(admin: User, organization: Organization, name: str) -> World:
    by = membership_of(admin, organization)
    workspace = make_workspace(admin, organization, name)
    closure = services.add_closure(
        by=by, workspace=workspace, start_date=date(2026, 12, 24), end_date=date(2026, 12, 26), reason="Noël"
    )
    photo = services.add_photo(by=by, workspace=workspace, upload=photo_file())
    equipment = Equipment.objects.filter(organization=organization).order_by("id").first()
    assert equipment is not None
    return World(workspace, closure, photo, equipment, organization.slug)


@pytest.fixture
def acme_world(alice: User, acme: Organization) -> World:
    return build_world(alice, acme, "Paris HQ")


@pytest.fixture
def globex_world(olivia: User, globex: Organization) -> World:
    return build_world(olivia, globex, "Globex Tower")


HOURS = {"opening_hours": [{"weekday": 0, "opens": "09:00", "closes": "17:00"}]}

# name, method, path, body, admin only, success status
ENDPOINTS: list[tuple[str, str, str, Any, bool, int]] = [
    ("list", "GET", "/organizations/{org}/workspaces", None, False, 200),
    ("create", "POST", "/organizations/{org}/workspaces", {"name": "New", "capacity": 3, "timezone": "UTC"}, True, 201),
    ("equipment list", "GET", "/organizations/{org}/equipment", None, False, 200),
    ("equipment create", "POST", "/organizations/{org}/equipment", {"name": "Baby-foot"}, True, 201),
    ("equipment update", "PATCH", "/organizations/{org}/equipment/{equipment}", {"icon": "other"}, True, 200),
    ("equipment delete", "DELETE", "/organizations/{org}/equipment/{equipment}", None, True, 204),
    ("detail", "GET", "/workspaces/{ws}", None, False, 200),
    ("update", "PATCH", "/workspaces/{ws}", {"capacity": 30}, True, 200),
    ("archive", "POST", "/workspaces/{ws}/archive", None, True, 200),
    ("unarchive", "POST", "/workspaces/{ws}/unarchive", None, True, 200),
    ("opening hours", "PUT", "/workspaces/{ws}/opening-hours", HOURS, True, 200),
    ("closures", "GET", "/workspaces/{ws}/closures", None, False, 200),
    (
        "add closure",
        "POST",
        "/workspaces/{ws}/closures",
        {"start_date": "2027-08-02", "end_date": "2027-08-20"},
        True,
        201,
    ),
    ("delete closure", "DELETE", "/workspaces/{ws}/closures/{closure}", None, True, 204),
    ("upload photos", "UPLOAD", "/workspaces/{ws}/photos", None, True, 201),
    ("reorder photos", "PUT", "/workspaces/{ws}/photos/order", "photo ids", True, 200),
    ("delete photo", "DELETE", "/workspaces/{ws}/photos/{photo}", None, True, 204),
    ("get access", "GET", "/workspaces/{ws}/access", None, True, 200),
    ("set access", "PUT", "/workspaces/{ws}/access", {"restricted": True, "allowed_roles": ["member"]}, True, 200),
    ("star", "POST", "/workspaces/{ws}/favourite", None, False, 201),
    ("unstar", "DELETE", "/workspaces/{ws}/favourite", None, False, 204),
]


def send(client: Client, user: User | None, world: World, method: str, path: str, body: Any) -> Any:
    if method == "UPLOAD":
        return upload(client, world.path(path), user, [photo_file()])
    if body == "photo ids":
        body = {"photo_ids": [world.photo.pk]}
    return call(client, method, world.path(path), user, body)


def snapshot() -> dict[str, Any]:
    """Everything the endpoints could change, to compare before and after a refused call."""
    return {
        "workspaces": list(Workspace.objects.order_by("pk").values()),
        "hours": list(OpeningInterval.objects.order_by("pk").values()),
        "closures": list(Closure.objects.order_by("pk").values()),
        "photos": list(WorkspacePhoto.objects.order_by("pk").values()),
        "equipment": list(Equipment.objects.order_by("pk").values()),
        "workspace equipment": list(Workspace.equipment.through.objects.order_by("pk").values()),
        "grants": list(WorkspaceAccessGrant.objects.order_by("pk").values()),
        "favourites": list(Favourite.objects.order_by("pk").values()),
        "views": list(WorkspaceView.objects.order_by("pk").values()),
    }


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "admin_only", "success"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
@pytest.mark.parametrize("role", ["owner", "admin", "member", "outsider", "anonymous"])
def test_roles_by_endpoint(
    request: pytest.FixtureRequest,
    client: Client,
    acme_world: World,
    role: str,
    name: str,
    method: str,
    path: str,
    body: Any,
    admin_only: bool,
    success: int,
) -> None:
    user = {
        "owner": "alice",
        "admin": "carol",
        "member": "bob",
        "outsider": "olivia",
        "anonymous": None,
    }[role]
    caller = request.getfixturevalue(user) if user else None
    if name == "unstar" and caller is not None:
        Favourite.objects.create(user=caller, workspace=acme_world.workspace)
    if name == "unarchive":
        acme_world.workspace.archived_at = acme_world.workspace.created_at
        acme_world.workspace.save()
    before = snapshot()

    response = send(client, caller, acme_world, method, path, body)

    expected = {
        "owner": success,
        "admin": success,
        "member": 403 if admin_only else success,
        "outsider": 404,
        "anonymous": 401,
    }[role]
    if name == "unarchive" and role == "member":
        expected = 404  # archived: members cannot see it at all
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert snapshot() == before


@pytest.mark.parametrize("path", ["/me/favourites", "/me/recently-viewed"])
def test_personal_lists_need_authentication(client: Client, acme_world: World, path: str) -> None:
    assert call(client, "GET", path, None).status_code == 401


@pytest.mark.parametrize("path", ["/me/favourites", "/me/recently-viewed"])
def test_an_outsiders_personal_lists_never_show_another_organizations_workspace(
    client: Client, acme_world: World, olivia: User, path: str
) -> None:
    Favourite.objects.create(user=olivia, workspace=acme_world.workspace)
    WorkspaceView.objects.create(user=olivia, workspace=acme_world.workspace, viewed_at=acme_world.workspace.created_at)

    response = call(client, "GET", path, olivia)

    assert response.json() == {"items": [], "count": 0}


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "admin_only", "success"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_another_organizations_objects_are_404_and_unchanged(
    client: Client,
    acme_world: World,
    globex_world: World,
    olivia: User,
    name: str,
    method: str,
    path: str,
    body: Any,
    admin_only: bool,
    success: int,
) -> None:
    """Olivia owns Globex and has every right there, but none on Acme's objects."""
    before = snapshot()

    response = send(client, olivia, acme_world, method, path, body)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert snapshot() == before


def test_another_organizations_closure_through_ones_own_workspace_is_404(
    client: Client, alice: User, acme_world: World, globex_world: World
) -> None:
    before = snapshot()

    response = call(
        client, "DELETE", f"/workspaces/{acme_world.workspace.pk}/closures/{globex_world.closure.pk}", alice
    )

    assert response.status_code == 404
    assert snapshot() == before


def test_another_organizations_photo_through_ones_own_workspace_is_404(
    client: Client, alice: User, acme_world: World, globex_world: World
) -> None:
    before = snapshot()

    deleted = call(client, "DELETE", f"/workspaces/{acme_world.workspace.pk}/photos/{globex_world.photo.pk}", alice)
    reordered = call(
        client,
        "PUT",
        f"/workspaces/{acme_world.workspace.pk}/photos/order",
        alice,
        {"photo_ids": [acme_world.photo.pk, globex_world.photo.pk]},
    )

    assert (deleted.status_code, reordered.status_code) == (404, 404)
    assert snapshot() == before


def test_another_organizations_equipment_through_ones_own_organization_is_404(
    client: Client, alice: User, acme_world: World, globex_world: World
) -> None:
    before = snapshot()

    patched = call(client, "PATCH", f"/organizations/acme/equipment/{globex_world.equipment.pk}", alice, {"name": "X"})
    deleted = call(client, "DELETE", f"/organizations/acme/equipment/{globex_world.equipment.pk}", alice)
    assigned = call(
        client, "PATCH", f"/workspaces/{acme_world.workspace.pk}", alice, {"equipment": [globex_world.equipment.pk]}
    )

    assert (patched.status_code, deleted.status_code, assigned.status_code) == (404, 404, 404)
    assert snapshot() == before


def test_ids_that_cannot_exist_are_404_or_422_never_500(client: Client, alice: User, acme_world: World) -> None:
    for path in ("/workspaces/0", "/workspaces/99999999999999999999999", "/workspaces/abc", "/workspaces/-1"):
        assert call(client, "GET", path, alice).status_code in {404, 422}, path
    assert call(client, "GET", "/workspaces/9223372036854775807", alice).status_code == 404
