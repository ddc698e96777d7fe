"""Sessions shown to a group: services, API, pages and who is where."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.community.models import Group, GroupMembership, MemberFollow
from coworklib.core.errors import InvalidInput, NotFound
from coworklib.organizations.models import Organization, Role
from coworklib.planning import selectors, services
from coworklib.planning.models import Session, Visibility
from coworklib.planning.tests.factories import NEXT_MONDAY, at, book
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import call, membership_of

# On the real clock: a Monday ahead of today, whatever day the tests run.
TUESDAY = NEXT_MONDAY + timedelta(days=1)
MONDAY_9 = at(NEXT_MONDAY, 9).isoformat()
MONDAY_17 = at(NEXT_MONDAY, 17).isoformat()


def make_group(organization: Organization, name: str, *members: User) -> Group:
    group = Group.objects.create(organization=organization, name=name, created_by=members[0] if members else None)
    for user in members:
        GroupMembership.objects.create(group=group, user=user)
    return group


@pytest.fixture
def dave(acme: Organization) -> User:
    return make_member(acme, "dave@acme.test", Role.MEMBER, first_name="Dave", last_name="Durand")


@pytest.fixture
def team(acme: Organization, bob: User, carol: User) -> Group:
    """Bob and Carol's group."""
    return make_group(acme, "Équipe produit", bob, carol)


@pytest.fixture
def group_session(bob: User, acme: Organization, paris: Workspace, team: Group) -> Session:
    return book(bob, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17), visibility=Visibility.GROUP, group=team)


# --- Services -------------------------------------------------------------------------------------------------


def test_a_group_session_remembers_its_group(group_session: Session, team: Group) -> None:
    group_session.refresh_from_db()
    assert (group_session.visibility, group_session.group_id) == ("group", team.pk)


def test_a_group_session_needs_a_group(bob: User, acme: Organization, paris: Workspace) -> None:
    with pytest.raises(InvalidInput) as refusal:
        book(bob, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17), visibility=Visibility.GROUP)
    assert refusal.value.extra["errors"][0]["loc"] == ["group"]
    assert not Session.objects.exists()


def test_a_group_of_another_organization_is_not_found(
    bob: User, acme: Organization, globex: Organization, olivia: User, paris: Workspace
) -> None:
    theirs = make_group(globex, "Globex", olivia)
    with pytest.raises(NotFound):
        book(bob, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17), visibility=Visibility.GROUP, group=theirs.pk)
    assert not Session.objects.exists()


def test_the_organizer_must_belong_to_the_group(dave: User, acme: Organization, paris: Workspace, team: Group) -> None:
    with pytest.raises(InvalidInput) as refusal:
        book(dave, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17), visibility=Visibility.GROUP, group=team)
    assert refusal.value.code == "not_in_group"
    assert not Session.objects.exists()


def test_an_admin_may_pick_any_group_of_the_organization(
    alice: User, acme: Organization, paris: Workspace, team: Group
) -> None:
    session = book(alice, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17), visibility="group", group=team.pk)
    assert session.group_id == team.pk


def test_the_group_is_cleared_for_another_visibility(
    bob: User, acme: Organization, paris: Workspace, team: Group
) -> None:
    session = book(bob, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17), visibility="invited", group=team)
    assert session.group_id is None


def test_recurring_sessions_share_the_group(bob: User, acme: Organization, paris: Workspace, team: Group) -> None:
    result = services.create_recurring_sessions(
        by=membership_of(bob, acme),
        workspace=paris,
        start=at(NEXT_MONDAY, 9),
        end=at(NEXT_MONDAY, 12),
        weekdays=[0, 1],
        until=TUESDAY,
        visibility="group",
        group=team,
    )
    assert {session.group_id for session in result.sessions} == {team.pk}


def test_changing_the_group_announces_visibility(
    bob: User, acme: Organization, group_session: Session, django_capture_on_commit_callbacks: Any
) -> None:
    other = make_group(acme, "Autre", bob)
    from coworklib.planning import events

    heard: list[Any] = []

    def listener(**kwargs: Any) -> None:
        heard.append(kwargs["changes"])

    events.session_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.update_session(by=membership_of(bob, acme), session=group_session, group=other.pk)
    finally:
        events.session_changed.disconnect(listener)
    group_session.refresh_from_db()
    assert group_session.group_id == other.pk
    assert heard == [["visibility"]]


def test_leaving_group_visibility_clears_the_group(bob: User, acme: Organization, group_session: Session) -> None:
    services.update_session(by=membership_of(bob, acme), session=group_session, visibility="organization")
    group_session.refresh_from_db()
    assert (group_session.visibility, group_session.group_id) == ("organization", None)


def test_switching_to_group_without_one_is_refused(bob: User, acme: Organization, paris: Workspace) -> None:
    session = book(bob, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17))
    with pytest.raises(InvalidInput):
        services.update_session(by=membership_of(bob, acme), session=session, visibility="group")
    session.refresh_from_db()
    assert session.visibility == "organization"


# --- Who sees it ----------------------------------------------------------------------------------------------


def test_group_members_organizer_and_participants_see_it_others_do_not(
    acme: Organization, bob: User, carol: User, dave: User, group_session: Session
) -> None:
    assert selectors.visible_sessions(membership_of(carol, acme)).filter(pk=group_session.pk).exists()
    assert selectors.visible_sessions(membership_of(bob, acme)).filter(pk=group_session.pk).exists()
    assert not selectors.visible_sessions(membership_of(dave, acme)).filter(pk=group_session.pk).exists()
    services.invite_to_session(by=membership_of(bob, acme), session=group_session, user_ids=[dave.pk])
    assert selectors.visible_sessions(membership_of(dave, acme)).filter(pk=group_session.pk).exists()


def test_a_member_removed_from_the_group_no_longer_sees_it(
    acme: Organization, carol: User, team: Group, group_session: Session
) -> None:
    GroupMembership.objects.filter(group=team, user=carol).delete()
    assert not selectors.visible_sessions(membership_of(carol, acme)).filter(pk=group_session.pk).exists()


def test_api_a_non_member_gets_404_then_sees_it_once_added(
    client: Client, acme: Organization, dave: User, team: Group, group_session: Session, paris: Workspace
) -> None:
    assert call(client, "GET", f"/sessions/{group_session.pk}", dave).status_code == 404
    listed = call(client, "GET", f"/workspaces/{paris.pk}/sessions?date={NEXT_MONDAY}", dave).json()
    assert listed["count"] == 0
    people = call(client, "GET", f"/organizations/acme/whereabouts?week={NEXT_MONDAY}", dave).json()
    assert all(not day["workspaces"] for day in people["days"])

    GroupMembership.objects.create(group=team, user=dave)
    response = call(client, "GET", f"/sessions/{group_session.pk}", dave)
    assert response.status_code == 200
    assert response.json()["group"] == {"id": team.pk, "name": "Équipe produit"}
    assert response.json()["visibility"] == "group"
    assert call(client, "GET", f"/workspaces/{paris.pk}/sessions?date={NEXT_MONDAY}", dave).json()["count"] == 1


def test_api_create_with_group(client: Client, bob: User, paris: Workspace, team: Group) -> None:
    body = {"workspace": paris.pk, "start": MONDAY_9, "end": MONDAY_17, "visibility": "group", "group": team.pk}
    response = call(client, "POST", "/sessions", bob, body)
    assert response.status_code == 201, response.content
    assert response.json()["group"] == {"id": team.pk, "name": team.name}
    assert Session.objects.get().group_id == team.pk


def test_api_create_group_errors(
    client: Client, bob: User, dave: User, olivia: User, globex: Organization, paris: Workspace, team: Group
) -> None:
    body: dict[str, Any] = {"workspace": paris.pk, "start": MONDAY_9, "end": MONDAY_17, "visibility": "group"}
    missing = call(client, "POST", "/sessions", bob, body)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["loc"] == ["group"]
    theirs = make_group(globex, "Globex", olivia)
    assert call(client, "POST", "/sessions", bob, {**body, "group": theirs.pk}).status_code == 404
    outsider = call(client, "POST", "/sessions", dave, {**body, "group": team.pk})
    assert outsider.status_code == 422
    assert outsider.json()["code"] == "not_in_group"
    assert not Session.objects.exists()


def test_api_recurring_with_group(client: Client, bob: User, paris: Workspace, team: Group) -> None:
    body = {
        "workspace": paris.pk,
        "start": MONDAY_9,
        "end": MONDAY_17,
        "weekdays": [0, 2],
        "until": (NEXT_MONDAY + timedelta(days=2)).isoformat(),
        "visibility": "group",
        "group": team.pk,
    }
    response = call(client, "POST", "/sessions/recurring", bob, body)
    assert response.status_code == 201, response.content
    assert [s["group"]["id"] for s in response.json()["sessions"]] == [team.pk, team.pk]


def test_api_patch_group(client: Client, bob: User, acme: Organization, group_session: Session) -> None:
    other = make_group(acme, "Autre", bob)
    response = call(client, "PATCH", f"/sessions/{group_session.pk}", bob, {"group": other.pk})
    assert response.status_code == 200, response.content
    assert response.json()["group"]["id"] == other.pk
    response = call(client, "PATCH", f"/sessions/{group_session.pk}", bob, {"visibility": "organization"})
    assert response.json()["group"] is None
    group_session.refresh_from_db()
    assert group_session.group_id is None


def test_api_patch_group_of_another_organization_is_404(
    client: Client, bob: User, globex: Organization, olivia: User, group_session: Session, team: Group
) -> None:
    theirs = make_group(globex, "Globex", olivia)
    assert call(client, "PATCH", f"/sessions/{group_session.pk}", bob, {"group": theirs.pk}).status_code == 404
    group_session.refresh_from_db()
    assert group_session.group_id == team.pk


# --- Pages ----------------------------------------------------------------------------------------------------


def test_plan_page_offers_my_groups_only_when_i_have_some(
    client: Client, bob: User, dave: User, team: Group, paris: Workspace
) -> None:
    client.force_login(bob)
    page = client.get("/o/acme/sessions/new/").content.decode()
    assert "Un groupe" in page and "Équipe produit" in page
    client.force_login(dave)
    page = client.get("/o/acme/sessions/new/").content.decode()
    assert "Un groupe" not in page


def _plan_data(paris: Workspace, **extra: Any) -> dict[str, Any]:
    return {
        "workspace": paris.pk,
        "date": NEXT_MONDAY.isoformat(),
        "start_time": "09:00",
        "end_time": "17:00",
        "visibility": "group",
        "description": "Atelier",
        **extra,
    }


def test_plan_page_creates_a_group_session(client: Client, bob: User, paris: Workspace, team: Group) -> None:
    client.force_login(bob)
    response = client.post("/o/acme/sessions/new/", _plan_data(paris, group=team.pk))
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.group_id == team.pk
    detail = client.get(response["Location"]).content.decode()
    assert "Visible par le groupe Équipe produit" in detail


def test_plan_page_without_a_group_keeps_what_was_typed(
    client: Client, bob: User, paris: Workspace, team: Group
) -> None:
    client.force_login(bob)
    response = client.post("/o/acme/sessions/new/", _plan_data(paris))
    assert response.status_code == 422
    assert "Choisissez le groupe qui verra cette session." in response.content.decode()
    assert "Atelier" in response.content.decode()
    assert not Session.objects.exists()


def test_edit_page_changes_the_group(client: Client, bob: User, acme: Organization, group_session: Session) -> None:
    other = make_group(acme, "Autre groupe", bob)
    client.force_login(bob)
    page = client.get(f"/o/acme/sessions/{group_session.pk}/edit/").content.decode()
    assert "Autre groupe" in page
    response = client.post(
        f"/o/acme/sessions/{group_session.pk}/edit/",
        {**_plan_data(group_session.workspace), "group": other.pk, "description": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    group_session.refresh_from_db()
    assert group_session.group_id == other.pk


def test_session_page_of_a_group_session_is_404_for_a_non_member(
    client: Client, dave: User, group_session: Session
) -> None:
    client.force_login(dave)
    assert client.get(f"/o/acme/sessions/{group_session.pk}/").status_code == 404


# --- Who is where scopes --------------------------------------------------------------------------------------


@pytest.fixture
def three_sessions(
    acme: Organization, alice: User, bob: User, carol: User, paris: Workspace, small_room: Workspace
) -> dict[str, Session]:
    return {
        "alice": book(alice, acme, paris, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17)),
        "bob": book(bob, acme, paris, at(TUESDAY, 9), at(TUESDAY, 17)),
        "carol": book(carol, acme, small_room, at(NEXT_MONDAY, 9), at(NEXT_MONDAY, 17)),
    }


def _names(body: dict[str, Any]) -> set[str]:
    return {
        person["user"]["display_name"]
        for day in body["days"]
        for place in day["workspaces"]
        for person in place["people"]
    }


def _ids(body: dict[str, Any]) -> set[int]:
    return {person["user"]["id"] for day in body["days"] for place in day["workspaces"] for person in place["people"]}


def test_api_whereabouts_scopes(
    client: Client,
    acme: Organization,
    alice: User,
    bob: User,
    carol: User,
    team: Group,
    three_sessions: dict[str, Session],
) -> None:
    base = f"/organizations/acme/whereabouts?week={NEXT_MONDAY}"
    assert _ids(call(client, "GET", base, alice).json()) == {alice.pk, bob.pk, carol.pk}
    assert _ids(call(client, "GET", base + "&scope=me", alice).json()) == {alice.pk}
    MemberFollow.objects.create(organization=acme, follower=alice, followed=carol)
    assert _ids(call(client, "GET", base + "&scope=following", alice).json()) == {alice.pk, carol.pk}
    assert _ids(call(client, "GET", base + f"&scope=group:{team.pk}", alice).json()) == {bob.pk, carol.pk}


def test_api_whereabouts_scope_errors(
    client: Client, alice: User, olivia: User, globex: Organization, three_sessions: dict[str, Session]
) -> None:
    base = f"/organizations/acme/whereabouts?week={NEXT_MONDAY}"
    assert call(client, "GET", base + "&scope=everyone", alice).status_code == 422
    # Not a scope the schema allows (everyone, following, group:<id>): invalid input, as the OpenAPI says.
    assert call(client, "GET", base + "&scope=group:abc", alice).status_code == 422
    theirs = make_group(globex, "Globex", olivia)
    assert call(client, "GET", base + f"&scope=group:{theirs.pk}", alice).status_code == 404


def test_whereabouts_page_offers_following_and_my_groups(
    client: Client, acme: Organization, alice: User, bob: User, carol: User, three_sessions: dict[str, Session]
) -> None:
    team = make_group(acme, "Les amis d'Alice", alice, carol)
    client.force_login(alice)
    page = client.get(f"/o/acme/whereabouts/?week={NEXT_MONDAY}").content.decode()
    assert "Personnes que je suis" in page and "Les amis d&#x27;Alice" in page
    scoped = client.get(f"/o/acme/whereabouts/?week={NEXT_MONDAY}&scope=group:{team.pk}").content.decode()
    assert "Carol" in scoped and bob.display_name not in scoped
    MemberFollow.objects.create(organization=acme, follower=alice, followed=bob)
    following = client.get(f"/o/acme/whereabouts/?week={NEXT_MONDAY}&scope=following").content.decode()
    assert bob.display_name in following and carol.display_name not in following


def test_whereabouts_hide_a_group_session_from_non_members(
    client: Client, dave: User, group_session: Session, bob: User
) -> None:
    client.force_login(dave)
    page = client.get(f"/o/acme/whereabouts/?week={NEXT_MONDAY}").content.decode()
    assert bob.display_name not in page
