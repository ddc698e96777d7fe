"""The demo data of API.md: the logins work in the web app and the API, and seeding is idempotent."""

import json
from typing import Any

from django.core.management import call_command
from django.test import Client

from coworklib.accounts.models import User
from coworklib.organizations.models import Membership, Organization
from coworklib.workspaces.models import Workspace


def test_seed_demo_creates_the_organizations_and_members_of_the_contract(db: Any) -> None:
    call_command("seed_demo")

    demo = Organization.objects.get(slug="demo")
    other = Organization.objects.get(slug="other")
    assert demo.name == "Coworklib Démo"
    assert other.name == "Autre Organisation"
    assert Membership.objects.get(organization=demo, user__email="admin@demo.coworklib.test").role == "owner"
    assert Membership.objects.get(organization=other, user__email="admin@other.coworklib.test").role == "owner"
    assert Membership.objects.filter(organization=demo, role="member").count() == 30
    assert Membership.objects.filter(organization=other, role="member").count() == 5
    assert User.objects.filter(email="member30@demo.coworklib.test").exists()
    assert Workspace.objects.filter(organization=demo).count() >= 4


def test_seed_demo_twice_changes_nothing(db: Any) -> None:
    call_command("seed_demo")
    counts = (User.objects.count(), Membership.objects.count(), Organization.objects.count())

    call_command("seed_demo")

    assert (User.objects.count(), Membership.objects.count(), Organization.objects.count()) == counts


def test_demo_login_works_through_the_api(db: Any, client: Client) -> None:
    call_command("seed_demo")

    response = client.post(
        "/api/v1/auth/token",
        data=json.dumps({"email": "member01@demo.coworklib.test", "password": "coworklib-demo"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["email"] == "member01@demo.coworklib.test"
    assert me["organizations"][0]["name"] == "Coworklib Démo"


def test_demo_login_works_in_the_web_app(db: Any, client: Client) -> None:
    call_command("seed_demo")

    response = client.post(
        "/accounts/login/", {"login": "admin@demo.coworklib.test", "password": "coworklib-demo"}, follow=True
    )

    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated
    assert response.wsgi_request.user.email == "admin@demo.coworklib.test"
