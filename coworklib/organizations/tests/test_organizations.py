"""Creating an organization and changing its settings."""

import html
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from coworklib.accounts.models import User
from coworklib.core.errors import Conflict, InvalidInput
from coworklib.core.models import AuditEntry
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.organizations.services import create_organization, update_organization_settings
from coworklib.organizations.tests.conftest import Api, give_mfa
from coworklib.organizations.throttling import CREATION_ATTEMPTS_PER_WINDOW, CREATION_WINDOW_SECONDS, CreationThrottled


def test_creator_becomes_the_only_owner(dave: User) -> None:
    organization = create_organization(user=dave, name="Café Lumière")

    membership = Membership.objects.get(organization=organization)
    assert membership.user == dave
    assert membership.role == Role.OWNER
    assert AuditEntry.objects.filter(organization=organization, action="organization.created", actor=dave).exists()


def test_slug_is_derived_from_the_name_without_accents(dave: User) -> None:
    organization = create_organization(user=dave, name="  Café   Lumière ")

    assert organization.slug == "cafe-lumiere"
    assert organization.name == "Café Lumière"


def test_derived_slug_gets_a_suffix_when_taken(dave: User, acme: Organization) -> None:
    first = create_organization(user=dave, name="Acme")
    second = create_organization(user=dave, name="ACME")

    assert (first.slug, second.slug) == ("acme-2", "acme-3")


def test_derived_slug_is_never_all_digits(dave: User) -> None:
    organization = create_organization(user=dave, name="2026")

    assert organization.slug == "org-2026"


def test_a_name_without_any_letter_gets_a_generic_slug(dave: User) -> None:
    organization = create_organization(user=dave, name="!!!")

    assert organization.slug == "organisation"


def test_an_explicit_slug_already_taken_is_a_conflict(dave: User, acme: Organization) -> None:
    with pytest.raises(Conflict) as caught:
        create_organization(user=dave, name="Autre", slug="acme")

    assert caught.value.code == "slug_taken"
    assert Organization.objects.count() == 1


@pytest.mark.parametrize("slug", ["123", "Bad Slug", "-acme", "acme-", "é", "a" * 51])
def test_an_invalid_explicit_slug_is_refused(dave: User, slug: str) -> None:
    with pytest.raises(InvalidInput):
        create_organization(user=dave, name="Autre", slug=slug)

    assert not Organization.objects.exists()


def test_creating_an_organization_makes_it_the_last_one(dave: User) -> None:
    organization = create_organization(user=dave, name="Nouvelle")

    dave.refresh_from_db()
    assert dave.last_organization == organization


def test_api_create_returns_the_organization_with_my_role(api: Api, dave: User) -> None:
    response = api("POST", "/organizations", dave, {"name": "Globex Lyon", "slug": "globex-lyon"})

    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "globex-lyon"
    assert body["role"] == "owner"
    assert body["allow_join_requests"] is True
    assert Organization.objects.get(slug="globex-lyon").memberships.get().user == dave


def test_api_create_with_a_taken_slug_is_409(api: Api, dave: User, acme: Organization) -> None:
    response = api("POST", "/organizations", dave, {"name": "Autre", "slug": "acme"})

    assert response.status_code == 409
    assert response.json()["code"] == "slug_taken"
    assert Organization.objects.count() == 1


# --- Creation is rate-limited per person (throttling.py says why) ------------------------------------------


def _use_up_creations(user: User) -> None:
    for number in range(CREATION_ATTEMPTS_PER_WINDOW):
        create_organization(user=user, name=f"Organisation {number}")


def test_the_eleventh_creation_within_an_hour_is_throttled_by_the_api(api: Api, dave: User) -> None:
    _use_up_creations(dave)

    response = api("POST", "/organizations", dave, {"name": "Une de trop"})

    assert response.status_code == 429
    assert response.json() == {"detail": response.json()["detail"], "code": "throttled"}
    assert "Réessayez dans 60 minutes" in response.json()["detail"]
    assert 3590 <= int(response["Retry-After"]) <= 3600
    assert not Organization.objects.filter(name="Une de trop").exists()


def test_probing_taken_slugs_uses_up_the_allowance(api: Api, dave: User, acme: Organization) -> None:
    for _attempt in range(CREATION_ATTEMPTS_PER_WINDOW):
        assert api("POST", "/organizations", dave, {"name": "Sonde", "slug": "acme"}).status_code == 409

    response = api("POST", "/organizations", dave, {"name": "Sonde", "slug": "globex"})

    assert response.status_code == 429
    assert Organization.objects.count() == 1


def test_invalid_input_does_not_use_up_the_allowance(api: Api, dave: User) -> None:
    for _attempt in range(CREATION_ATTEMPTS_PER_WINDOW + 2):
        api("POST", "/organizations", dave, {"name": "ok", "slug": "123"})

    assert api("POST", "/organizations", dave, {"name": "Valable"}).status_code == 201


def test_the_allowance_is_per_person(dave: User, bob: User) -> None:
    _use_up_creations(dave)

    with pytest.raises(CreationThrottled):
        create_organization(user=dave, name="Une de trop")
    assert create_organization(user=bob, name="Chez Bob").memberships.get().user == bob


def test_the_allowance_comes_back_after_an_hour(dave: User) -> None:
    _use_up_creations(dave)

    with time_machine.travel(timezone.now() + timedelta(seconds=CREATION_WINDOW_SECONDS + 1)):
        organization = create_organization(user=dave, name="Le lendemain")

    assert organization.memberships.get().user == dave


def test_the_create_page_explains_the_limit(client: Client, dave: User) -> None:
    _use_up_creations(dave)
    client.force_login(dave)

    response = client.post("/organizations/new/", {"name": "Une de trop", "slug": ""})

    content = html.unescape(response.content.decode())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "beaucoup d'organisations en peu de temps" in content
    assert 'value="Une de trop"' in content
    assert not Organization.objects.filter(name="Une de trop").exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": 42},
        {"name": None},
        {"name": "x" * 121},
        {"name": "ok", "slug": "123"},
        {"name": "ok", "slug": "Acme"},
        {"name": "ok", "slug": 5},
        {"name": "nul\x00byte"},
        [],
        "not json",
    ],
)
def test_api_create_with_bad_input_is_422_and_creates_nothing(api: Api, dave: User, body: Any) -> None:
    response = api("POST", "/organizations", dave, body)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert not Organization.objects.exists()


def test_my_organizations_lists_each_with_my_role(api: Api, alice: User, olivia: User, globex: Organization) -> None:
    Membership.objects.create(organization=globex, user=alice, role=Role.MEMBER)

    response = api("GET", "/organizations", alice)

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [(item["slug"], item["role"]) for item in response.json()["items"]] == [
        ("acme", "owner"),
        ("globex", "member"),
    ]


def test_get_organization_accepts_id_or_slug(api: Api, acme: Organization, bob: User) -> None:
    by_slug = api("GET", "/organizations/acme", bob).json()
    by_id = api("GET", f"/organizations/{acme.pk}", bob).json()

    assert by_slug == by_id
    assert by_slug["role"] == "member"
    assert by_slug["name"] == "Acme"


# --- Settings ------------------------------------------------------------------------------


def test_admin_renames_and_changes_slug(api: Api, acme: Organization, carol: User) -> None:
    response = api("PATCH", "/organizations/acme", carol, {"name": "Acme SA", "slug": "acme-sa"})

    assert response.status_code == 200
    assert response.json()["slug"] == "acme-sa"
    acme.refresh_from_db()
    assert (acme.name, acme.slug) == ("Acme SA", "acme-sa")
    entry = AuditEntry.objects.get(organization=acme, action="organization.settings_changed")
    assert entry.details["changes"] == {"name": ["Acme", "Acme SA"], "slug": ["acme", "acme-sa"]}


def test_changing_to_a_taken_slug_is_409(api: Api, acme: Organization, globex: Organization, carol: User) -> None:
    response = api("PATCH", "/organizations/acme", carol, {"slug": "globex"})

    assert response.status_code == 409
    acme.refresh_from_db()
    assert acme.slug == "acme"


def test_member_cannot_change_settings(api: Api, acme: Organization, bob: User) -> None:
    response = api("PATCH", "/organizations/acme", bob, {"allow_join_requests": False})

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    acme.refresh_from_db()
    assert acme.allow_join_requests is True


def test_requiring_mfa_needs_mfa_of_ones_own(acme: Organization, alice: User) -> None:
    membership = Membership.objects.get(organization=acme, user=alice)

    with pytest.raises(Conflict) as caught:
        update_organization_settings(by=membership, require_mfa_for_admins=True)

    assert caught.value.code == "mfa_not_configured"
    acme.refresh_from_db()
    assert acme.require_mfa_for_admins is False


def test_owner_with_mfa_can_require_it_for_admins(acme: Organization, alice: User) -> None:
    give_mfa(alice)
    membership = Membership.objects.get(organization=acme, user=alice)

    update_organization_settings(by=membership, require_mfa_for_admins=True)

    acme.refresh_from_db()
    assert acme.require_mfa_for_admins is True


def test_unchanged_settings_record_nothing(acme: Organization, alice: User) -> None:
    membership = Membership.objects.get(organization=acme, user=alice)

    update_organization_settings(by=membership, name="Acme", allow_join_requests=True)

    assert not AuditEntry.objects.filter(action="organization.settings_changed").exists()


# --- Web -----------------------------------------------------------------------------------


def test_create_page_creates_and_opens_the_organization(client: Client, dave: User) -> None:
    client.force_login(dave)

    response = client.post("/organizations/new/", {"name": "Initech", "slug": ""})

    organization = Organization.objects.get(name="Initech")
    assert response.status_code == 302
    assert response["Location"] == f"/o/{organization.slug}/"
    assert organization.memberships.get().role == Role.OWNER


def test_create_page_keeps_what_was_typed_after_an_error(client: Client, dave: User, acme: Organization) -> None:
    client.force_login(dave)

    response = client.post("/organizations/new/", {"name": "Mon entreprise", "slug": "acme"})

    assert response.status_code == 409
    content = response.content.decode()
    assert 'value="Mon entreprise"' in content
    assert "Cet identifiant est déjà pris" in content
    assert 'aria-invalid="true"' in content
    assert Organization.objects.count() == 1


def test_create_page_lowercases_a_typed_slug(client: Client, dave: User) -> None:
    client.force_login(dave)

    client.post("/organizations/new/", {"name": "Initech", "slug": "Initech-Paris"})

    assert Organization.objects.filter(slug="initech-paris").exists()


def test_settings_page_saves_and_follows_the_new_slug(client: Client, acme: Organization, alice: User) -> None:
    client.force_login(alice)

    response = client.post("/o/acme/console/settings/", {"name": "Acme SA", "slug": "acme-sa"})

    assert response.status_code == 302
    assert response["Location"] == "/o/acme-sa/console/settings/"
    acme.refresh_from_db()
    assert (acme.slug, acme.allow_join_requests) == ("acme-sa", False)


def test_settings_page_shows_the_mfa_error_next_to_the_checkbox(
    client: Client, acme: Organization, alice: User
) -> None:
    client.force_login(alice)

    response = client.post(
        "/o/acme/console/settings/",
        {"name": "Acme", "slug": "acme", "allow_join_requests": "on", "require_mfa_for_admins": "on"},
    )

    assert response.status_code == 409
    assert 'id="id_require_mfa_for_admins_error"' in response.content.decode()
    acme.refresh_from_db()
    assert acme.require_mfa_for_admins is False
