from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from coworklib.accounts.models import User


def profile_data(**overrides: str) -> dict[str, str]:
    data = {
        "first_name": "Bob",
        "last_name": "Bernard",
        "job_title": "",
        "language": "fr",
        "timezone": "Europe/Paris",
    }
    data.update(overrides)
    return data


@pytest.fixture
def signed_in(bob: User, client: Client) -> Client:
    client.force_login(bob)
    return client


def test_the_profile_page_needs_a_signed_in_user(db: Any, client: Client) -> None:
    response = client.get("/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_profile_page_shows_the_form_and_the_settings_navigation(signed_in: Client) -> None:
    response = signed_in.get("/accounts/profile/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Bob"' in html
    assert 'aria-current="page"' in html
    for url in ("/accounts/email/", "/accounts/password/change/", "/accounts/2fa/", "/accounts/tokens/"):
        assert f'href="{url}"' in html
    assert 'enctype="multipart/form-data"' in html


def test_saving_the_profile_changes_every_field(bob: User, signed_in: Client) -> None:
    response = signed_in.post(
        "/accounts/profile/",
        profile_data(first_name=" Robert ", last_name="Bernard-Lévy", job_title="Architecte", timezone="Asia/Tokyo"),
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    bob.refresh_from_db()
    assert (bob.first_name, bob.last_name, bob.job_title, bob.timezone) == (
        "Robert",
        "Bernard-Lévy",
        "Architecte",
        "Asia/Tokyo",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timezone", "Mars/Olympus_Mons"),
        ("language", "de"),
        ("first_name", "x" * 151),
        ("job_title", "y" * 151),
        ("first_name", "Bo\x07b"),
        ("first_name", "  "),
    ],
)
def test_an_invalid_value_is_shown_next_to_its_field_and_nothing_changes(
    bob: User, signed_in: Client, field: str, value: str
) -> None:
    response = signed_in.post("/accounts/profile/", profile_data(last_name="Changed", **{field: value}))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert 'value="Changed"' in html  # what was typed is kept
    bob.refresh_from_db()
    assert bob.last_name == "Bernard"
    assert f">{bob.display_name}<" in html  # the page itself still shows the saved name


def test_changing_the_language_switches_the_site_at_once(bob: User, signed_in: Client) -> None:
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # an earlier choice in the language switch

    response = signed_in.post("/accounts/profile/", profile_data(language="en"), follow=True)

    bob.refresh_from_db()
    assert bob.language == "en"
    assert signed_in.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in response.content.decode()


def test_keeping_the_language_leaves_the_cookie_alone(bob: User, signed_in: Client) -> None:
    response = signed_in.post("/accounts/profile/", profile_data(job_title="Designer"))

    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_time_zone_set_through_the_api_outside_the_list_stays_selectable(bob: User, signed_in: Client) -> None:
    User.objects.filter(pk=bob.pk).update(timezone="US/Eastern")

    response = signed_in.get("/accounts/profile/")

    assert '<option value="US/Eastern" selected>' in response.content.decode()


def test_removing_a_photo_needs_a_post(signed_in: Client) -> None:
    assert signed_in.get("/accounts/profile/photo/remove/").status_code == 405
