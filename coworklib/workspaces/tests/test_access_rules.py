"""Access rules: a restricted workspace is invisible (404) to everyone it excludes, on every path."""

from typing import Any

import pytest
from django.test import Client

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.organizations.models import Organization, Role
from coworklib.workspaces import selectors, services
from coworklib.workspaces.models import Closure, Favourite, Workspace, WorkspaceAccessGrant, WorkspaceView
from coworklib.workspaces.tests.factories import call, image_bytes, make_workspace, membership_of, photo_file, upload


@pytest.fixture
def dave(acme: Organization) -> User:
    """Another plain member of Acme."""
    return make_member(acme, "dave@acme.test", Role.MEMBER, first_name="Dave", last_name="Durand")


@pytest.fixture
def vault(alice: User, acme: Organization) -> Workspace:
    """Acme's board room, restricted: only admins and owners, nobody granted."""
    workspace = make_workspace(alice, acme, "Board room vault", capacity=8, city="Paris")
    services.set_access_rule(by=membership_of(alice, acme), workspace=workspace, restricted=True)
    return workspace


def restrict(alice: User, acme: Organization, workspace: Workspace, **rule: Any) -> None:
    services.set_access_rule(by=membership_of(alice, acme), workspace=workspace, restricted=True, **rule)


def listed_names(client: Client, user: User, query: str = "") -> list[str]:
    response = call(client, "GET", f"/organizations/acme/workspaces{query}", user)
    assert response.status_code == 200
    return [item["name"] for item in response.json()["items"]]


# --- Who sees it --------------------------------------------------------------------------------------------


def test_a_restricted_workspace_is_missing_from_a_members_list(
    bob: User, paris: Workspace, vault: Workspace, client: Client
) -> None:
    response = call(client, "GET", "/organizations/acme/workspaces", bob)

    assert [item["name"] for item in response.json()["items"]] == ["Paris HQ"]
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    "query",
    ["?q=vault", "?city=Paris", "?kind=office", "?open_now=true", "?open_on=2026-12-07", "?min_free_seats=1"],
)
def test_no_search_filter_reveals_a_restricted_workspace(
    bob: User, paris: Workspace, vault: Workspace, client: Client, query: str
) -> None:
    assert "Board room vault" not in listed_names(client, bob, query)


def test_owners_and_admins_always_see_restricted_workspaces(
    alice: User, carol: User, paris: Workspace, vault: Workspace, client: Client
) -> None:
    assert listed_names(client, alice) == ["Board room vault", "Paris HQ"]
    assert listed_names(client, carol) == ["Board room vault", "Paris HQ"]
    assert call(client, "GET", f"/workspaces/{vault.pk}", carol).status_code == 200


def test_a_restricted_workspace_detail_is_404_for_a_member(bob: User, vault: Workspace, client: Client) -> None:
    response = call(client, "GET", f"/workspaces/{vault.pk}", bob)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not WorkspaceView.objects.filter(user=bob).exists()


def test_a_role_grant_lets_every_member_in(
    alice: User, acme: Organization, bob: User, dave: User, vault: Workspace, client: Client
) -> None:
    restrict(alice, acme, vault, allowed_roles=[Role.MEMBER])

    assert call(client, "GET", f"/workspaces/{vault.pk}", bob).status_code == 200
    assert "Board room vault" in listed_names(client, dave)


def test_a_named_member_sees_it_and_the_others_do_not(
    alice: User, acme: Organization, bob: User, dave: User, vault: Workspace, client: Client
) -> None:
    restrict(alice, acme, vault, allowed_member_ids=[bob.pk])

    assert call(client, "GET", f"/workspaces/{vault.pk}", bob).status_code == 200
    assert "Board room vault" in listed_names(client, bob)
    assert call(client, "GET", f"/workspaces/{vault.pk}", dave).status_code == 404
    assert "Board room vault" not in listed_names(client, dave)


def test_a_rule_change_applies_at_once(
    alice: User, acme: Organization, bob: User, vault: Workspace, client: Client
) -> None:
    assert call(client, "GET", f"/workspaces/{vault.pk}", bob).status_code == 404

    services.set_access_rule(by=membership_of(alice, acme), workspace=vault, restricted=False)
    assert call(client, "GET", f"/workspaces/{vault.pk}", bob).status_code == 200

    restrict(alice, acme, vault)
    assert call(client, "GET", f"/workspaces/{vault.pk}", bob).status_code == 404


def test_lifting_the_restriction_keeps_the_grants_for_next_time(
    alice: User, acme: Organization, bob: User, vault: Workspace
) -> None:
    restrict(alice, acme, vault, allowed_member_ids=[bob.pk])
    services.set_access_rule(
        by=membership_of(alice, acme), workspace=vault, restricted=False, allowed_member_ids=[bob.pk]
    )

    vault.refresh_from_db()
    assert vault.restricted is False
    assert WorkspaceAccessGrant.objects.filter(workspace=vault, user=bob).exists()


# --- Favourites and recently viewed do not leak it ----------------------------------------------------------


def test_a_favourite_disappears_when_a_rule_hides_the_workspace(
    alice: User, acme: Organization, bob: User, paris: Workspace, client: Client
) -> None:
    assert call(client, "POST", f"/workspaces/{paris.pk}/favourite", bob).status_code == 201

    restrict(alice, acme, paris)

    response = call(client, "GET", "/me/favourites", bob)
    assert response.json() == {"items": [], "count": 0}
    assert Favourite.objects.filter(user=bob, workspace=paris).exists()  # kept, only hidden


def test_a_favourite_comes_back_when_the_rule_is_lifted(
    alice: User, acme: Organization, bob: User, paris: Workspace, client: Client
) -> None:
    call(client, "POST", f"/workspaces/{paris.pk}/favourite", bob)
    restrict(alice, acme, paris)
    services.set_access_rule(by=membership_of(alice, acme), workspace=paris, restricted=False)

    response = call(client, "GET", "/me/favourites", bob)

    assert [item["workspace"]["id"] for item in response.json()["items"]] == [paris.pk]


def test_a_viewed_workspace_disappears_from_recently_viewed_when_hidden(
    alice: User, acme: Organization, bob: User, paris: Workspace, client: Client
) -> None:
    call(client, "GET", f"/workspaces/{paris.pk}", bob)
    assert call(client, "GET", "/me/recently-viewed", bob).json()["count"] == 1

    restrict(alice, acme, paris)

    assert call(client, "GET", "/me/recently-viewed", bob).json() == {"items": [], "count": 0}


def test_a_hidden_workspace_cannot_be_starred(bob: User, vault: Workspace, client: Client) -> None:
    response = call(client, "POST", f"/workspaces/{vault.pk}/favourite", bob)

    assert response.status_code == 404
    assert not Favourite.objects.filter(user=bob).exists()


def test_the_per_user_selector_applies_each_organizations_rule(
    alice: User, acme: Organization, bob: User, globex: Organization, olivia: User, vault: Workspace
) -> None:
    """Bob is a member of Acme (restricted vault hidden) and an admin of Globex (sees everything there)."""
    from coworklib.organizations.models import Membership

    Membership.objects.create(organization=globex, user=bob, role=Role.ADMIN)
    globex_vault = make_workspace(olivia, globex, "Globex vault", capacity=2)
    services.set_access_rule(by=membership_of(olivia, globex), workspace=globex_vault, restricted=True)

    visible = set(selectors.visible_workspaces_for_user(bob).values_list("name", flat=True))

    assert visible == {"Globex vault"}


# --- Closures, photos and the rule endpoints themselves -----------------------------------------------------


def test_closures_of_a_hidden_workspace_are_404(bob: User, vault: Workspace, client: Client) -> None:
    assert call(client, "GET", f"/workspaces/{vault.pk}/closures", bob).status_code == 404


def test_photo_endpoints_of_a_hidden_workspace_are_404_not_403(
    alice: User, acme: Organization, bob: User, vault: Workspace, client: Client
) -> None:
    services.add_photo(by=membership_of(alice, acme), workspace=vault, upload=photo_file())
    photo = vault.photos.get()

    assert upload(client, f"/workspaces/{vault.pk}/photos", bob, [photo_file(image_bytes())]).status_code == 404
    assert (
        call(client, "PUT", f"/workspaces/{vault.pk}/photos/order", bob, {"photo_ids": [photo.pk]}).status_code == 404
    )
    assert call(client, "DELETE", f"/workspaces/{vault.pk}/photos/{photo.pk}", bob).status_code == 404
    assert vault.photos.count() == 1


def test_admin_endpoints_of_a_hidden_workspace_are_404_for_a_member(
    bob: User, vault: Workspace, client: Client
) -> None:
    calls: list[tuple[str, str, Any]] = [
        ("GET", "/access", None),
        ("PUT", "/access", {"restricted": False}),
        ("PATCH", "", {"name": "Mine now"}),
        ("POST", "/archive", None),
        ("PUT", "/opening-hours", {"opening_hours": []}),
        ("POST", "/closures", {"start_date": "2026-12-24", "end_date": "2026-12-26"}),
    ]
    for method, path, body in calls:
        assert call(client, method, f"/workspaces/{vault.pk}{path}", bob, body).status_code == 404, path
    vault.refresh_from_db()
    assert (vault.name, vault.restricted, vault.archived_at) == ("Board room vault", True, None)
    assert not Closure.objects.filter(workspace=vault).exists()


def test_get_access_shows_the_rule(
    alice: User, acme: Organization, bob: User, vault: Workspace, client: Client
) -> None:
    restrict(alice, acme, vault, allowed_roles=[Role.MEMBER], allowed_member_ids=[bob.pk])

    response = call(client, "GET", f"/workspaces/{vault.pk}/access", alice)

    assert response.status_code == 200
    assert response.json() == {
        "restricted": True,
        "allowed_roles": ["member"],
        "allowed_members": [{"id": bob.pk, "display_name": "Bob Bernard"}],
        "allowed_groups": [],
    }


def test_put_access_replaces_the_rule(alice: User, bob: User, paris: Workspace, client: Client) -> None:
    response = call(
        client,
        "PUT",
        f"/workspaces/{paris.pk}/access",
        alice,
        {"restricted": True, "allowed_roles": [], "allowed_members": [bob.pk]},
    )

    assert response.status_code == 200
    assert response.json()["allowed_members"] == [{"id": bob.pk, "display_name": "Bob Bernard"}]
    paris.refresh_from_db()
    assert paris.restricted is True
    assert list(WorkspaceAccessGrant.objects.filter(workspace=paris).values_list("user_id", "role")) == [(bob.pk, "")]


def test_granting_an_outsider_is_404_and_changes_nothing(
    alice: User, olivia: User, paris: Workspace, client: Client
) -> None:
    response = call(
        client, "PUT", f"/workspaces/{paris.pk}/access", alice, {"restricted": True, "allowed_members": [olivia.pk]}
    )

    assert response.status_code == 404
    paris.refresh_from_db()
    assert paris.restricted is False
    assert not WorkspaceAccessGrant.objects.exists()


def test_an_unknown_role_is_422(alice: User, paris: Workspace, client: Client) -> None:
    response = call(
        client, "PUT", f"/workspaces/{paris.pk}/access", alice, {"restricted": True, "allowed_roles": ["guest"]}
    )

    assert response.status_code == 422
    paris.refresh_from_db()
    assert paris.restricted is False


# --- Archived workspaces ------------------------------------------------------------------------------------


def test_an_archived_workspace_is_hidden_from_members_everywhere(
    alice: User, acme: Organization, bob: User, paris: Workspace, client: Client
) -> None:
    call(client, "POST", f"/workspaces/{paris.pk}/favourite", bob)
    call(client, "GET", f"/workspaces/{paris.pk}", bob)

    services.archive_workspace(by=membership_of(alice, acme), workspace=paris)

    assert listed_names(client, bob, "?include_archived=true") == []
    assert call(client, "GET", f"/workspaces/{paris.pk}", bob).status_code == 404
    assert call(client, "GET", "/me/favourites", bob).json()["count"] == 0
    assert call(client, "GET", "/me/recently-viewed", bob).json()["count"] == 0


def test_admins_find_archived_workspaces_when_they_ask(
    alice: User, acme: Organization, paris: Workspace, client: Client
) -> None:
    services.archive_workspace(by=membership_of(alice, acme), workspace=paris)

    assert listed_names(client, alice) == []
    assert listed_names(client, alice, "?include_archived=true") == ["Paris HQ"]
    response = call(client, "GET", f"/workspaces/{paris.pk}", alice)
    assert response.status_code == 200
    assert response.json()["archived"] is True
