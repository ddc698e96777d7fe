"""The shared cast (STYLE.md): an owner, an admin and a member of one
organization, and an outsider who owns another one."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.management import call_command

from coworklib.accounts.models import ApiToken, User
from coworklib.accounts.services import record_signup_acceptances
from coworklib.organizations.models import Membership, Organization, Role

PASSWORD = "correct-horse-battery-staple"
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with test-sized costs: same algorithm and encoding as production.

    Its hashes verify with the production hasher (the parameters are in the
    encoded hash), so tests still exercise Argon2, only far faster.
    """

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Every test creates its cast of users; production-cost Argon2 would dominate the run.
    settings.PASSWORD_HASHERS = ["conftest.FastArgon2PasswordHasher", *settings.PASSWORD_HASHERS[1:]]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files go to a folder of the test's own, removed with it."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(scope="session", autouse=True)
def cache_table(django_db_setup: Any, django_db_blocker: Any) -> None:
    # Login throttling, allauth's rate limits and TOTP replay protection live in
    # the database cache (the default): make sure its table exists in the test database.
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


def make_user(email: str, *, first_name: str = "", last_name: str = "", **extra: Any) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, first_name=first_name, last_name=last_name, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    # As after signing up: the current terms, privacy policy and 18+ attestation accepted, so the
    # terms middleware lets the cast through (tests of re-acceptance change TERMS_VERSION).
    record_signup_acceptances(user=user)
    return user


def make_member(organization: Organization, email: str, role: str = Role.MEMBER, **extra: Any) -> User:
    user = make_user(email, **extra)
    Membership.objects.create(organization=organization, user=user, role=role)
    return user


@pytest.fixture
def acme(db: Any) -> Organization:
    return Organization.objects.create(name="Acme", slug="acme")


@pytest.fixture
def globex(db: Any) -> Organization:
    return Organization.objects.create(name="Globex", slug="globex")


@pytest.fixture
def alice(acme: Organization) -> User:
    """Owner of Acme."""
    return make_member(acme, "alice@acme.test", Role.OWNER, first_name="Alice", last_name="Arnaud")


@pytest.fixture
def bob(acme: Organization) -> User:
    """A plain member of Acme."""
    return make_member(acme, "bob@acme.test", Role.MEMBER, first_name="Bob", last_name="Bernard")


@pytest.fixture
def carol(acme: Organization) -> User:
    """An admin of Acme."""
    return make_member(acme, "carol@acme.test", Role.ADMIN, first_name="Carol", last_name="Colin")


@pytest.fixture
def olivia(globex: Organization) -> User:
    """The outsider: owner of Globex, nothing to do with Acme."""
    return make_member(globex, "olivia@globex.test", Role.OWNER, first_name="Olivia", last_name="Ortiz")


def bearer(user: User) -> dict[str, str]:
    _, raw = ApiToken.issue(user=user, name="tests")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium (./test exports COWORKLIB_CHROMIUM); browser tests are skipped without it."""
    path = os.environ.get("COWORKLIB_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.skip("no chromium binary on PATH")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def new_phone_page(browser: Any, live_server: Any) -> Any:
    """A page at phone width (390 × 844), French, with the live server as base URL, in a browser whose
    person already answered the cookie banner ("Tout refuser"): journeys that are not about consent
    start as for anyone who used the site before. Close it with ``page.context.close()``."""
    from django.conf import settings
    from django.http import HttpResponse
    from django.utils import timezone

    from coworklib.privacy.consent_services import CONSENT_COOKIE_NAME, ConsentChoice, set_consent_cookie

    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="fr-FR", device_scale_factor=1
    )
    refused = ConsentChoice(
        version=settings.COOKIE_POLICY_VERSION, categories=frozenset(), visitor_id="tests", chosen_at=timezone.now()
    )
    answered = HttpResponse()
    set_consent_cookie(answered, refused)
    context.add_cookies(
        [{"name": CONSENT_COOKIE_NAME, "value": answered.cookies[CONSENT_COOKIE_NAME].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def phone_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A page at phone width (``new_phone_page``)."""
    page = new_phone_page(browser, live_server)
    yield page
    page.context.close()


def screenshot(page: Any, name: str) -> None:
    """Keeps a picture of the page for people to look at (test-artifacts/, not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
