"""The three privacy journeys of issue 6 in a real browser at phone width, in French and in English:
refuse cookies, download one's data, delete one's account. Each journey's duration is printed (with -s)
for the closing note; it is not asserted (STYLE.md: timings belong in benchmarks)."""

import io
import json
import time
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from conftest import PASSWORD, make_member, screenshot
from coworklib.accounts.models import User
from coworklib.organizations.models import Organization, Role
from coworklib.privacy.models import ConsentRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "fr": {
        "locale": "fr-FR",
        "log_in": "Se connecter",
        "banner": "Vos choix de cookies",
        "refuse": "Tout refuser",
        "account": "Vos données",
        "prepare": "Préparer mon export",
        "download": "Télécharger le fichier ZIP",
        "delete_link": "Supprimer mon compte…",
        "password": "Votre mot de passe",
        "confirm": "Je comprends que la suppression est définitive",
        "delete": "Supprimer définitivement mon compte",
        "deleted": "Votre compte est supprimé",
        "note": "LISEZMOI.txt",
    },
    "en": {
        "locale": "en-GB",
        "log_in": "Sign in",
        "banner": "Your cookie choices",
        "refuse": "Refuse all",
        "account": "Your data",
        "prepare": "Prepare my export",
        "download": "Download the ZIP file",
        "delete_link": "Delete my account…",
        "password": "Your password",
        "confirm": "I understand that deletion is final",
        "delete": "Delete my account for good",
        "deleted": "Your account is deleted",
        "note": "README.txt",
    },
}


@pytest.fixture(params=["fr", "en"])
def language(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def person(transactional_db: Any, language: str) -> User:
    acme = Organization.objects.create(name="Acme", slug="acme")
    make_member(acme, "owner@acme.test", Role.OWNER, first_name="Olga")
    return make_member(acme, "lea@acme.test", Role.MEMBER, first_name="Léa", last_name="Martin", language=language)


@pytest.fixture
def page(browser: Any, live_server: Any, language: str) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        locale=WORDS[language]["locale"],
        device_scale_factor=1,
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_refuse_cookies_download_the_data_and_delete_the_account(page: Any, person: User, language: str) -> None:
    words = WORDS[language]
    timings: dict[str, float] = {}

    started = time.monotonic()
    page.goto("/")
    page.get_by_role("region", name=words["banner"]).get_by_role("button", name=words["refuse"]).click()
    page.wait_for_load_state()
    assert page.get_by_role("region", name=words["banner"]).count() == 0
    timings["refuse cookies"] = time.monotonic() - started
    assert ConsentRecord.objects.get().categories == []

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(person.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name=words["log_in"], exact=True).click()
    page.wait_for_load_state()

    started = time.monotonic()
    page.goto("/accounts/profile/")
    page.get_by_role("link", name=words["account"]).click()
    page.get_by_role("button", name=words["prepare"]).click()
    page.locator(".spinner").wait_for()
    call_command("worker", "--batch", verbosity=0)  # the worker ./run starts beside the web server
    download_button = page.get_by_role("link", name=words["download"])
    download_button.wait_for()  # the card asks again every two seconds, then shows the button
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"my-data-phone-{language}")
    with page.expect_download() as download_info:
        download_button.click()
    archive = zipfile.ZipFile(io.BytesIO(open(download_info.value.path(), "rb").read()))  # noqa: SIM115
    timings["download the data"] = time.monotonic() - started
    assert words["note"] in archive.namelist()
    assert json.loads(archive.read("coworklib-personal-data.json"))["accounts"]["profile"]["first_name"] == "Léa"

    started = time.monotonic()
    page.get_by_role("link", name=words["delete_link"]).click()
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_label(words["confirm"]).check()
    screenshot(page, f"delete-account-phone-{language}")
    page.get_by_role("button", name=words["delete"]).click()
    page.wait_for_url("**/")
    assert page.get_by_text(words["deleted"]).is_visible()
    timings["delete the account"] = time.monotonic() - started
    person.refresh_from_db()
    assert person.is_deleted
    print(f"\n{language}: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items()))
