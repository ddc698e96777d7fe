"""The cookie banner, the consent records behind it, and the audience measurement it gates."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from coworklib.accounts.models import User
from coworklib.privacy.consent_services import CONSENT_COOKIE_MAX_AGE, CONSENT_COOKIE_NAME
from coworklib.privacy.context_processors import CookieConsent
from coworklib.privacy.models import ConsentRecord

pytestmark = pytest.mark.django_db

CONSENT_URL = "/cookies/"
GTAG = "https://www.googletagmanager.com/gtag/js?id=G-TEST123"
BANNER = 'class="cookie-banner"'


@pytest.fixture
def measurement(settings: Any) -> None:
    settings.AUDIENCE_MEASUREMENT_ID = "G-TEST123"


def org_home() -> str:
    return reverse("organizations:home", kwargs={"slug": "acme"})


def page(client: Client, path: str = "/", **extra: Any) -> str:
    response = client.get(path, **extra)
    assert response.status_code == 200
    return response.content.decode()


def choose(client: Client, choice: str, **data: Any) -> Any:
    return client.post(CONSENT_URL, {"choice": choice, "next": "/", **data})


def forged(payload: dict[str, Any], salt: str = "coworklib.privacy.consent", key: str | None = None) -> str:
    return signing.dumps(payload, salt=salt, key=key)


def test_the_banner_shows_to_an_anonymous_visitor_before_any_choice(client: Client) -> None:
    html = page(client)
    assert BANNER in html
    assert 'role="region" aria-labelledby="cookie-banner-title"' in html
    assert CONSENT_COOKIE_NAME not in client.cookies
    assert ConsentRecord.objects.count() == 0


def test_refusing_is_as_prominent_as_accepting(client: Client) -> None:
    html = page(client)
    refuse = re.search(
        r'<button type="submit" class="([^"]+)" name="choice" value="refuse_all">Tout refuser</button>', html
    )
    accept = re.search(
        r'<button type="submit" class="([^"]+)" name="choice" value="accept_all">Tout accepter</button>', html
    )
    assert refuse and accept
    assert refuse.group(1) == accept.group(1)
    assert f'href="{CONSENT_URL}?next=/"' in html  # "Personnaliser"


def test_the_banner_works_without_javascript(client: Client) -> None:
    html = page(client, "/accounts/login/")
    form = re.search(r'<form class="cookie-banner__form" method="post" action="/cookies/">(.*?)</form>', html, re.S)
    assert form
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert '<input type="hidden" name="next" value="/accounts/login/">' in form.group(1)
    assert "<script" not in re.search(r'<section class="cookie-banner".*?</section>', html, re.S).group(0)  # type: ignore[union-attr]


def test_the_banner_names_google_analytics_when_measurement_is_configured(client: Client, measurement: None) -> None:
    assert "avec Google Analytics" in page(client)


def test_without_measurement_the_banner_says_only_necessary_cookies_are_used(client: Client, settings: Any) -> None:
    settings.AUDIENCE_MEASUREMENT_ID = ""
    html = page(client)
    assert "n'utilise aujourd'hui que des cookies strictement nécessaires" in html
    assert "Google Analytics" not in html


def test_the_banner_shows_to_a_signed_in_user_before_any_choice(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert BANNER in page(client, org_home())


def test_the_banner_links_to_the_privacy_policy(client: Client) -> None:
    assert f'href="{reverse("privacy:privacy_policy")}"' in page(client)


@pytest.mark.parametrize("choice", ["accept_all", "refuse_all"])
def test_the_banner_is_gone_once_the_visitor_chose(client: Client, choice: str) -> None:
    response = choose(client, choice)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert BANNER not in page(client)
    assert ConsentRecord.objects.count() == 1


@pytest.mark.parametrize("choice", ["accept_all", "refuse_all"])
def test_the_banner_is_gone_for_a_signed_in_user_who_chose(client: Client, alice: User, choice: str) -> None:
    client.force_login(alice)
    choose(client, choice)
    assert BANNER not in page(client, org_home())


def test_refusing_records_a_consent_with_no_category_tied_to_the_signed_in_user(
    client: Client, alice: User, settings: Any
) -> None:
    at = datetime(2027, 1, 12, 9, 30, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        client.force_login(alice)
        choose(client, "refuse_all")
    record = ConsentRecord.objects.get()
    assert record.user == alice
    assert record.categories == []
    assert record.version == settings.COOKIE_POLICY_VERSION
    assert record.created_at == at


def test_accepting_records_audience_with_version_and_date_tied_to_the_signed_in_user(
    client: Client, alice: User, settings: Any
) -> None:
    at = datetime(2027, 1, 12, 9, 30, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        client.force_login(alice)
        choose(client, "accept_all")
    record = ConsentRecord.objects.get()
    assert record.user == alice
    assert record.categories == ["audience"]
    assert record.version == settings.COOKIE_POLICY_VERSION
    assert record.created_at == at


def test_an_anonymous_choice_is_recorded_without_a_user_under_the_browsers_visitor_id(client: Client) -> None:
    choose(client, "refuse_all")
    choose(client, "accept_all")
    first, second = ConsentRecord.objects.order_by("created_at", "id")
    assert first.user is None and second.user is None
    assert first.visitor_id == second.visitor_id
    assert len(first.visitor_id) >= 20
    assert [first.categories, second.categories] == [[], ["audience"]]


def test_the_consent_cookie_is_httponly_lax_and_lasts_six_months(client: Client) -> None:
    response = choose(client, "refuse_all")
    cookie = response.cookies[CONSENT_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == CONSENT_COOKIE_MAX_AGE == 182 * 24 * 3600
    assert not cookie["secure"]


def test_the_consent_cookie_is_secure_when_session_cookies_are(client: Client, settings: Any) -> None:
    settings.SESSION_COOKIE_SECURE = True
    assert choose(client, "refuse_all").cookies[CONSENT_COOKIE_NAME]["secure"] is True


def test_a_tampered_consent_cookie_is_ignored(client: Client, measurement: None) -> None:
    choose(client, "refuse_all")
    value = client.cookies[CONSENT_COOKIE_NAME].value
    payload, signature = value.rsplit(":", 2)[0], value.split(":", 1)[1]
    assert not payload.startswith(".")  # not compressed: small enough
    decoded = signing.b64_decode(payload.encode()).decode()
    tampered = signing.b64_encode(decoded.replace('"c":[]', '"c":["audience"]').encode()).decode()
    client.cookies[CONSENT_COOKIE_NAME] = f"{tampered}:{signature}"
    html = page(client)
    assert BANNER in html
    assert GTAG not in html


@pytest.mark.parametrize(
    "cookie",
    [
        "accepted",
        forged({"v": "2026-12-05", "c": ["audience"], "id": "x", "at": 1_800_000_000}, salt="another.salt"),
        forged({"v": "2026-12-05", "c": ["audience"], "id": "x", "at": 1_800_000_000}, key="not-the-secret-key" * 3),
    ],
    ids=["plain", "wrong-salt", "wrong-key"],
)
def test_a_forged_consent_cookie_is_ignored(client: Client, measurement: None, settings: Any, cookie: str) -> None:
    settings.COOKIE_POLICY_VERSION = "2026-12-05"
    client.cookies[CONSENT_COOKIE_NAME] = cookie
    html = page(client)
    assert BANNER in html
    assert GTAG not in html


def test_a_new_cookie_policy_version_shows_the_banner_again(client: Client, settings: Any, measurement: None) -> None:
    settings.COOKIE_POLICY_VERSION = "2026-12-05"
    choose(client, "accept_all")
    assert GTAG in page(client)
    settings.COOKIE_POLICY_VERSION = "2027-03-01"
    html = page(client)
    assert BANNER in html
    assert GTAG not in html


def test_the_banner_shows_again_six_months_after_the_choice(client: Client) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        choose(client, "refuse_all")
    with time_machine.travel(start + timedelta(days=181), tick=False):
        assert BANNER not in page(client)
    with time_machine.travel(start + timedelta(days=183), tick=False):
        assert BANNER in page(client)


def test_a_signed_in_users_choice_follows_them_to_a_new_browser(alice: User, measurement: None) -> None:
    first_browser, new_browser = Client(), Client()
    first_browser.force_login(alice)
    choose(first_browser, "accept_all")
    new_browser.force_login(alice)
    html = page(new_browser, org_home())
    assert BANNER not in html
    assert GTAG in html


def test_a_choice_for_an_old_version_does_not_follow_the_user(alice: User, settings: Any) -> None:
    ConsentRecord.objects.create(user=alice, version="2020-01-01", categories=["audience"])
    client = Client()
    client.force_login(alice)
    assert BANNER in page(client, org_home())


def test_no_measurement_script_without_a_measurement_id(client: Client, settings: Any) -> None:
    settings.AUDIENCE_MEASUREMENT_ID = ""
    choose(client, "accept_all")
    html = page(client)
    assert "googletagmanager" not in html
    assert "measurement.js" not in html


def test_no_measurement_script_before_consent(client: Client, measurement: None) -> None:
    html = page(client)
    assert "googletagmanager" not in html
    assert "measurement.js" not in html


def test_no_measurement_script_after_refusal(client: Client, measurement: None) -> None:
    choose(client, "refuse_all")
    html = page(client)
    assert "googletagmanager" not in html
    assert "measurement.js" not in html


def test_the_measurement_script_is_added_after_acceptance_with_the_csp_nonce(client: Client, measurement: None) -> None:
    choose(client, "accept_all")
    response = client.get("/")
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert nonce
    assert f'<script async src="{GTAG}" nonce="{nonce.group(1)}"></script>' in html
    assert re.search(
        rf'src="/static/privacy/measurement.js" data-measurement-id="G-TEST123" nonce="{nonce.group(1)}"', html
    )


def test_no_measurement_script_for_a_processing_restricted_user_who_accepted(
    client: Client, alice: User, measurement: None
) -> None:
    alice.processing_restricted_at = timezone.now()
    alice.save(update_fields=["processing_restricted_at"])
    client.force_login(alice)
    choose(client, "accept_all")
    html = page(client, org_home())
    assert "googletagmanager" not in html
    assert BANNER not in html


@pytest.mark.parametrize(
    "target", ["https://evil.test/", "//evil.test/", "/\\evil.test", "javascript:alert(1)", "http://testserver/"]
)
def test_an_unsafe_next_is_refused(client: Client, target: str) -> None:
    response = client.post(CONSENT_URL, {"choice": "refuse_all", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == CONSENT_URL
    assert ConsentRecord.objects.count() == 1


def test_a_choice_returns_to_the_page_it_was_made_on(client: Client) -> None:
    response = client.post(CONSENT_URL, {"choice": "accept_all", "next": "/accounts/login/?next=/app/"})
    assert response.headers["Location"] == "/accounts/login/?next=/app/"


@pytest.mark.parametrize(
    ("ticked", "recorded"),
    [(["audience"], ["audience"]), ([], []), (["audience", "advertising"], ["audience"]), (["tracking"], [])],
)
def test_saving_per_category_records_exactly_the_known_categories_ticked(
    client: Client, ticked: list[str], recorded: list[str]
) -> None:
    response = client.post(CONSENT_URL, {"choice": "save", "categories": ticked})
    assert response.status_code == 302
    assert ConsentRecord.objects.get().categories == recorded


@pytest.mark.parametrize(
    "data", [{"choice": "refuse_all"}, {"choice": "save"}], ids=["refuse-all", "withdraw-on-settings-page"]
)
def test_refusing_expires_the_google_analytics_cookies_for_the_host_and_its_parent_domain(
    settings: Any, data: dict[str, str]
) -> None:
    settings.ALLOWED_HOSTS = ["app.coworklib.example"]
    client = Client(HTTP_HOST="app.coworklib.example")
    client.cookies["_ga"] = "GA1.1.123.456"
    client.cookies["_ga_TEST123"] = "GS1.1.789"
    client.cookies["django_language"] = "fr"
    response = client.post(CONSENT_URL, data)
    expired = [morsel for morsel in response.cookies.values() if morsel["max-age"] == "0"]
    assert {(morsel.key, morsel["domain"]) for morsel in expired} == {
        (name, domain)
        for name in ("_ga", "_ga_TEST123")
        for domain in ("", "app.coworklib.example", "coworklib.example")
    }
    assert all(morsel["path"] == "/" for morsel in expired)
    assert "django_language" not in response.cookies


def test_accepting_keeps_the_google_analytics_cookies(client: Client) -> None:
    client.cookies["_ga"] = "GA1.1.123.456"
    response = choose(client, "accept_all")
    assert [morsel.key for morsel in response.cookies.values()].count("_ga") == 0


def test_the_banner_is_in_english_for_english_visitors(client: Client, measurement: None) -> None:
    html = page(client, HTTP_ACCEPT_LANGUAGE="en")
    assert BANNER in html
    assert "Your cookie choices" in html
    assert ">Accept all</button>" in html
    assert ">Refuse all</button>" in html
    assert ">Customise</a>" in html
    assert "Tout refuser" not in html


def test_the_choices_page_opens_for_an_anonymous_visitor_with_nothing_ticked(client: Client, measurement: None) -> None:
    html = page(client, CONSENT_URL)
    assert "Vous n'avez pas encore fait de choix" in html
    box = re.search(r'<input type="checkbox" role="switch" id="category-audience"[^>]*>', html)
    assert box
    assert "checked" not in box.group(0)
    assert "sessionid" in html and "csrftoken" in html and CONSENT_COOKIE_NAME in html
    assert BANNER not in html  # the page itself offers the choices


def test_the_choices_page_shows_the_current_choice_and_its_date(client: Client, measurement: None) -> None:
    chosen_at = datetime(2027, 1, 12, 9, 30, tzinfo=UTC)
    with time_machine.travel(chosen_at, tick=False):
        choose(client, "accept_all")
    # Read back the next day, still on the frozen clock: the signed cookie only lives 182 days.
    with time_machine.travel(chosen_at + timedelta(days=1), tick=False):
        html = page(client, CONSENT_URL)
    assert "Enregistré le 12 janvier 2027, 10:30." in html  # Paris time
    assert re.search(r'<input type="checkbox" role="switch" id="category-audience"[^>]* checked>', html)


def test_the_choices_page_says_no_optional_cookie_is_used_when_measurement_is_off(
    client: Client, settings: Any
) -> None:
    settings.AUDIENCE_MEASUREMENT_ID = ""
    html = page(client, CONSENT_URL)
    assert "Ce site n'utilise actuellement aucun cookie facultatif" in html
    response = client.post(CONSENT_URL, {"choice": "save"})
    assert response.headers["Location"] == CONSENT_URL
    assert ConsentRecord.objects.get().categories == []


def test_the_choices_page_keeps_where_the_visitor_came_from(client: Client) -> None:
    html = page(client, f"{CONSENT_URL}?next=/accounts/login/")
    assert '<input type="hidden" name="next" value="/accounts/login/">' in html
    assert 'name="next" value="https' not in page(client, f"{CONSENT_URL}?next=https://evil.test/")


def test_an_anonymous_visitors_consent_costs_no_query(django_assert_num_queries: Any) -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.COOKIES[CONSENT_COOKIE_NAME] = "garbage"
    with django_assert_num_queries(0):
        state = CookieConsent(request)
        assert state.show_banner is True
        assert state.measurement_enabled is False


def test_a_signed_in_users_consent_costs_at_most_one_query_per_page(
    alice: User, django_assert_num_queries: Any
) -> None:
    request = RequestFactory().get("/")
    request.user = alice
    with django_assert_num_queries(1):
        state = CookieConsent(request)
        assert state.show_banner is True
        assert state.measurement_enabled is False
        assert state.choice is None


def test_the_csp_allows_google_analytics_only_when_a_measurement_id_is_set() -> None:
    script = (
        "from django.conf import settings; print(settings.SECURE_CSP['script-src'], settings.SECURE_CSP['connect-src'])"
    )

    def csp_with(measurement_id: str) -> str:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "AUDIENCE_MEASUREMENT_ID": measurement_id}
        command = [sys.executable, "-c", f"import django; django.setup(); {script}"]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout

    assert "google" not in csp_with("")
    allowed = csp_with("G-TEST123")
    assert "https://www.googletagmanager.com" in allowed
    assert "https://*.google-analytics.com" in allowed
