"""Workspaces in a real browser, at phone width: an admin creates a workspace with photos and opening hours
through the console; a member filters the list by equipment, opens it, stars it and finds it in favourites."""

import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from conftest import PASSWORD, make_member, screenshot
from coworklib.organizations.models import Organization, Role
from coworklib.workspaces.models import Favourite, Workspace
from coworklib.workspaces.tests.factories import make_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def jpeg(folder: Path, name: str, color: str) -> str:
    path = folder / name
    Image.new("RGB", (900, 600), color).save(path, format="JPEG")
    return str(path)


def log_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_load_state()


def assert_no_horizontal_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_an_admin_sets_up_a_workspace_and_a_member_finds_stars_and_keeps_it(phone_page: Any, tmp_path: Path) -> None:
    page = phone_page
    acme = Organization.objects.create(name="Acme", slug="acme")
    nina = make_member(acme, "nina@acme.test", Role.ADMIN, first_name="Nina", last_name="Rossi")
    make_member(acme, "hugo@acme.test", Role.MEMBER, first_name="Hugo", last_name="Marchand")

    # The admin creates the workspace from the console.
    log_in(page, "nina@acme.test")
    page.goto("/o/acme/console/workspaces/")
    screenshot(page, "workspaces-console-empty")
    page.get_by_role("link", name="Ajouter un espace").first.click()
    page.get_by_label("Nom", exact=True).fill("Bureau de Lyon")
    page.get_by_label("Type d'espace").select_option("office")
    page.get_by_label("Capacité (places)").fill("12")
    page.get_by_label("Description").fill("Un plateau calme.\n\n- Terrasse\n- Douches")
    page.get_by_label("Adresse", exact=True).fill("25 rue de la République")
    page.get_by_label("Code postal").fill("69002")
    page.get_by_label("Ville").fill("Lyon")
    page.get_by_label("Fuseau horaire").select_option("Europe/Paris")
    page.get_by_label("Parking").check()
    page.get_by_label("Wi-Fi").check()
    screenshot(page, "workspaces-console-create")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Créer l'espace").click()
    page.wait_for_load_state()
    lyon = Workspace.objects.get(organization=acme, name="Bureau de Lyon")
    assert page.url.endswith(f"/o/acme/console/workspaces/{lyon.pk}/photos/")
    assert sorted(item.key for item in lyon.equipment.all()) == ["parking", "wifi"]

    # Two photos at once.
    page.locator("input[type=file]").set_input_files(
        [jpeg(tmp_path, "open-space.jpg", "#b08968"), jpeg(tmp_path, "terrasse.jpg", "#7f9cb5")]
    )
    page.get_by_label("Description pour les lecteurs d'écran (facultatif)").fill("Open space lumineux")
    page.get_by_role("button", name="Envoyer les photos").click()
    page.wait_for_load_state()
    assert page.get_by_text("2 photos ajoutées.").is_visible()
    assert lyon.photos.count() == 2
    screenshot(page, "workspaces-console-photos")
    assert_no_horizontal_scroll(page)

    # Weekly hours: Monday with a lunch break, copied to the other weekdays.
    page.get_by_role("link", name="Horaires", exact=True).click()
    page.get_by_label("Lundi, créneau 1 : ouverture").fill("08:30")
    page.get_by_label("Lundi, créneau 1 : fermeture").fill("12:30")
    page.get_by_role("button", name="Ajouter un créneau le lundi").click()
    page.wait_for_load_state()
    page.get_by_label("Lundi, créneau 2 : ouverture").fill("13h30")
    page.get_by_label("Lundi, créneau 2 : fermeture").fill("18:30")
    for day in ("Samedi", "Dimanche"):
        page.get_by_label(f"{day}, créneau 1 : ouverture").fill("")
        page.get_by_label(f"{day}, créneau 1 : fermeture").fill("")
    page.get_by_role("button", name="Copier le lundi du mardi au vendredi").click()
    page.wait_for_load_state()
    assert page.get_by_label("Vendredi, créneau 2 : ouverture").input_value() == "13h30"
    screenshot(page, "workspaces-console-hours")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Enregistrer les horaires").last.click()
    page.wait_for_load_state()
    assert page.get_by_text("Les horaires de « Bureau de Lyon » sont enregistrés.").is_visible()
    assert list(lyon.opening_intervals.order_by("weekday", "opens").values_list("weekday", "opens", "closes")) == [
        (weekday, opens, closes) for weekday in range(5) for opens, closes in ((510, 750), (810, 1110))
    ]

    # Another workspace, without parking, so that the filter has something to leave out.
    make_workspace(nina, acme, "Salle Gutenberg", city="Lyon")
    page.get_by_label("Organisations et compte").click()  # the menu behind the avatar
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()

    # The member filters by equipment, opens the workspace and stars it.
    log_in(page, "hugo@acme.test")
    page.get_by_role("link", name=re.compile("Acme")).first.click()
    page.get_by_role("link", name="Espaces", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Salle Gutenberg").is_visible()
    page.get_by_text("Filtres", exact=True).click()
    page.get_by_label("Parking").check()
    screenshot(page, "workspaces-list-filters")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Voir les espaces").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Bureau de Lyon").is_visible()
    assert page.get_by_role("link", name="Salle Gutenberg").count() == 0
    screenshot(page, "workspaces-list-parking")
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="Bureau de Lyon").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Bureau de Lyon").is_visible()
    assert page.get_by_role("img", name="Open space lumineux").first.is_visible()
    assert page.get_by_text("12 places libres sur 12", exact=True).is_visible()
    page.get_by_role("button", name="Ajouter aux favoris").click()
    # htmx swaps the button for its new state, without reloading the page.
    page.get_by_role("button", name="Retirer des favoris").wait_for()
    assert Favourite.objects.filter(user__email="hugo@acme.test", workspace=lyon).exists()
    screenshot(page, "workspaces-detail")
    assert_no_horizontal_scroll(page)

    # Tapping a photo enlarges it.
    page.locator("a[data-gallery-item]").first.click()
    assert page.locator("dialog[data-lightbox]").is_visible()
    page.get_by_role("button", name="Fermer").click()
    assert not page.locator("dialog[data-lightbox]").is_visible()

    page.get_by_role("link", name=re.compile(r"Espaces de travail")).click()
    page.get_by_role("link", name="Favoris").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Bureau de Lyon").is_visible()
    assert page.get_by_role("link", name="Salle Gutenberg").count() == 0
    screenshot(page, "workspaces-favourites")
    assert_no_horizontal_scroll(page)
