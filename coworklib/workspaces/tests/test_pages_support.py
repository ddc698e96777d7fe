"""The selectors and services added for the web pages: seat states, cities, descriptions, photo moves and alt texts."""

import pytest

from coworklib.accounts.models import User
from coworklib.core.errors import Forbidden, InvalidInput, NotFound
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import Organization
from coworklib.workspaces import selectors, services
from coworklib.workspaces.models import Equipment, Workspace, WorkspacePhoto
from coworklib.workspaces.richtext import sanitize_description
from coworklib.workspaces.tests.factories import make_workspace, membership_of, photo_file

# --- Seats as the pages colour them --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("is_open", "free_seats", "capacity", "expected"),
    [
        (True, 12, 12, "free"),
        (True, 3, 12, "free"),
        (True, 2, 12, "almost_full"),
        (True, 1, 3, "almost_full"),
        (True, 1, 1, "free"),
        (True, 0, 12, "full"),
        (True, -1, 12, "full"),
        (False, 12, 12, "closed"),
        (False, 0, 12, "closed"),
    ],
)
def test_seat_availability(is_open: bool, free_seats: int, capacity: int, expected: str) -> None:
    assert selectors.seat_availability(is_open=is_open, free_seats=free_seats, capacity=capacity) == expected


@pytest.mark.parametrize(
    ("free_seats", "capacity", "expected"), [(12, 12, 0), (9, 12, 25), (0, 12, 100), (-3, 12, 100), (20, 12, 0)]
)
def test_occupied_percent_stays_within_the_bar(free_seats: int, capacity: int, expected: int) -> None:
    assert selectors.occupied_percent(free_seats=free_seats, capacity=capacity) == expected


# --- Cities ----------------------------------------------------------------------------------------------------


def test_cities_are_those_the_member_may_see_once_each(alice: User, acme: Organization, bob: User) -> None:
    make_workspace(alice, acme, "A", city="Paris")
    make_workspace(alice, acme, "B", city="paris")
    make_workspace(alice, acme, "C", city="Lyon")
    make_workspace(alice, acme, "D", city="")
    hidden = make_workspace(alice, acme, "E", city="Nantes")
    services.set_access_rule(by=membership_of(alice, acme), workspace=hidden, restricted=True)

    assert selectors.cities_of(membership_of(bob, acme)) == ["Lyon", "Paris"]
    assert selectors.cities_of(membership_of(alice, acme)) == ["Lyon", "Nantes", "Paris"]


def test_cities_of_another_organization_are_left_out(
    alice: User, acme: Organization, globex_office: Workspace, bob: User
) -> None:
    make_workspace(alice, acme, "A", city="Paris")

    assert selectors.cities_of(membership_of(bob, acme)) == ["Paris"]


# --- Editing a description --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "Un plateau calme.\n\n- Terrasse\n- Douches",
        "Ligne 1\nLigne 2\n\nAutre paragraphe",
        "a < b & c > d",
        "- une liste seule",
    ],
)
def test_a_description_typed_as_text_is_edited_as_that_text(alice: User, acme: Organization, typed: str) -> None:
    workspace = make_workspace(alice, acme, "Lyon", description=typed)

    editable = selectors.editable_description(workspace)

    assert editable == typed
    assert sanitize_description(editable) == workspace.description


@pytest.mark.parametrize(
    "stored",
    [
        '<p>Voir <a href="https://example.test/">le plan</a></p>',
        "<p>Un <strong>grand</strong> plateau</p>",
        "<p>- pas une liste</p>",
    ],
)
def test_a_description_that_text_cannot_express_is_edited_as_html(alice: User, acme: Organization, stored: str) -> None:
    workspace = make_workspace(alice, acme, "Lyon", description=stored)

    editable = selectors.editable_description(workspace)

    assert editable == workspace.description
    assert sanitize_description(editable) == workspace.description


def test_an_empty_description_is_edited_as_nothing(alice: User, acme: Organization) -> None:
    assert selectors.editable_description(make_workspace(alice, acme, "Lyon")) == ""


# --- Equipment usage and photos ------------------------------------------------------------------------------------


def test_the_catalogue_counts_the_workspaces_using_each_item(alice: User, acme: Organization) -> None:
    services.ensure_default_equipment(acme)
    wifi = Equipment.objects.get(organization=acme, key="wifi")
    make_workspace(alice, acme, "A", equipment_ids=[wifi.pk])
    archived = make_workspace(alice, acme, "B", equipment_ids=[wifi.pk])
    services.archive_workspace(by=membership_of(alice, acme), workspace=archived)

    usage = {item.key: item.workspace_count for item in selectors.equipment_catalogue_with_usage(acme)}  # type: ignore[attr-defined]

    assert usage["wifi"] == 2
    assert usage["parking"] == 0


@pytest.fixture
def three_photos(paris: Workspace, alice: User, acme: Organization) -> list[WorkspacePhoto]:
    return services.add_photos(
        by=membership_of(alice, acme), workspace=paris, uploads=[photo_file(), photo_file(), photo_file()]
    )


def order(workspace: Workspace) -> list[int]:
    return [photo.pk for photo in selectors.photos_of(workspace)]


def test_a_photo_moves_one_place_at_a_time_and_stops_at_the_ends(
    paris: Workspace, alice: User, acme: Organization, three_photos: list[WorkspacePhoto]
) -> None:
    first, second, third = three_photos
    admin = membership_of(alice, acme)

    services.move_photo(by=admin, workspace=paris, photo_id=third.pk, offset=-1)
    assert order(paris) == [first.pk, third.pk, second.pk]
    services.move_photo(by=admin, workspace=paris, photo_id=first.pk, offset=-1)
    assert order(paris) == [first.pk, third.pk, second.pk]
    services.move_photo(by=admin, workspace=paris, photo_id=first.pk, offset=5)
    assert order(paris) == [third.pk, second.pk, first.pk]
    assert list(paris.photos.order_by("position").values_list("position", flat=True)) == [0, 1, 2]
    assert AuditEntry.objects.filter(action="workspace.photos_reordered").count() == 3


def test_moving_a_photo_of_another_workspace_is_not_found(
    paris: Workspace, alice: User, acme: Organization, three_photos: list[WorkspacePhoto]
) -> None:
    other = make_workspace(alice, acme, "Lyon")

    with pytest.raises(NotFound):
        services.move_photo(by=membership_of(alice, acme), workspace=other, photo_id=three_photos[0].pk, offset=1)


def test_a_member_cannot_move_or_describe_photos(
    paris: Workspace, bob: User, acme: Organization, three_photos: list[WorkspacePhoto]
) -> None:
    member = membership_of(bob, acme)

    with pytest.raises(Forbidden):
        services.move_photo(by=member, workspace=paris, photo_id=three_photos[0].pk, offset=1)
    with pytest.raises(Forbidden):
        services.update_photo(by=member, workspace=paris, photo_id=three_photos[0].pk, alt_text="x")


def test_an_alt_text_is_cleaned_saved_and_audited(
    paris: Workspace, alice: User, acme: Organization, three_photos: list[WorkspacePhoto]
) -> None:
    photo = services.update_photo(
        by=membership_of(alice, acme), workspace=paris, photo_id=three_photos[1].pk, alt_text="  La   terrasse "
    )

    photo.refresh_from_db()
    assert photo.alt_text == "La terrasse"
    assert AuditEntry.objects.filter(action="workspace.photo_updated").count() == 1


@pytest.mark.parametrize("alt_text", ["x" * 201, "bip\x07"])
def test_a_bad_alt_text_is_refused_and_changes_nothing(
    paris: Workspace, alice: User, acme: Organization, three_photos: list[WorkspacePhoto], alt_text: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.update_photo(
            by=membership_of(alice, acme), workspace=paris, photo_id=three_photos[0].pk, alt_text=alt_text
        )

    assert refused.value.extra["errors"][0]["loc"] == ["alt_text"]
    assert WorkspacePhoto.objects.get(pk=three_photos[0].pk).alt_text == ""


def test_an_alt_text_of_another_organization_s_photo_is_not_found(
    globex_office: Workspace, olivia: User, globex: Organization, paris: Workspace, alice: User, acme: Organization
) -> None:
    photo = services.add_photo(by=membership_of(olivia, globex), workspace=globex_office, upload=photo_file())

    with pytest.raises(NotFound):
        services.update_photo(by=membership_of(alice, acme), workspace=paris, photo_id=photo.pk, alt_text="x")
    photo.refresh_from_db()
    assert photo.alt_text == ""
