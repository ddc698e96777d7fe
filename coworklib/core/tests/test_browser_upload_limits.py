"""In a real browser: a photo heavier than the form takes is refused before the form is sent, so nothing typed
is lost; under the limit the form is sent as usual."""

from typing import Any

import pytest

from conftest import PASSWORD, make_member, screenshot
from coworklib.accounts.models import User
from coworklib.organizations.models import Organization, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_load_state()


def test_a_too_heavy_profile_photo_is_refused_before_sending_and_the_names_typed_stay(
    phone_page: Any, settings: Any
) -> None:
    page = phone_page
    acme = Organization.objects.create(name="Acme", slug="acme")
    make_member(acme, "nina@acme.test", Role.OWNER, first_name="Nina", last_name="Rossi")
    settings.PROFILE_PHOTO_MAX_BYTES = 100_000
    log_in(page, "nina@acme.test")
    page.goto("/accounts/profile/")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.method))

    page.get_by_label("Prénom").fill("Antonina")
    photo = page.get_by_label("Nouvelle photo")
    photo.set_input_files({"name": "big.jpg", "mimeType": "image/jpeg", "buffer": bytes(150_000)})
    page.get_by_role("button", name="Enregistrer").click()

    message = photo.evaluate("input => input.validationMessage").replace("\xa0", " ")
    assert message == "Cette image est trop lourde : 97,7 Kio au maximum."
    assert "POST" not in requests
    assert page.get_by_label("Prénom").input_value() == "Antonina"
    screenshot(page, "upload-limit-profile")

    photo.set_input_files({"name": "small.jpg", "mimeType": "image/jpeg", "buffer": bytes(50_000)})
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()

    assert "POST" in requests  # sent; the server says the zeros are no image, next to the field
    assert page.locator(".field--invalid").count() == 1
    assert User.objects.get(email="nina@acme.test").first_name == "Nina"
