"""The no-show delay: after how many minutes a going participant without a check-in gives their seat back."""

from typing import Any

import pytest
from django.test import Client

from coworklib.accounts.models import User
from coworklib.core.errors import InvalidInput
from coworklib.core.models import AuditEntry
from coworklib.organizations import services
from coworklib.organizations.models import Membership, Organization
from coworklib.organizations.tests.conftest import Api

SETTINGS_URL = "/o/acme/console/settings/"


def settings_form(**changes: Any) -> dict[str, Any]:
    return {"name": "Acme", "slug": "acme", "allow_join_requests": "on", **changes}


def delay_of(organization: Organization) -> int | None:
    organization.refresh_from_db()
    return organization.no_show_release_minutes


def test_it_is_off_by_default(acme: Organization) -> None:
    assert acme.no_show_release_minutes is None


def test_the_settings_page_shows_the_field(client: Client, alice: User, acme: Organization) -> None:
    client.force_login(alice)

    html = client.get(SETTINGS_URL).content.decode()

    assert 'name="no_show_release_minutes"' in html
    assert "Libérer la place d&#x27;un participant sans check-in après (minutes)" in html


def test_the_settings_page_saves_a_delay_and_audits_it(client: Client, alice: User, acme: Organization) -> None:
    client.force_login(alice)

    response = client.post(SETTINGS_URL, settings_form(no_show_release_minutes="30"))

    assert response.status_code == 302
    assert delay_of(acme) == 30
    entry = AuditEntry.objects.get(organization=acme, action="organization.settings_changed")
    assert entry.details["changes"] == {"no_show_release_minutes": [None, 30]}
    activity = client.get("/o/acme/console/activity/").content.decode()
    assert "la libération des places sans check-in" in activity


def test_an_empty_delay_turns_it_off(client: Client, alice: User, acme: Organization) -> None:
    acme.no_show_release_minutes = 30
    acme.save()
    client.force_login(alice)

    response = client.post(SETTINGS_URL, settings_form(no_show_release_minutes=""))

    assert response.status_code == 302
    assert delay_of(acme) is None


@pytest.mark.parametrize("minutes", ["0", "4", "241", "1000", "-5", "trente"])
def test_a_delay_out_of_range_is_refused_next_to_the_field(
    client: Client, alice: User, acme: Organization, minutes: str
) -> None:
    client.force_login(alice)

    response = client.post(SETTINGS_URL, settings_form(no_show_release_minutes=minutes, name="Acme SA"))

    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_no_show_release_minutes_error"' in html
    assert f'value="{minutes}"' in html  # nothing typed is lost
    acme.refresh_from_db()
    assert (acme.name, acme.no_show_release_minutes) == ("Acme", None)


def test_a_plain_member_cannot_change_it(client: Client, bob: User, acme: Organization) -> None:
    client.force_login(bob)

    response = client.post(SETTINGS_URL, settings_form(no_show_release_minutes="30"))

    assert response.status_code == 403
    assert delay_of(acme) is None


@pytest.mark.parametrize("minutes", [0, 4, 241, 1000])
def test_the_service_refuses_a_delay_out_of_range(alice: User, acme: Organization, minutes: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.update_organization_settings(
            by=Membership.objects.get(user=alice, organization=acme), no_show_release_minutes=minutes
        )

    assert refused.value.extra["errors"][0]["loc"] == ["no_show_release_minutes"]
    assert delay_of(acme) is None


def test_the_service_leaves_the_delay_alone_when_not_given(alice: User, acme: Organization) -> None:
    acme.no_show_release_minutes = 15
    acme.save()

    services.update_organization_settings(by=Membership.objects.get(user=alice, organization=acme), name="Acme SA")

    assert delay_of(acme) == 15


# --- API ----------------------------------------------------------------------------------------------------


def test_the_api_shows_the_delay(api: Api, bob: User, acme: Organization) -> None:
    response = api("GET", "/organizations/acme", bob)

    assert response.status_code == 200
    assert response.json()["no_show_release_minutes"] is None


@pytest.mark.parametrize("minutes", [5, 45, 240, 60.0])
def test_the_api_sets_the_delay(api: Api, carol: User, acme: Organization, minutes: float) -> None:
    response = api("PATCH", "/organizations/acme", carol, {"no_show_release_minutes": minutes})

    assert response.status_code == 200
    assert response.json()["no_show_release_minutes"] == minutes
    assert delay_of(acme) == minutes


def test_the_api_turns_it_off_with_null(api: Api, carol: User, acme: Organization) -> None:
    acme.no_show_release_minutes = 30
    acme.save()

    response = api("PATCH", "/organizations/acme", carol, {"no_show_release_minutes": None})

    assert response.status_code == 200
    assert response.json()["no_show_release_minutes"] is None
    assert delay_of(acme) is None


def test_the_api_keeps_the_delay_when_it_is_left_out(api: Api, carol: User, acme: Organization) -> None:
    acme.no_show_release_minutes = 30
    acme.save()

    response = api("PATCH", "/organizations/acme", carol, {"name": "Acme SA", "allow_join_requests": None})

    assert response.status_code == 200
    assert delay_of(acme) == 30


@pytest.mark.parametrize("minutes", [0, 4, 241, 1000, "30", True, 30.5])
def test_the_api_refuses_a_delay_out_of_range_with_422(api: Api, carol: User, acme: Organization, minutes: Any) -> None:
    response = api("PATCH", "/organizations/acme", carol, {"no_show_release_minutes": minutes, "name": "Acme SA"})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    acme.refresh_from_db()
    assert (acme.name, acme.no_show_release_minutes) == ("Acme", None)


def test_a_member_cannot_set_the_delay_through_the_api(api: Api, bob: User, acme: Organization) -> None:
    response = api("PATCH", "/organizations/acme", bob, {"no_show_release_minutes": 30})

    assert response.status_code == 403
    assert delay_of(acme) is None
