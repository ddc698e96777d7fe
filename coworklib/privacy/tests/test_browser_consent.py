"""The cookie promise in a real browser: nothing leaves for another host before consent, and
"Tout refuser" leaves no cookie but the strictly necessary ones. Every request the pages make
goes through a route that lets the live server's through and aborts (and records) any other."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import ARTIFACTS, PASSWORD, make_member, screenshot
from coworklib.organizations.models import Organization, Role
from coworklib.privacy.models import ConsentRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NECESSARY = {"sessionid", "csrftoken", "django_language"}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


@pytest.fixture(autouse=True)
def measurement_configured(settings: Any) -> None:
    """A measurement id, and the CSP a deployment with one has (config/settings.py adds it at start-up).

    Without those hosts in the CSP the browser would block gtag.js itself and the
    negative control could not show that a leak reaches the network.
    """
    settings.AUDIENCE_MEASUREMENT_ID = "G-TEST123"
    settings.SECURE_CSP = {
        directive: list(sources) + settings.AUDIENCE_MEASUREMENT_CSP.get(directive, [])
        for directive, sources in settings.SECURE_CSP.items()
    }


class Visitor:
    """A browser context whose every request to a host other than the live server is aborted and recorded."""

    def __init__(self, browser: Any, live_server: Any, width: int) -> None:
        self.context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 844}, locale="fr-FR", device_scale_factor=1
        )
        self.base_url = live_server.url
        self.outside: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)

    def _route(self, route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.page.wait_for_load_state("networkidle")

    def cookie_names(self) -> set[str]:
        return {cookie["name"] for cookie in self.context.cookies()}

    def banner(self) -> Any:
        return self.page.get_by_role("region", name="Vos choix de cookies")

    def log_in(self, email: str) -> None:
        self.goto("/accounts/login/")
        self.page.locator("input[name=login]").fill(email)
        self.page.locator("input[name=password]").fill(PASSWORD)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Se connecter", exact=True).click()
        self.page.wait_for_load_state("networkidle")


@pytest.fixture
def nina(transactional_db: Any) -> None:
    """Owner of Acme, to sign in as."""
    make_member(Organization.objects.create(name="Acme", slug="acme"), "nina@acme.test", Role.OWNER, first_name="Nina")


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Visitor]:
    visitor = Visitor(browser, live_server, 390)
    yield visitor
    visitor.context.close()


def viewport_shot(page: Any, name: str) -> None:
    """What the visitor sees on arrival (the banner is sticky: a full-page picture would move it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_nothing_leaves_for_another_host_before_a_choice_and_refusing_keeps_only_necessary_cookies(
    phone: Visitor, nina: None
) -> None:
    # (a) Before any choice: the home page, the login page, and signed-in pages.
    phone.goto("/")
    assert phone.banner().is_visible()
    box = phone.banner().bounding_box()
    assert box["height"] < 844 / 2, box  # the page stays usable under it
    assert phone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    viewport_shot(phone.page, "consent-banner-phone")
    phone.log_in("nina@acme.test")
    phone.goto("/o/acme/")
    assert phone.banner().is_visible()
    phone.goto("/o/acme/members/")
    assert phone.outside == []
    assert phone.cookie_names() <= NECESSARY
    assert "sessionid" in phone.cookie_names()

    # (b) "Tout refuser", with the keyboard, then several pages. Cookies an earlier
    # acceptance would have left must go too.
    phone.context.add_cookies(
        [{"name": name, "value": "GA1.1.1.1", "url": phone.base_url} for name in ("_ga", "_ga_TEST123")]
    )
    refuse = phone.banner().get_by_role("button", name="Tout refuser")
    refuse.focus()
    with phone.page.expect_navigation():
        phone.page.keyboard.press("Enter")
    phone.page.wait_for_load_state("networkidle")
    assert phone.page.url.endswith("/o/acme/members/")
    assert phone.banner().count() == 0
    record = ConsentRecord.objects.get()
    assert record.categories == []
    assert record.user is not None and record.user.email == "nina@acme.test"
    for path in ["/o/acme/", "/o/acme/members/", "/cookies/", "/", "/o/acme/"]:
        phone.goto(path)
        assert phone.banner().count() == 0
    assert phone.outside == []
    assert phone.cookie_names() <= NECESSARY | {"cwl_consent"}
    consent_cookie = next(cookie for cookie in phone.context.cookies() if cookie["name"] == "cwl_consent")
    assert consent_cookie["httpOnly"] is True
    assert consent_cookie["sameSite"] == "Lax"


def test_accepting_loads_the_measurement_tag_so_the_route_would_see_a_leak(phone: Visitor) -> None:
    # Negative control: the same route does see Google's host once the visitor accepts.
    phone.goto("/")
    assert phone.outside == []
    with phone.page.expect_request(lambda request: "www.googletagmanager.com" in request.url):
        phone.banner().get_by_role("button", name="Tout accepter").click()
    phone.page.wait_for_load_state("networkidle")
    assert any(url.startswith("https://www.googletagmanager.com/gtag/js?id=G-TEST123") for url in phone.outside)
    assert ConsentRecord.objects.get().categories == ["audience"]


def test_the_choices_page_saves_a_choice_per_category(phone: Visitor) -> None:
    phone.goto("/")
    phone.banner().get_by_role("link", name="Personnaliser").click()
    phone.page.wait_for_url("**/cookies/?next=/")
    switch = phone.page.get_by_role("switch", name="J'accepte : Mesure d'audience")
    assert not switch.is_checked()
    assert phone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone.page, "consent-page-phone")
    switch.check()
    with phone.page.expect_navigation():
        phone.page.get_by_role("button", name="Enregistrer", exact=True).click()
    assert ConsentRecord.objects.get().categories == ["audience"]
    assert phone.page.get_by_text("Vos choix de cookies sont enregistrés.").is_visible()
    phone.goto("/cookies/")
    assert phone.page.get_by_role("switch", name="J'accepte : Mesure d'audience").is_checked()
    viewport_shot(phone.page, "consent-page-phone-saved")


def test_the_banner_and_choices_page_on_a_desktop(browser: Any, live_server: Any) -> None:
    desktop = Visitor(browser, live_server, 1280)
    desktop.goto("/")
    box = desktop.banner().bounding_box()
    assert box["height"] < 844 / 3, box
    viewport_shot(desktop.page, "consent-banner-desktop")
    desktop.goto("/cookies/")
    screenshot(desktop.page, "consent-page-desktop")
    assert desktop.outside == []
    desktop.context.close()
