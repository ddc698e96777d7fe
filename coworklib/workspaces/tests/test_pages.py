"""The web pages of workspaces: who may open them, what they change, and what they show."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import Organization, Role
from coworklib.workspaces import services
from coworklib.workspaces.models import (
    Closure,
    Equipment,
    EquipmentIcon,
    Favourite,
    OpeningInterval,
    Workspace,
    WorkspaceAccessGrant,
    WorkspacePhoto,
    WorkspaceView,
)
from coworklib.workspaces.opening_hours import WeeklyInterval
from coworklib.workspaces.tests.factories import (
    image_bytes,
    make_workspace,
    membership_of,
    photo_file,
    populate_workspaces,
)

PARIS = ZoneInfo("Europe/Paris")
MONDAY_10AM = datetime(2026, 12, 7, 10, tzinfo=PARIS)
MONDAY_9PM = datetime(2026, 12, 7, 21, tzinfo=PARIS)


@pytest.fixture
def photo(paris: Workspace, alice: User, acme: Organization) -> WorkspacePhoto:
    return services.add_photo(by=membership_of(alice, acme), workspace=paris, upload=photo_file())


@pytest.fixture
def closure(paris: Workspace, alice: User, acme: Organization) -> Closure:
    return services.add_closure(
        by=membership_of(alice, acme),
        workspace=paris,
        start_date=date(2026, 12, 24),
        end_date=date(2027, 1, 1),
        reason="Fin d'année",
    )


@pytest.fixture
def world(paris: Workspace, photo: WorkspacePhoto, closure: Closure, catalogue: dict[str, Equipment]) -> dict[str, Any]:
    """Acme's objects every page of the matrix needs, by the name the URLs use."""
    return {"workspace": paris.pk, "photo": photo.pk, "closure": closure.pk, "equipment": catalogue["wifi"].pk}


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


# --- Who may open what ---------------------------------------------------------------------------------------

MEMBER_PAGES = [
    "/o/acme/workspaces/",
    "/o/acme/workspaces/favourites/",
    "/o/acme/workspaces/recent/",
    "/o/acme/workspaces/{workspace}/",
]
ADMIN_PAGES = [
    "/o/acme/console/workspaces/",
    "/o/acme/console/workspaces/new/",
    "/o/acme/console/workspaces/{workspace}/",
    "/o/acme/console/workspaces/{workspace}/photos/",
    "/o/acme/console/workspaces/{workspace}/hours/",
    "/o/acme/console/workspaces/{workspace}/closures/",
    "/o/acme/console/workspaces/{workspace}/access/",
    "/o/acme/console/equipment/",
]
MEMBER_POSTS = [
    ("/o/acme/workspaces/{workspace}/favourite/", {"action": "add"}),
]
ADMIN_POSTS = [
    ("/o/acme/console/workspaces/new/", {"name": "Intrus", "kind": "office", "capacity": "3", "timezone": "UTC"}),
    (
        "/o/acme/console/workspaces/{workspace}/",
        {"name": "Intrus", "kind": "office", "capacity": "3", "timezone": "UTC"},
    ),
    ("/o/acme/console/workspaces/{workspace}/archive/", {}),
    ("/o/acme/console/workspaces/{workspace}/unarchive/", {}),
    ("/o/acme/console/workspaces/{workspace}/photos/", {"alt_text": "x"}),
    ("/o/acme/console/workspaces/{workspace}/photos/{photo}/", {"photo{photo}-alt_text": "Intrus"}),
    ("/o/acme/console/workspaces/{workspace}/photos/{photo}/move/", {"direction": "down"}),
    ("/o/acme/console/workspaces/{workspace}/photos/{photo}/delete/", {}),
    (
        "/o/acme/console/workspaces/{workspace}/hours/",
        {"action": "save", "d0-0-opens": "01:00", "d0-0-closes": "02:00"},
    ),
    ("/o/acme/console/workspaces/{workspace}/closures/", {"start_date": "2026-12-01", "reason": "Intrus"}),
    ("/o/acme/console/workspaces/{workspace}/closures/{closure}/delete/", {}),
    ("/o/acme/console/workspaces/{workspace}/access/", {"restricted": "on"}),
    ("/o/acme/console/equipment/", {"new-name": "Intrus", "new-icon": "other"}),
    ("/o/acme/console/equipment/{equipment}/", {"item{equipment}-name": "Intrus", "item{equipment}-icon": "bike"}),
    ("/o/acme/console/equipment/{equipment}/delete/", {}),
]


def fill(template: str, world: dict[str, Any]) -> str:
    return template.format(**world)


def filled(data: dict[str, str], world: dict[str, Any]) -> dict[str, str]:
    return {fill(key, world): value for key, value in data.items()}


def snapshot(acme: Organization) -> dict[str, Any]:
    """What any of the pages' POSTs could change, to check that a refused one changed nothing."""
    return {
        "workspaces": list(Workspace.objects.filter(organization=acme).order_by("pk").values()),
        "photos": list(WorkspacePhoto.objects.order_by("pk").values("pk", "position", "alt_text")),
        "hours": list(OpeningInterval.objects.order_by("pk").values("workspace", "weekday", "opens", "closes")),
        "closures": list(Closure.objects.order_by("pk").values("pk", "start_date", "end_date", "reason")),
        "equipment": list(Equipment.objects.order_by("pk").values("pk", "name", "icon")),
        "grants": list(WorkspaceAccessGrant.objects.order_by("pk").values()),
        "favourites": list(Favourite.objects.order_by("pk").values("user", "workspace")),
    }


@pytest.mark.parametrize("page", MEMBER_PAGES)
@pytest.mark.parametrize("who", ["alice", "carol", "bob"])
def test_member_pages_open_for_every_role(
    client: Client, world: dict[str, Any], page: str, who: str, request: pytest.FixtureRequest
) -> None:
    response = login(client, request.getfixturevalue(who)).get(fill(page, world))

    assert response.status_code == 200


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("who", ["alice", "carol"])
def test_console_pages_open_for_owners_and_admins(
    client: Client, world: dict[str, Any], page: str, who: str, request: pytest.FixtureRequest
) -> None:
    response = login(client, request.getfixturevalue(who)).get(fill(page, world))

    assert response.status_code == 200
    assert 'aria-current="page">Espaces</a>' in text(response)


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_a_plain_member_gets_403_on_console_pages(client: Client, world: dict[str, Any], bob: User, page: str) -> None:
    response = login(client, bob).get(fill(page, world))

    assert response.status_code == 403


@pytest.mark.parametrize(("page", "data"), ADMIN_POSTS)
def test_a_plain_member_cannot_post_console_forms(
    client: Client, world: dict[str, Any], bob: User, acme: Organization, page: str, data: dict[str, str]
) -> None:
    before = snapshot(acme)

    response = login(client, bob).post(fill(page, world), filled(data, world))

    assert response.status_code == 403
    assert snapshot(acme) == before


@pytest.mark.parametrize("page", MEMBER_PAGES + ADMIN_PAGES)
def test_an_outsider_gets_404_on_every_page(client: Client, world: dict[str, Any], olivia: User, page: str) -> None:
    response = login(client, olivia).get(fill(page, world))

    assert response.status_code == 404


@pytest.mark.parametrize(("page", "data"), MEMBER_POSTS + ADMIN_POSTS)
def test_an_outsider_gets_404_on_every_post(
    client: Client, world: dict[str, Any], olivia: User, acme: Organization, page: str, data: dict[str, str]
) -> None:
    before = snapshot(acme)

    response = login(client, olivia).post(fill(page, world), filled(data, world))

    assert response.status_code == 404
    assert snapshot(acme) == before


@pytest.mark.parametrize(
    ("page", "data"),
    [(page, None) for page in MEMBER_PAGES + ADMIN_PAGES if "{" in page]
    + [p for p in MEMBER_POSTS + ADMIN_POSTS if "{" in p[0]],
)
def test_an_outsider_cannot_reach_acme_objects_through_her_own_organization(
    client: Client, world: dict[str, Any], olivia: User, acme: Organization, page: str, data: dict[str, str] | None
) -> None:
    """Olivia owns Globex: Acme's ids under /o/globex/ are as unknown as they are under /o/acme/."""
    before = snapshot(acme)
    url = fill(page, world).replace("/o/acme/", "/o/globex/")
    client = login(client, olivia)

    response = client.get(url) if data is None else client.post(url, filled(data, world))

    assert response.status_code == 404
    assert snapshot(acme) == before


@pytest.mark.parametrize(("page", "data"), MEMBER_POSTS + ADMIN_POSTS)
def test_every_form_needs_its_csrf_token(
    world: dict[str, Any], alice: User, acme: Organization, page: str, data: dict[str, str]
) -> None:
    client = login(Client(enforce_csrf_checks=True), alice)
    before = snapshot(acme)

    response = client.post(fill(page, world), filled(data, world))

    assert response.status_code == 403
    assert snapshot(acme) == before


def test_anonymous_visitors_are_sent_to_log_in(client: Client, world: dict[str, Any]) -> None:
    response = client.get(fill("/o/acme/workspaces/{workspace}/", world))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Access rules on the web ---------------------------------------------------------------------------------


@pytest.fixture
def restricted_to_carol(paris: Workspace, alice: User, acme: Organization, bob: User, carol: User) -> Workspace:
    """Paris HQ, which Bob starred and opened before an admin restricted it to Carol."""
    Favourite.objects.create(user=bob, workspace=paris)
    services.record_view(user=bob, workspace=paris)
    services.set_access_rule(
        by=membership_of(alice, acme), workspace=paris, restricted=True, allowed_member_ids=[carol.pk]
    )
    return paris


def test_a_restricted_workspace_is_a_404_for_an_excluded_member(
    client: Client, restricted_to_carol: Workspace, bob: User
) -> None:
    client = login(client, bob)

    assert client.get(f"/o/acme/workspaces/{restricted_to_carol.pk}/").status_code == 404
    assert client.post(f"/o/acme/workspaces/{restricted_to_carol.pk}/favourite/", {"action": "add"}).status_code == 404


def test_a_restricted_workspace_is_absent_from_the_lists_of_an_excluded_member(
    client: Client, restricted_to_carol: Workspace, bob: User
) -> None:
    client = login(client, bob)

    for page in ["/o/acme/workspaces/", "/o/acme/workspaces/favourites/", "/o/acme/workspaces/recent/"]:
        response = client.get(page)
        assert response.status_code == 200
        assert "Paris HQ" not in text(response), page
        assert f"/workspaces/{restricted_to_carol.pk}/" not in text(response), page
    assert "Paris HQ" not in text(client.get("/o/acme/workspaces/?q=Paris"))


def test_a_restricted_workspace_shows_for_the_member_it_is_granted_to(
    client: Client, restricted_to_carol: Workspace, acme: Organization, carol: User
) -> None:
    dave = make_member(acme, "dave@acme.test", first_name="Dave")
    services.set_access_rule(
        by=membership_of(carol, acme),
        workspace=restricted_to_carol,
        restricted=True,
        allowed_member_ids=[dave.pk],
    )
    client = login(client, dave)

    assert "Paris HQ" in text(client.get("/o/acme/workspaces/"))
    assert client.get(f"/o/acme/workspaces/{restricted_to_carol.pk}/").status_code == 200


# --- The list --------------------------------------------------------------------------------------------------


def names_on(response: Any, offices: dict[str, Workspace]) -> set[str]:
    assert response.status_code == 200
    return {workspace.name for workspace in offices.values() if f"/workspaces/{workspace.pk}/" in text(response)}


def test_the_list_shows_cards_with_seats_state_and_equipment(
    client: Client, offices: dict[str, Workspace], bob: User
) -> None:
    with time_machine.travel(MONDAY_10AM, tick=False):
        response = login(client, bob).get("/o/acme/workspaces/")

    page = text(response)
    assert names_on(response, offices) == {"Paris HQ", "Lyon office", "Salle Gutenberg"}
    assert "20 places libres sur 20" in page
    assert "seats--free" in page and "seats--closed" in page  # Gutenberg opens at night
    assert "Wi-Fi" in page and "Parking" in page
    assert "<svg" in page and "icon" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=gutenberg", {"Salle Gutenberg"}),
        ("city=Lyon", {"Lyon office"}),
        ("kind=meeting_room", {"Salle Gutenberg"}),
        ("equipment={parking}", {"Paris HQ"}),
        ("equipment={wifi}", {"Paris HQ", "Lyon office"}),
        ("equipment={wifi}&equipment={parking}", {"Paris HQ"}),
        ("open=on", {"Paris HQ", "Lyon office"}),
        ("open=on&date=2026-12-12", {"Salle Gutenberg"}),
        ("seats=7", {"Paris HQ", "Salle Gutenberg"}),
        ("seats=7&city=Paris&open=on", {"Paris HQ"}),
    ],
)
def test_the_list_filters(
    client: Client,
    offices: dict[str, Workspace],
    catalogue: dict[str, Equipment],
    bob: User,
    query: str,
    expected: set[str],
) -> None:
    query = query.format(wifi=catalogue["wifi"].pk, parking=catalogue["parking"].pk)

    with time_machine.travel(MONDAY_10AM, tick=False):
        response = login(client, bob).get(f"/o/acme/workspaces/?{query}")

    assert names_on(response, offices) == expected


def test_a_bad_filter_is_reported_and_the_others_still_apply(
    client: Client, offices: dict[str, Workspace], bob: User
) -> None:
    response = login(client, bob).get("/o/acme/workspaces/?city=Lyon&date=0202-01-01&seats=abc")

    assert names_on(response, offices) == {"Lyon office"}
    assert "Choisissez une date entre 2000 et 2100." in text(response)
    assert "Saisissez un nombre entier." in text(response)


def test_a_search_without_results_says_so_and_offers_to_clear_it(
    client: Client, offices: dict[str, Workspace], bob: User
) -> None:
    response = login(client, bob).get("/o/acme/workspaces/?q=Tokyo")

    assert "Aucun espace ne correspond à votre recherche" in text(response)
    assert "Effacer les filtres" in text(response)


def test_admins_of_a_new_organization_are_invited_to_add_their_first_workspace(
    client: Client, alice: User, bob: User
) -> None:
    admin_page = text(login(client, alice).get("/o/acme/workspaces/"))
    member_page = text(login(Client(), bob).get("/o/acme/workspaces/"))

    assert "Ajoutez votre premier espace" in admin_page
    assert "/o/acme/console/workspaces/new/" in admin_page
    assert "Ajoutez votre premier espace" not in member_page
    assert "Aucun espace pour l'instant" in member_page


def test_the_list_pages_through_many_workspaces_keeping_the_filters(
    client: Client, acme: Organization, bob: User, alice: User
) -> None:
    Workspace.objects.bulk_create(
        Workspace(organization=acme, name=f"Space {number:03d}", capacity=4, city="Paris") for number in range(30)
    )

    first = text(login(client, bob).get("/o/acme/workspaces/?city=Paris"))
    second = text(client.get("/o/acme/workspaces/?city=Paris&page=2"))
    too_far = client.get("/o/acme/workspaces/?city=Paris&page=99")

    assert "Space 000" in first and "Space 024" not in first
    assert "Space 024" in second and "Space 029" in second
    assert "?city=Paris&amp;page=2" in first
    assert too_far.status_code == 200 and "Space 029" in text(too_far)


def count_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "query",
    ["", "?date=2026-12-08", "?open=on", "?open=on&date=2026-12-08&seats=1&city=Paris", "?equipment={wifi}"],
)
def test_the_list_page_runs_the_same_number_of_queries_for_10_or_300_workspaces(
    client: Client, acme: Organization, bob: User, catalogue: dict[str, Equipment], query: str
) -> None:
    equipment = list(catalogue.values())[:4]
    path = "/o/acme/workspaces/" + query.format(wifi=catalogue["wifi"].pk)
    populate_workspaces(acme, 10, equipment, bob)
    login(client, bob)
    with time_machine.travel(MONDAY_10AM, tick=False):
        client.get(path)  # the first request of a session saves it: not a query of the list
        few = count_queries(client, path)
        populate_workspaces(acme, 290, equipment, bob, offset=10)
        many = count_queries(client, path)

    assert few == many


# --- The detail page ---------------------------------------------------------------------------------------


def test_the_detail_page_shows_hours_today_closures_equipment_and_address(
    client: Client, alice: User, acme: Organization, catalogue: dict[str, Equipment], bob: User
) -> None:
    workspace = make_workspace(
        alice,
        acme,
        "Bureau de Lyon",
        capacity=24,
        street="25 rue de la République",
        postal_code="69002",
        city="Lyon",
        latitude=45.764,
        longitude=4.8357,
        description="Un plateau calme.\n\n- Terrasse\n- Douches",
        opening_hours=[WeeklyInterval(day, m, n) for day in range(5) for m, n in ((510, 750), (810, 1110))],
        equipment_ids=[catalogue["wifi"].pk, catalogue["coffee"].pk],
    )
    services.add_closure(
        by=membership_of(alice, acme),
        workspace=workspace,
        start_date=date(2026, 12, 24),
        end_date=date(2027, 1, 1),
        reason="Fermeture de fin d'année",
    )

    with time_machine.travel(MONDAY_10AM, tick=False):
        response = login(client, bob).get(f"/o/acme/workspaces/{workspace.pk}/")

    page = text(response)
    assert response.status_code == 200
    assert "Ouvert maintenant" in page
    assert "Ferme à 12:30" in page
    assert '<span class="nowrap">08:30–12:30</span>, <span class="nowrap">13:30–18:30</span>' in page
    assert "24 places libres sur 24" in page
    assert "Samedi" in page and "Fermé" in page
    assert "Du 24 décembre 2026 au 1 janvier 2027" in page and "Fermeture de fin d" in page
    assert "Machine à café" in page
    assert "<li>Terrasse</li>" in page
    assert "geo:45.764000,4.835700" in page
    assert "https://www.openstreetmap.org/?mlat=45.764000&amp;mlon=4.835700" in page
    assert "heure de" not in page  # the workspace's zone is Bob's


def test_the_detail_page_says_when_it_next_opens(client: Client, paris: Workspace, bob: User) -> None:
    with time_machine.travel(MONDAY_9PM, tick=False):
        page = text(login(client, bob).get(f"/o/acme/workspaces/{paris.pk}/"))

    assert "Fermé maintenant" in page
    assert "Ouvre demain à 08:00" in page


def test_hours_in_another_time_zone_say_whose_clock_they_follow(
    client: Client, alice: User, acme: Organization, bob: User
) -> None:
    workspace = make_workspace(alice, acme, "NYC", timezone="America/New_York")

    page = text(login(client, bob).get(f"/o/acme/workspaces/{workspace.pk}/"))

    assert "heure de New York" in page


def test_the_description_cannot_carry_a_script(client: Client, paris: Workspace, bob: User) -> None:
    Workspace.objects.filter(pk=paris.pk).update(
        description='<p>Bienvenue</p><script>alert(1)</script><a href="javascript:alert(2)">x</a>'
    )

    page = text(login(client, bob).get(f"/o/acme/workspaces/{paris.pk}/"))

    assert "<p>Bienvenue</p>" in page
    assert "alert(" not in page


def test_photos_use_their_alt_text_or_the_workspace_name(
    client: Client, paris: Workspace, alice: User, acme: Organization, bob: User
) -> None:
    admin = membership_of(alice, acme)
    services.add_photo(by=admin, workspace=paris, upload=photo_file(), alt_text="Open space lumineux")
    services.add_photo(by=admin, workspace=paris, upload=photo_file())

    page = text(login(client, bob).get(f"/o/acme/workspaces/{paris.pk}/"))

    assert 'alt="Open space lumineux"' in page
    assert 'alt="Paris HQ, photo 2 sur 2"' in page
    assert "data-gallery" in page and "gallery.js" in page


def test_opening_the_detail_records_a_recent_view(client: Client, paris: Workspace, bob: User) -> None:
    login(client, bob).get(f"/o/acme/workspaces/{paris.pk}/")

    assert WorkspaceView.objects.filter(user=bob, workspace=paris).exists()
    assert "Paris HQ" in text(client.get("/o/acme/workspaces/recent/"))


def test_recently_viewed_keeps_the_last_twenty_once_each(
    client: Client, acme: Organization, alice: User, bob: User
) -> None:
    spaces = Workspace.objects.bulk_create(
        Workspace(organization=acme, name=f"Space {number:02d}", capacity=3) for number in range(22)
    )
    client = login(client, bob)
    for workspace in [*spaces, spaces[5]]:
        client.get(f"/o/acme/workspaces/{workspace.pk}/")

    page = text(client.get("/o/acme/workspaces/recent/"))

    assert page.count("ws-card__link") == 20
    assert page.index("Space 05") < page.index("Space 21")
    assert "Space 00<" not in page and "Space 01<" not in page and "Space 02<" in page


def test_an_archived_workspace_is_a_404_for_members_and_flagged_for_admins(
    client: Client, paris: Workspace, alice: User, acme: Organization, bob: User
) -> None:
    services.archive_workspace(by=membership_of(alice, acme), workspace=paris)

    assert login(client, bob).get(f"/o/acme/workspaces/{paris.pk}/").status_code == 404
    assert "Cet espace est archivé" in text(login(Client(), alice).get(f"/o/acme/workspaces/{paris.pk}/"))


# --- Favourites --------------------------------------------------------------------------------------------


def test_starring_without_javascript_goes_back_to_the_page(client: Client, paris: Workspace, bob: User) -> None:
    response = login(client, bob).post(
        f"/o/acme/workspaces/{paris.pk}/favourite/", {"action": "add", "next": "/o/acme/workspaces/?city=Paris"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/o/acme/workspaces/?city=Paris"
    assert Favourite.objects.filter(user=bob, workspace=paris).exists()
    assert "Paris HQ" in text(client.get("/o/acme/workspaces/favourites/"))


def test_starring_never_redirects_to_another_site(client: Client, paris: Workspace, bob: User) -> None:
    response = login(client, bob).post(
        f"/o/acme/workspaces/{paris.pk}/favourite/", {"action": "add", "next": "https://evil.test/"}
    )

    assert response["Location"] == f"/o/acme/workspaces/{paris.pk}/"


def test_starring_with_htmx_answers_the_new_button(client: Client, paris: Workspace, bob: User) -> None:
    response = login(client, bob).post(
        f"/o/acme/workspaces/{paris.pk}/favourite/",
        {"action": "add", "variant": "detail", "next": f"/o/acme/workspaces/{paris.pk}/"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "Retirer des favoris" in text(response)
    assert "<html" not in text(response)
    assert f'name="next" value="/o/acme/workspaces/{paris.pk}/"' in text(response)
    assert Favourite.objects.filter(user=bob, workspace=paris).exists()


def test_unstarring_removes_the_favourite(client: Client, paris: Workspace, bob: User) -> None:
    Favourite.objects.create(user=bob, workspace=paris)

    login(client, bob).post(f"/o/acme/workspaces/{paris.pk}/favourite/", {"action": "remove"})

    assert not Favourite.objects.filter(user=bob, workspace=paris).exists()
    assert "Aucun favori pour l'instant" in text(client.get("/o/acme/workspaces/favourites/"))


def test_a_bad_favourite_action_changes_nothing(client: Client, paris: Workspace, bob: User) -> None:
    response = login(client, bob).post(f"/o/acme/workspaces/{paris.pk}/favourite/", {"action": "toggle"})

    assert response.status_code == 400
    assert not Favourite.objects.exists()


def test_favourites_can_only_be_posted(client: Client, paris: Workspace, bob: User) -> None:
    assert login(client, bob).get(f"/o/acme/workspaces/{paris.pk}/favourite/").status_code == 405


# --- Console: create, edit, archive ---------------------------------------------------------------------------

VALID_WORKSPACE = {
    "name": "Bureau de Nantes",
    "kind": "coworking",
    "capacity": "15",
    "description": "Sur l'île de Nantes.\n\n- Terrasse\n- Café",
    "street": "8 quai François Mitterrand",
    "postal_code": "44200",
    "city": "Nantes",
    "country": "fr",
    "latitude": "47,2086",
    "longitude": "-1.556",
    "timezone": "Europe/Paris",
}


def test_an_admin_creates_a_workspace(
    client: Client, carol: User, acme: Organization, catalogue: dict[str, Equipment]
) -> None:
    response = login(client, carol).post(
        "/o/acme/console/workspaces/new/", {**VALID_WORKSPACE, "equipment": [catalogue["wifi"].pk]}
    )

    workspace = Workspace.objects.get(organization=acme)
    assert response.status_code == 302
    assert response["Location"] == f"/o/acme/console/workspaces/{workspace.pk}/photos/"
    assert (workspace.name, workspace.kind, workspace.capacity, workspace.city) == (
        "Bureau de Nantes",
        "coworking",
        15,
        "Nantes",
    )
    assert workspace.country == "FR"
    assert (workspace.latitude, workspace.longitude) == (47.2086, -1.556)
    assert workspace.description == "<p>Sur l'île de Nantes.</p><ul><li>Terrasse</li><li>Café</li></ul>"
    assert [item.key for item in workspace.equipment.all()] == ["wifi"]
    assert workspace.opening_intervals.count() == 7
    assert AuditEntry.objects.filter(action="workspace.created", actor=carol).exists()


def test_the_create_form_offers_the_default_equipment_to_a_new_organization(client: Client, alice: User) -> None:
    page = text(login(client, alice).get("/o/acme/console/workspaces/new/"))

    assert "Wi-Fi" in page and "Local vélos" in page
    assert '<option value="Europe/Paris" selected>Paris</option>' in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "Ce champ est obligatoire."),
        ({"capacity": "0"}, "supérieure ou égale à 1"),
        ({"latitude": "91"}, "inférieure ou égale à 90"),
        ({"longitude": ""}, "Indiquez la latitude et la longitude, ou aucune des deux."),
        ({"country": "F1"}, "Indiquez le pays par son code à deux lettres"),
        ({"timezone": "Mars/Olympus"}, "Sélectionnez un choix valide."),
    ],
)
def test_a_bad_workspace_is_refused_next_to_its_field_and_keeps_what_was_typed(
    client: Client, alice: User, acme: Organization, change: dict[str, str], message: str
) -> None:
    response = login(client, alice).post("/o/acme/console/workspaces/new/", {**VALID_WORKSPACE, **change})

    assert response.status_code == 422
    assert message in text(response)
    assert "field--invalid" in text(response)
    assert "8 quai François Mitterrand" in text(response)
    assert not Workspace.objects.exists()


def test_an_admin_edits_a_workspace(
    client: Client, paris: Workspace, carol: User, catalogue: dict[str, Equipment]
) -> None:
    page = text(login(client, carol).get(f"/o/acme/console/workspaces/{paris.pk}/"))
    assert 'value="Paris HQ"' in page

    response = client.post(
        f"/o/acme/console/workspaces/{paris.pk}/",
        {**VALID_WORKSPACE, "name": "Siège", "capacity": "30", "equipment": [catalogue["parking"].pk]},
    )

    paris.refresh_from_db()
    assert response.status_code == 302
    assert (paris.name, paris.capacity, paris.city) == ("Siège", 30, "Nantes")
    assert [item.key for item in paris.equipment.all()] == ["parking"]


def test_the_edit_form_shows_the_description_as_it_was_typed(client: Client, alice: User, acme: Organization) -> None:
    workspace = make_workspace(alice, acme, "Lyon", description="Un plateau calme.\n\n- Terrasse\n- Douches")

    page = text(login(client, alice).get(f"/o/acme/console/workspaces/{workspace.pk}/"))

    assert "Un plateau calme.\n\n- Terrasse\n- Douches</textarea>" in page


def test_a_bad_edit_changes_nothing(client: Client, paris: Workspace, alice: User) -> None:
    response = login(client, alice).post(
        f"/o/acme/console/workspaces/{paris.pk}/", {**VALID_WORKSPACE, "name": "Siège", "country": "France"}
    )

    paris.refresh_from_db()
    assert response.status_code == 422
    assert paris.name == "Paris HQ"
    assert 'value="Siège"' in text(response)


def test_equipment_of_another_organization_cannot_be_ticked(
    client: Client, paris: Workspace, alice: User, olivia: User, globex: Organization
) -> None:
    services.ensure_default_equipment(globex)
    foreign = Equipment.objects.filter(organization=globex).first()
    assert foreign is not None

    response = login(client, alice).post(
        f"/o/acme/console/workspaces/{paris.pk}/", {**VALID_WORKSPACE, "equipment": [foreign.pk]}
    )

    assert response.status_code == 422
    assert not paris.equipment.filter(pk=foreign.pk).exists()


def test_archiving_and_unarchiving(client: Client, paris: Workspace, alice: User) -> None:
    client = login(client, alice)

    client.post(f"/o/acme/console/workspaces/{paris.pk}/archive/")
    paris.refresh_from_db()
    assert paris.is_archived
    console = text(client.get("/o/acme/console/workspaces/"))
    assert "Paris HQ" in console and "Archivé" in console

    client.post(f"/o/acme/console/workspaces/{paris.pk}/unarchive/")
    paris.refresh_from_db()
    assert not paris.is_archived


def test_archiving_is_post_only(client: Client, paris: Workspace, alice: User) -> None:
    assert login(client, alice).get(f"/o/acme/console/workspaces/{paris.pk}/archive/").status_code == 405


# --- Console: photos ---------------------------------------------------------------------------------------


def test_an_admin_uploads_several_photos_at_once(client: Client, paris: Workspace, alice: User) -> None:
    files = [photo_file(name="a.jpg"), photo_file(image_bytes("PNG"), name="b.png", content_type="image/png")]

    response = login(client, alice).post(
        f"/o/acme/console/workspaces/{paris.pk}/photos/", {"photos": files, "alt_text": "Open space"}
    )

    assert response.status_code == 302
    assert list(paris.photos.order_by("position").values_list("alt_text", "position")) == [
        ("Open space", 0),
        ("Open space", 1),
    ]
    assert "2 photos ajoutées." in text(client.get(response["Location"]))


def test_one_bad_file_refuses_the_whole_upload_and_names_it(client: Client, paris: Workspace, alice: User) -> None:
    files = [
        photo_file(name="good.jpg"),
        photo_file(b"<svg onload=alert(1)>", name="evil.svg", content_type="image/svg+xml"),
    ]

    response = login(client, alice).post(f"/o/acme/console/workspaces/{paris.pk}/photos/", {"photos": files})

    assert response.status_code == 422
    assert "evil.svg" in text(response)
    assert not paris.photos.exists()


def test_uploading_nothing_says_to_choose_a_photo(client: Client, paris: Workspace, alice: User) -> None:
    response = login(client, alice).post(f"/o/acme/console/workspaces/{paris.pk}/photos/", {"alt_text": "x"})

    assert response.status_code == 422
    assert "Choisissez au moins une photo." in text(response)


def test_photos_move_up_and_down(client: Client, paris: Workspace, alice: User, acme: Organization) -> None:
    first, second, third = services.add_photos(
        by=membership_of(alice, acme), workspace=paris, uploads=[photo_file(), photo_file(), photo_file()]
    )
    client = login(client, alice)

    response = client.post(f"/o/acme/console/workspaces/{paris.pk}/photos/{third.pk}/move/", {"direction": "up"})
    client.post(f"/o/acme/console/workspaces/{paris.pk}/photos/{first.pk}/move/", {"direction": "up"})

    assert response["Location"] == f"/o/acme/console/workspaces/{paris.pk}/photos/#photo-{third.pk}"
    assert list(paris.photos.order_by("position").values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]


def test_a_photo_alt_text_is_edited_and_a_bad_one_kept_on_screen(
    client: Client, paris: Workspace, photo: WorkspacePhoto, alice: User
) -> None:
    client = login(client, alice)
    url = f"/o/acme/console/workspaces/{paris.pk}/photos/{photo.pk}/"

    client.post(url, {f"photo{photo.pk}-alt_text": "La terrasse"})
    photo.refresh_from_db()
    assert photo.alt_text == "La terrasse"

    response = client.post(url, {f"photo{photo.pk}-alt_text": "x" * 201})
    photo.refresh_from_db()
    assert response.status_code == 422
    assert photo.alt_text == "La terrasse"
    assert "x" * 201 in text(response)


def test_a_photo_is_deleted(client: Client, paris: Workspace, photo: WorkspacePhoto, alice: User) -> None:
    login(client, alice).post(f"/o/acme/console/workspaces/{paris.pk}/photos/{photo.pk}/delete/")

    assert not paris.photos.exists()


def test_a_photo_of_another_workspace_is_a_404(
    client: Client, paris: Workspace, photo: WorkspacePhoto, alice: User, acme: Organization
) -> None:
    other = make_workspace(alice, acme, "Lyon")

    response = login(client, alice).post(f"/o/acme/console/workspaces/{other.pk}/photos/{photo.pk}/delete/")

    assert response.status_code == 404
    assert paris.photos.exists()


# --- Console: hours and closures ----------------------------------------------------------------------------


def hours(workspace: Workspace) -> list[tuple[int, int, int]]:
    return list(workspace.opening_intervals.order_by("weekday", "opens").values_list("weekday", "opens", "closes"))


def test_the_hours_grid_shows_the_saved_hours(client: Client, paris: Workspace, alice: User) -> None:
    page = text(login(client, alice).get(f"/o/acme/console/workspaces/{paris.pk}/hours/"))

    assert 'name="d0-0-opens" value="08:00"' in page
    assert 'name="d4-0-closes" value="19:00"' in page
    assert 'name="d5-0-opens"' in page and 'name="d5-1-opens"' not in page


def test_an_admin_sets_several_intervals_a_day_and_midnight(client: Client, paris: Workspace, alice: User) -> None:
    response = login(client, alice).post(
        f"/o/acme/console/workspaces/{paris.pk}/hours/",
        {
            "action": "save",
            "d0-0-opens": "8h30",
            "d0-0-closes": "12:30",
            "d0-1-opens": "1330",
            "d0-1-closes": "24:00",
            "d5-0-opens": "10",
            "d5-0-closes": "18",
            "d6-0-opens": "",
            "d6-0-closes": "",
        },
    )

    assert response.status_code == 302
    assert hours(paris) == [(0, 510, 750), (0, 810, 1440), (5, 600, 1080)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"d0-0-opens": "09:00", "d0-0-closes": "12:00", "d0-1-opens": "11:00", "d0-1-closes": "14:00"}, "chevauche"),
        ({"d0-0-opens": "18:00", "d0-0-closes": "09:00"}, "après l&#x27;heure d&#x27;ouverture"),
        ({"d0-0-opens": "24:00", "d0-0-closes": "24:00"}, "entre 00:00 et 23:59"),
        ({"d0-0-opens": "25:00", "d0-0-closes": "26:00"}, "entre 00:00 et 23:59"),
        ({"d0-0-opens": "09:00", "d0-0-closes": ""}, "Indiquez aussi l&#x27;heure de fermeture"),
    ],
)
def test_bad_hours_are_refused_next_to_the_row_and_change_nothing(
    client: Client, paris: Workspace, alice: User, data: dict[str, str], message: str
) -> None:
    before = hours(paris)

    response = login(client, alice).post(f"/o/acme/console/workspaces/{paris.pk}/hours/", {"action": "save", **data})

    assert response.status_code == 422
    assert message in text(response)
    assert f'value="{data["d0-0-opens"]}"' in text(response)
    assert hours(paris) == before


def test_adding_a_row_and_copying_monday_save_nothing(client: Client, paris: Workspace, alice: User) -> None:
    before = hours(paris)
    client = login(client, alice)
    typed = {"d0-0-opens": "07:00", "d0-0-closes": "12:00", "d1-0-opens": "", "d1-0-closes": ""}

    added = text(client.post(f"/o/acme/console/workspaces/{paris.pk}/hours/", {"action": "add-0", **typed}))
    copied = text(client.post(f"/o/acme/console/workspaces/{paris.pk}/hours/", {"action": "copy-monday", **typed}))

    assert 'name="d0-1-opens"' in added and 'value="07:00"' in added
    assert 'name="d3-0-opens" value="07:00"' in copied and 'name="d5-0-opens" value="07:00"' not in copied
    assert hours(paris) == before


def test_an_admin_adds_and_deletes_a_closure(client: Client, paris: Workspace, alice: User) -> None:
    client = login(client, alice)

    response = client.post(
        f"/o/acme/console/workspaces/{paris.pk}/closures/", {"start_date": "2026-08-03", "reason": "Travaux"}
    )
    closure = Closure.objects.get(workspace=paris)
    assert response.status_code == 302
    assert (closure.start_date, closure.end_date, closure.reason) == (date(2026, 8, 3), date(2026, 8, 3), "Travaux")

    client.post(f"/o/acme/console/workspaces/{paris.pk}/closures/{closure.pk}/delete/")
    assert not Closure.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"start_date": "2026-08-10", "end_date": "2026-08-03"},
            "La fermeture doit finir le jour de son début ou après.",
        ),
        ({"start_date": "0026-08-10"}, "Choisissez une date entre 2000 et 2100."),
        ({"start_date": ""}, "Ce champ est obligatoire."),
    ],
)
def test_a_bad_closure_is_refused_and_kept_on_screen(
    client: Client, paris: Workspace, alice: User, data: dict[str, str], message: str
) -> None:
    response = login(client, alice).post(
        f"/o/acme/console/workspaces/{paris.pk}/closures/", {**data, "reason": "Travaux d'été"}
    )

    assert response.status_code == 422
    assert message in text(response)
    assert "Travaux d&#x27;été" in text(response)
    assert not Closure.objects.exists()


# --- Console: access ---------------------------------------------------------------------------------------


def test_an_admin_restricts_a_workspace_to_named_members(
    client: Client, paris: Workspace, alice: User, bob: User, carol: User
) -> None:
    page = text(login(client, alice).get(f"/o/acme/console/workspaces/{paris.pk}/access/"))
    assert "Bob Bernard" in page and "Carol Colin" not in page  # admins always have access

    response = client.post(
        f"/o/acme/console/workspaces/{paris.pk}/access/", {"restricted": "on", "allowed_members": [bob.pk]}
    )

    paris.refresh_from_db()
    assert response.status_code == 302
    assert paris.restricted
    assert list(WorkspaceAccessGrant.objects.filter(workspace=paris).values_list("user", "role")) == [(bob.pk, "")]


def test_an_admin_opens_a_workspace_to_a_role(client: Client, paris: Workspace, alice: User) -> None:
    login(client, alice).post(
        f"/o/acme/console/workspaces/{paris.pk}/access/", {"restricted": "on", "allowed_roles": [Role.MEMBER]}
    )

    assert list(WorkspaceAccessGrant.objects.filter(workspace=paris).values_list("role", flat=True)) == [Role.MEMBER]


def test_only_members_of_the_organization_can_be_granted(
    client: Client, paris: Workspace, alice: User, olivia: User
) -> None:
    response = login(client, alice).post(
        f"/o/acme/console/workspaces/{paris.pk}/access/", {"restricted": "on", "allowed_members": [olivia.pk]}
    )

    paris.refresh_from_db()
    assert response.status_code == 422
    assert not paris.restricted
    assert not WorkspaceAccessGrant.objects.exists()


# --- Console: equipment catalogue --------------------------------------------------------------------------


def test_an_admin_adds_renames_and_deletes_equipment(
    client: Client, alice: User, acme: Organization, catalogue: dict[str, Equipment], paris: Workspace
) -> None:
    client = login(client, alice)

    client.post("/o/acme/console/equipment/", {"new-name": "Salle de sieste", "new-icon": "other"})
    nap = Equipment.objects.get(organization=acme, name="Salle de sieste")
    client.post(
        f"/o/acme/console/equipment/{nap.pk}/", {f"item{nap.pk}-name": "Sieste", f"item{nap.pk}-icon": "locker"}
    )
    nap.refresh_from_db()
    assert (nap.name, nap.icon) == ("Sieste", EquipmentIcon.LOCKER)

    client.post(f"/o/acme/console/equipment/{nap.pk}/delete/")
    assert not Equipment.objects.filter(pk=nap.pk).exists()


def test_changing_only_the_icon_of_a_default_item_keeps_its_translated_name(
    client: Client, alice: User, catalogue: dict[str, Equipment]
) -> None:
    wifi = catalogue["wifi"]

    login(client, alice).post(
        f"/o/acme/console/equipment/{wifi.pk}/", {f"item{wifi.pk}-name": "Wi-Fi", f"item{wifi.pk}-icon": "screen"}
    )

    wifi.refresh_from_db()
    assert (wifi.name, wifi.icon) == ("", EquipmentIcon.SCREEN)


def test_a_duplicate_equipment_name_is_refused_next_to_the_field(
    client: Client, alice: User, acme: Organization, catalogue: dict[str, Equipment]
) -> None:
    count = Equipment.objects.filter(organization=acme).count()

    response = login(client, alice).post("/o/acme/console/equipment/", {"new-name": "parking", "new-icon": "parking"})

    assert response.status_code == 409
    assert "Un équipement porte déjà ce nom" in text(response)
    assert 'value="parking"' in text(response)
    assert Equipment.objects.filter(organization=acme).count() == count


def test_a_bad_rename_reopens_its_panel_with_the_error(
    client: Client, alice: User, catalogue: dict[str, Equipment]
) -> None:
    wifi = catalogue["wifi"]

    response = login(client, alice).post(
        f"/o/acme/console/equipment/{wifi.pk}/", {f"item{wifi.pk}-name": "", f"item{wifi.pk}-icon": "wifi"}
    )

    assert response.status_code == 422
    assert "Ce champ est obligatoire." in text(response)
    assert 'class="edit-panel" open' in text(response)
    wifi.refresh_from_db()
    assert (wifi.name, wifi.icon) == ("", EquipmentIcon.WIFI)


# --- Navigation ----------------------------------------------------------------------------------------------


def test_the_top_navigation_leads_to_the_workspaces(client: Client, paris: Workspace, bob: User) -> None:
    page = text(login(client, bob).get("/o/acme/workspaces/"))

    assert '<a href="/o/acme/workspaces/" aria-current="page">Espaces</a>' in page


@pytest.mark.parametrize("page", ["/o/acme/workspaces/", "/o/acme/console/workspaces/"])
def test_pages_are_translated(client: Client, paris: Workspace, alice: User, page: str) -> None:
    client = login(client, alice)
    client.cookies["django_language"] = "en"

    response = client.get(page)

    assert "Workspaces" in text(response) or "Add a workspace" in text(response)
    assert "Ajouter un espace" not in text(response)
