"""Groups: any member creates one and adds colleagues, who are told and may leave; the creator and admins
moderate; a group named by an access rule only grows through an admin; nothing crosses organizations."""

from typing import Any

import pytest
from django.test import Client

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.community import events, services
from coworklib.community.models import Group, GroupMembership
from coworklib.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import Organization
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.tests.factories import call, make_workspace, membership_of


@pytest.fixture
def dave(acme: Organization) -> User:
    return make_member(acme, "dave@acme.test", first_name="Dave", last_name="Dupont")


@pytest.fixture
def announced() -> Any:
    """The group_members_added events sent during the test."""
    received: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    events.group_members_added.connect(receiver)
    yield received
    events.group_members_added.disconnect(receiver)


def member_ids(group: Group) -> set[int]:
    return set(GroupMembership.objects.filter(group=group).values_list("user_id", flat=True))


def test_a_member_creates_a_group_with_colleagues_who_are_told(
    bob: User, dave: User, carol: User, acme: Organization, announced: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        group = services.create_group(
            membership=membership_of(bob, acme), name="  Équipe   produit ", member_ids=[dave.pk, carol.pk, dave.pk]
        )

    assert group.name == "Équipe produit"
    assert group.created_by == bob
    assert member_ids(group) == {bob.pk, dave.pk, carol.pk}
    assert announced == [
        {
            "signal": events.group_members_added,
            "group_id": group.pk,
            "by_user_id": bob.pk,
            "user_ids": [dave.pk, carol.pk],
        }
    ]
    assert AuditEntry.objects.filter(action="group.created", actor=bob).exists()


def test_a_group_with_someone_from_another_organization_is_not_created(
    bob: User, olivia: User, acme: Organization, announced: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotFound):
        services.create_group(membership=membership_of(bob, acme), name="Équipe", member_ids=[olivia.pk])
    assert not Group.objects.exists()
    assert announced == []


def test_group_names_are_unique_in_an_organization_whatever_the_case(
    bob: User, alice: User, olivia: User, acme: Organization, globex: Organization
) -> None:
    services.create_group(membership=membership_of(bob, acme), name="Design")
    with pytest.raises(Conflict) as caught:
        services.create_group(membership=membership_of(alice, acme), name="design")
    assert caught.value.code == "duplicate"
    services.create_group(membership=membership_of(olivia, globex), name="Design")  # another organization: fine


def test_a_blank_name_is_refused(bob: User, acme: Organization) -> None:
    with pytest.raises(InvalidInput):
        services.create_group(membership=membership_of(bob, acme), name="   ")


def test_only_the_creator_and_admins_moderate_a_group(bob: User, dave: User, carol: User, acme: Organization) -> None:
    group = services.create_group(membership=membership_of(bob, acme), name="Design", member_ids=[dave.pk])

    with pytest.raises(Forbidden):
        services.update_group(membership=membership_of(dave, acme), group=group, name="Mine", description="")
    with pytest.raises(Forbidden):
        services.remove_group_member(membership=membership_of(dave, acme), group=group, user_id=bob.pk)
    with pytest.raises(Forbidden):
        services.delete_group(membership=membership_of(dave, acme), group=group)

    services.update_group(membership=membership_of(carol, acme), group=group, name="Design system", description="UI")
    services.remove_group_member(membership=membership_of(carol, acme), group=group, user_id=dave.pk)
    group.refresh_from_db()
    assert (group.name, member_ids(group)) == ("Design system", {bob.pk})
    services.delete_group(membership=membership_of(carol, acme), group=group)
    assert not Group.objects.exists()


def test_any_member_may_leave(bob: User, dave: User, acme: Organization) -> None:
    group = services.create_group(membership=membership_of(bob, acme), name="Design", member_ids=[dave.pk])
    assert services.remove_group_member(membership=membership_of(dave, acme), group=group, user_id=dave.pk)
    assert member_ids(group) == {bob.pk}


def test_adding_tells_only_those_not_in_the_group_yet(
    bob: User, dave: User, carol: User, acme: Organization, announced: Any, django_capture_on_commit_callbacks: Any
) -> None:
    group = services.create_group(membership=membership_of(bob, acme), name="Design", member_ids=[dave.pk])
    with django_capture_on_commit_callbacks(execute=True):
        added = services.add_group_members(
            membership=membership_of(bob, acme), group=group, user_ids=[dave.pk, carol.pk]
        )
    assert added == [carol.pk]
    assert announced[-1]["user_ids"] == [carol.pk]


def test_only_an_admin_adds_to_a_group_an_access_rule_names(
    alice: User, bob: User, dave: User, carol: User, acme: Organization
) -> None:
    group = services.create_group(membership=membership_of(bob, acme), name="Lab")
    lab = make_workspace(alice, acme, "Lab")
    workspace_services.set_access_rule(
        by=membership_of(alice, acme), workspace=lab, restricted=True, allowed_group_ids=[group.pk]
    )

    with pytest.raises(Forbidden):
        services.add_group_members(membership=membership_of(bob, acme), group=group, user_ids=[dave.pk])
    services.add_group_members(membership=membership_of(carol, acme), group=group, user_ids=[dave.pk])
    assert member_ids(group) == {bob.pk, dave.pk}


def test_following_a_colleague_needs_them_in_the_organization(
    bob: User, dave: User, olivia: User, acme: Organization
) -> None:
    membership = membership_of(bob, acme)
    assert services.follow_member(membership=membership, user_id=dave.pk) is True
    assert services.follow_member(membership=membership, user_id=dave.pk) is False
    with pytest.raises(NotFound):
        services.follow_member(membership=membership, user_id=olivia.pk)
    with pytest.raises(InvalidInput):
        services.follow_member(membership=membership, user_id=bob.pk)


# --- API ----------------------------------------------------------------------------------------------------


def test_api_creates_a_group_as_the_contract_says(client: Client, bob: User, dave: User, acme: Organization) -> None:
    response = call(client, "POST", "/organizations/acme/groups", bob, {"name": "Design", "members": [dave.pk]})

    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Design"
    assert {member["id"] for member in body["members"]} == {bob.pk, dave.pk}
    assert body["can_manage"] is True
    assert Group.objects.get(pk=body["id"]).organization == acme


def test_api_refuses_members_of_another_organization_with_a_404(
    client: Client, bob: User, olivia: User, acme: Organization
) -> None:
    response = call(client, "POST", "/organizations/acme/groups", bob, {"name": "Design", "members": [olivia.pk]})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Group.objects.exists()


def test_api_answers_a_duplicate_name_with_a_409(client: Client, bob: User, acme: Organization) -> None:
    assert call(client, "POST", "/organizations/acme/groups", bob, {"name": "Design"}).status_code == 201
    response = call(client, "POST", "/organizations/acme/groups", bob, {"name": "DESIGN"})
    assert (response.status_code, response.json()["code"]) == (409, "duplicate")


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "x" * 81}, {"members": [1]}, {"name": "A", "members": ["1"]}])
def test_api_refuses_bad_group_input_with_a_422(client: Client, bob: User, acme: Organization, body: Any) -> None:
    response = call(client, "POST", "/organizations/acme/groups", bob, body)
    assert response.status_code == 422
    assert not Group.objects.exists()


def test_a_group_of_another_organization_is_a_404_everywhere(
    client: Client, bob: User, olivia: User, globex: Organization
) -> None:
    group = services.create_group(membership=membership_of(olivia, globex), name="Globex team")
    for method, path, body in [
        ("GET", f"/groups/{group.pk}", None),
        ("PATCH", f"/groups/{group.pk}", {"name": "Taken"}),
        ("DELETE", f"/groups/{group.pk}", None),
        ("POST", f"/groups/{group.pk}/members", {"members": [bob.pk]}),
        ("DELETE", f"/groups/{group.pk}/members/{olivia.pk}", None),
        ("GET", "/organizations/globex/groups", None),
        ("POST", "/organizations/globex/groups", {"name": "Mine"}),
    ]:
        assert call(client, method, path, bob, body).status_code == 404, (method, path)
    assert member_ids(group) == {olivia.pk}
    assert Group.objects.get(pk=group.pk).name == "Globex team"


def test_api_lists_groups_and_a_plain_member_may_not_rename_one(
    client: Client, bob: User, dave: User, acme: Organization
) -> None:
    group = services.create_group(membership=membership_of(bob, acme), name="Design", member_ids=[dave.pk])
    listing = call(client, "GET", "/organizations/acme/groups", dave).json()
    assert listing == {
        "items": [{"id": group.pk, "name": "Design", "description": "", "member_count": 2, "is_member": True}],
        "count": 1,
    }
    assert call(client, "PATCH", f"/groups/{group.pk}", dave, {"name": "Mine"}).status_code == 403
    assert call(client, "DELETE", f"/groups/{group.pk}/members/{dave.pk}", dave).status_code == 204
    assert member_ids(group) == {bob.pk}


def test_api_follows_and_unfollows_a_workspace(client: Client, alice: User, bob: User, acme: Organization) -> None:
    paris = make_workspace(alice, acme, "Paris")
    assert call(client, "POST", f"/workspaces/{paris.pk}/follow", bob).status_code == 201
    again = call(client, "POST", f"/workspaces/{paris.pk}/follow", bob)
    assert (again.status_code, again.json()) == (200, {"workspace": paris.pk, "following": True})
    assert call(client, "GET", "/organizations/acme/following/workspaces", bob).json() == {
        "items": [{"id": paris.pk, "name": "Paris"}],
        "count": 1,
    }
    assert call(client, "DELETE", f"/workspaces/{paris.pk}/follow", bob).status_code == 204
    assert call(client, "GET", "/organizations/acme/following/workspaces", bob).json()["count"] == 0


def test_a_hidden_workspace_cannot_be_followed(
    client: Client, alice: User, bob: User, olivia: User, acme: Organization, globex: Organization
) -> None:
    secret = make_workspace(alice, acme, "Direction")
    workspace_services.set_access_rule(by=membership_of(alice, acme), workspace=secret, restricted=True)
    elsewhere = make_workspace(olivia, globex, "Globex HQ")
    assert call(client, "POST", f"/workspaces/{secret.pk}/follow", bob).status_code == 404
    assert call(client, "POST", f"/workspaces/{elsewhere.pk}/follow", bob).status_code == 404
    assert not bob.workspace_follows.exists()


def test_api_follows_members_and_lists_both_directions(
    client: Client, bob: User, dave: User, olivia: User, acme: Organization
) -> None:
    assert call(client, "POST", f"/organizations/acme/members/{dave.pk}/follow", bob).status_code == 201
    assert call(client, "POST", f"/organizations/acme/members/{dave.pk}/follow", bob).status_code == 200
    assert call(client, "POST", f"/organizations/acme/members/{olivia.pk}/follow", bob).status_code == 404
    assert call(client, "POST", f"/organizations/acme/members/{bob.pk}/follow", bob).status_code == 422

    following = call(client, "GET", "/organizations/acme/following/members", bob).json()
    followers = call(client, "GET", "/organizations/acme/followers", dave).json()
    assert following["items"] == [{"id": dave.pk, "display_name": "Dave Dupont"}]
    assert followers["items"] == [{"id": bob.pk, "display_name": "Bob Bernard"}]

    assert call(client, "DELETE", f"/organizations/acme/members/{dave.pk}/follow", bob).status_code == 204
    assert call(client, "GET", "/organizations/acme/followers", dave).json()["count"] == 0


# --- Pages --------------------------------------------------------------------------------------------------


def test_a_member_creates_a_group_from_the_web_and_adds_a_colleague(
    client: Client, bob: User, dave: User, carol: User, acme: Organization
) -> None:
    client.force_login(bob)
    response = client.post("/o/acme/groups/new/", {"name": "Design", "description": "UI", "invitees": [dave.pk]})
    group = Group.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/o/acme/groups/{group.pk}/"

    page = client.get(f"/o/acme/groups/{group.pk}/")
    assert page.status_code == 200
    assert "Dave Dupont" in page.text and "Ajouter au groupe" in page.text

    client.post(f"/o/acme/groups/{group.pk}/members/", {"invitees": [carol.pk]})
    assert member_ids(group) == {bob.pk, dave.pk, carol.pk}


def test_a_duplicate_name_keeps_what_was_typed(client: Client, bob: User, acme: Organization) -> None:
    services.create_group(membership=membership_of(bob, acme), name="Design")
    client.force_login(bob)
    response = client.post("/o/acme/groups/new/", {"name": "design", "description": "Ce que j'ai écrit"})
    assert response.status_code == 409
    assert "Un groupe porte déjà ce nom" in response.text
    assert "Ce que j&#x27;ai écrit" in response.text


def test_a_member_leaves_a_group_from_its_page(client: Client, bob: User, dave: User, acme: Organization) -> None:
    group = services.create_group(membership=membership_of(bob, acme), name="Design", member_ids=[dave.pk])
    client.force_login(dave)
    page = client.get(f"/o/acme/groups/{group.pk}/")
    assert "Quitter le groupe" in page.text and "Modifier" not in page.text.split("<main", 1)[-1].split("Quitter")[0]
    response = client.post(f"/o/acme/groups/{group.pk}/members/{dave.pk}/remove/")
    assert response.status_code == 302
    assert member_ids(group) == {bob.pk}


def test_group_pages_of_another_organization_are_404(
    client: Client, bob: User, olivia: User, globex: Organization, acme: Organization
) -> None:
    group = services.create_group(membership=membership_of(olivia, globex), name="Globex team")
    client.force_login(bob)
    for path in [f"/o/acme/groups/{group.pk}/", f"/o/acme/groups/{group.pk}/edit/", f"/o/globex/groups/{group.pk}/"]:
        assert client.get(path).status_code == 404, path
    assert client.post(f"/o/acme/groups/{group.pk}/delete/").status_code == 404
    assert Group.objects.filter(pk=group.pk).exists()


def test_a_plain_member_cannot_edit_someone_elses_group(
    client: Client, bob: User, dave: User, acme: Organization
) -> None:
    group = services.create_group(membership=membership_of(bob, acme), name="Design", member_ids=[dave.pk])
    client.force_login(dave)
    assert client.get(f"/o/acme/groups/{group.pk}/edit/").status_code == 403
    client.post(f"/o/acme/groups/{group.pk}/delete/")
    assert Group.objects.filter(pk=group.pk).exists()


def test_following_a_colleague_and_a_workspace_from_their_pages(
    client: Client, alice: User, bob: User, dave: User, acme: Organization
) -> None:
    paris = make_workspace(alice, acme, "Paris")
    client.force_login(bob)

    profile = client.get(f"/o/acme/members/{dave.pk}/")
    assert profile.status_code == 200 and "Suivre" in profile.text
    client.post(f"/o/acme/members/{dave.pk}/follow/", {"action": "follow"})
    assert "Ne plus suivre" in client.get(f"/o/acme/members/{dave.pk}/").text

    detail = client.get(f"/o/acme/workspaces/{paris.pk}/")
    assert f'action="/o/acme/workspaces/{paris.pk}/follow/"' in detail.text
    client.post(f"/o/acme/workspaces/{paris.pk}/follow/", {"action": "follow", "next": "https://evil.test/"})
    assert bob.workspace_follows.filter(workspace=paris).exists()

    following = client.get("/o/acme/following/")
    assert "Paris" in following.text and "Dave Dupont" in following.text
    client.force_login(dave)
    assert "Bob Bernard" in client.get("/o/acme/following/").text


def test_a_colleague_of_another_organization_has_no_profile_here(
    client: Client, bob: User, olivia: User, acme: Organization
) -> None:
    client.force_login(bob)
    assert client.get(f"/o/acme/members/{olivia.pk}/").status_code == 404
    assert client.post(f"/o/acme/members/{olivia.pk}/follow/", {"action": "follow"}).status_code == 404
