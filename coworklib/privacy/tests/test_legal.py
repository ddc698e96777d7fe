"""The legal pages (legal notice, privacy policy, terms) in both languages, the footer links, and the
re-acceptance of a new version of the terms."""

import html
import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from coworklib.accounts.models import LegalAcceptance, User
from coworklib.accounts.tests.test_signup import confirmation_link, signup_data
from coworklib.privacy.legal import has_accepted_current_terms
from coworklib.privacy.middleware import TermsAcceptanceMiddleware

pytestmark = pytest.mark.django_db

NOTICE_URL = "/legal/notice/"
PRIVACY_URL = "/legal/privacy/"
TERMS_URL = "/legal/terms/"
ACCEPT_URL = "/legal/terms/accept/"
NEW_VERSION = "2027-03-01"


def text(response: Any) -> str:
    """The page as a reader sees it: tags removed, entities decoded, spaces collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(without_tags))


def in_english(client: Client) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def new_terms(settings: Any, alice: User) -> None:
    """The terms move on after alice accepted the previous version (as every member of the cast did)."""
    settings.TERMS_VERSION = NEW_VERSION


@pytest.fixture
def full_operator(settings: Any) -> None:
    settings.OPERATOR_NAME = "Bureaux Partagés SAS"
    settings.OPERATOR_REGISTRATION = "SAS au capital de 10 000 €, RCS Lyon 123 456 789"
    settings.OPERATOR_ADDRESS = "12 rue de la République, 69002 Lyon"
    settings.OPERATOR_EMAIL = "contact@bureaux.test"
    settings.OPERATOR_PHONE = "+33 4 00 00 00 00"
    settings.OPERATOR_PUBLICATION_DIRECTOR = "Camille Martin"
    settings.OPERATOR_DPO_EMAIL = "dpo@bureaux.test"
    settings.OPERATOR_HOST = "Hébergeur Exemple SAS, 1 quai de Seine, 75019 Paris"


@pytest.fixture
def bare_operator(settings: Any) -> None:
    settings.OPERATOR_NAME = "Coworklib"
    settings.OPERATOR_EMAIL = "privacy@coworklib.test"
    settings.OPERATOR_DPO_EMAIL = "privacy@coworklib.test"
    for name in ("REGISTRATION", "ADDRESS", "PHONE", "PUBLICATION_DIRECTOR", "HOST"):
        setattr(settings, f"OPERATOR_{name}", "")


def accepted_versions(user: User) -> set[str]:
    return set(LegalAcceptance.objects.filter(user=user, document="terms").values_list("version", flat=True))


# --- The documents ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "title", "key_phrase"),
    [
        (NOTICE_URL, "Mentions légales", "Éditeur du service"),
        (PRIVACY_URL, "Politique de confidentialité", "Vos droits, et comment les exercer"),
        (TERMS_URL, "Conditions d'utilisation", "Le service est réservé aux personnes de 18 ans ou plus."),
    ],
)
def test_each_legal_page_is_a_french_document_by_default(client: Client, url: str, title: str, key_phrase: str) -> None:
    response = client.get(url)

    assert response.status_code == 200
    assert f"<title>{html.escape(title)} · Coworklib</title>" in response.content.decode()
    assert '<html lang="fr">' in response.content.decode()
    assert key_phrase in text(response)


@pytest.mark.parametrize(
    ("url", "title", "key_phrase"),
    [
        (NOTICE_URL, "Legal notice", "Publisher of the service"),
        (PRIVACY_URL, "Privacy policy", "Your rights, and how to exercise them"),
        (TERMS_URL, "Terms of use", "The service is for people aged 18 or over."),
    ],
)
def test_each_legal_page_is_an_english_document_in_english(
    client: Client, url: str, title: str, key_phrase: str
) -> None:
    response = in_english(client).get(url)

    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert f'<h1 id="legal-title">{title}</h1>' in response.content.decode()
    assert key_phrase in text(response)
    assert "Éditeur du service" not in text(response)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_legal_notice_shows_every_operator_detail_from_the_settings(
    client: Client, full_operator: None, language: str
) -> None:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language

    page = text(client.get(NOTICE_URL))

    for detail in (
        "Bureaux Partagés SAS",
        "SAS au capital de 10 000 €, RCS Lyon 123 456 789",
        "12 rue de la République, 69002 Lyon",
        "contact@bureaux.test",
        "+33 4 00 00 00 00",
        "Camille Martin",
        "Hébergeur Exemple SAS, 1 quai de Seine, 75019 Paris",
    ):
        assert detail in page


@pytest.mark.parametrize(
    ("language", "absent_labels"),
    [
        ("fr", ["Forme juridique", "Adresse ", "Téléphone", "Directeur ou directrice", "Hébergeur"]),
        ("en", ["Legal form", "Address ", "Phone", "Publication director", "Host "]),
    ],
)
def test_the_legal_notice_leaves_out_each_line_whose_setting_is_empty(
    client: Client, bare_operator: None, language: str, absent_labels: list[str]
) -> None:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get(NOTICE_URL)
    page = text(response)

    assert "Coworklib" in page
    assert "privacy@coworklib.test" in page
    for label in absent_labels:
        assert label not in page
    assert "None" not in page
    assert "<dd></dd>" not in response.content.decode()


def test_the_privacy_policy_names_the_controller_and_the_data_protection_contact(
    client: Client, full_operator: None
) -> None:
    page = text(client.get(PRIVACY_URL))

    assert "Le responsable du traitement est Bureaux Partagés SAS, 12 rue de la République, 69002 Lyon" in page
    assert "dpo@bureaux.test" in page
    assert "Hébergement : Hébergeur Exemple SAS" in page


def test_the_privacy_policy_shows_its_version_and_date_at_the_top(client: Client, settings: Any) -> None:
    settings.PRIVACY_POLICY_VERSION = "2026-12-05"

    french = text(client.get(PRIVACY_URL))
    english = text(in_english(Client()).get(PRIVACY_URL))

    assert "Version 2026-12-05 · mise à jour le 5 décembre 2026" in french
    assert "Version 2026-12-05 · last updated on 5 December 2026" in english


def test_a_version_that_is_not_a_date_is_shown_as_it_is(client: Client, settings: Any) -> None:
    settings.TERMS_VERSION = "v3"

    assert "Version v3" in text(client.get(TERMS_URL))


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        (
            "fr",
            [
                "pendant 700 jours (environ 23 mois), nous vous prévenons par e-mail",
                "anonymisé après 730 jours (environ 24 mois) d'inactivité",
                "expire au bout de 72 heures",
                "effacé au bout de 365 jours",
            ],
        ),
        (
            "en",
            [
                "for 700 days (about 23 months), we warn you by e-mail",
                "anonymised after 730 days (about 24 months) of inactivity",
                "expires after 72 hours",
                "erased after 365 days",
            ],
        ),
    ],
)
def test_the_privacy_policy_prints_the_retention_periods_from_the_settings(
    client: Client, settings: Any, language: str, phrases: list[str]
) -> None:
    settings.INACTIVITY_WARNING_DAYS = 700
    settings.INACTIVITY_ERASURE_DAYS = 730
    settings.DATA_EXPORT_VALIDITY_HOURS = 72
    settings.LOGIN_HISTORY_DAYS = 365
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language

    page = text(client.get(PRIVACY_URL))

    for phrase in phrases:
        assert phrase in page


def test_changing_the_retention_settings_changes_the_policy(client: Client, settings: Any) -> None:
    settings.INACTIVITY_WARNING_DAYS = 335
    settings.INACTIVITY_ERASURE_DAYS = 365
    settings.DATA_EXPORT_VALIDITY_HOURS = 24

    page = text(client.get(PRIVACY_URL))

    assert "pendant 335 jours (environ 11 mois)" in page
    assert "après 365 jours (environ 12 mois) d'inactivité" in page
    assert "expire au bout de 24 heures" in page


def test_the_privacy_policy_describes_what_the_software_collects(client: Client) -> None:
    page = text(client.get(PRIVACY_URL))

    for category in (
        "poste occupé",
        "photo de profil",
        "L'historique de vos connexions : date et heure, adresse IP, navigateur",
        "Vos sessions : dates et heures, espace de travail, description, visibilité, participants",
        "Vos espaces favoris et les espaces que vous avez consultés récemment",
        "Les restrictions d'accès qu'un administrateur a fixées",
        "formulaire de contact",
        "abonnements aux notifications push",
        "ne voit ni ne conserve jamais les numéros de carte bancaire",
        "Un membre peut vous ajouter à un groupe",
        "« Utilisateur supprimé »",
        "n'est pas destiné aux personnes de moins de 18 ans",
        "GET /api/v1/me/export",
    ):
        assert category in page


def test_the_privacy_policy_lists_the_necessary_cookies_and_no_measurement_when_it_is_off(
    client: Client, settings: Any
) -> None:
    settings.AUDIENCE_MEASUREMENT_ID = ""

    page = text(client.get(PRIVACY_URL))

    for cookie in ("sessionid", "csrftoken", "django_language", "cwl_consent"):
        assert cookie in page
    assert "6 mois" in page  # the consent cookie's lifetime
    assert "_ga" not in page
    assert "Google Analytics" not in page
    assert "La mesure d'audience n'est pas activée sur ce site" in page


def test_the_privacy_policy_names_google_analytics_and_its_cookies_when_measurement_is_configured(
    client: Client, settings: Any
) -> None:
    settings.AUDIENCE_MEASUREMENT_ID = "G-TEST123"

    page = text(client.get(PRIVACY_URL))

    assert "_ga , _ga_…" in page
    assert "Mesure d'audience, seulement avec votre accord" in page
    assert "Google Analytics (Google Ireland Limited et Google LLC), chargé uniquement si vous l'acceptez" in page


def test_the_privacy_policy_names_the_cnil_without_loading_or_linking_anything_of_it(client: Client) -> None:
    content = client.get(PRIVACY_URL).content.decode()

    assert "www.cnil.fr" in content
    assert not re.search(r"(href|src)=\"[^\"]*cnil", content)


def test_the_terms_show_their_version_and_what_happens_when_they_change(client: Client, settings: Any) -> None:
    settings.TERMS_VERSION = "2026-12-05"

    page = text(client.get(TERMS_URL))

    assert "Version 2026-12-05 · mise à jour le 5 décembre 2026" in page
    assert "il vous est demandé de l'accepter lors de votre prochaine visite" in page
    assert "Ces conditions sont soumises au droit français." in page
    assert "restrictions d'accès" in page


@pytest.mark.parametrize("url", [NOTICE_URL, PRIVACY_URL, TERMS_URL])
def test_each_legal_page_links_to_the_others_and_to_contact_cookies_and_your_data(client: Client, url: str) -> None:
    content = client.get(url).content.decode()

    for name in (
        "privacy:legal_notice",
        "privacy:privacy_policy",
        "privacy:terms",
        "privacy:contact",
        "privacy:consent",
    ):
        assert f'href="{reverse(name)}"' in content
    if url != NOTICE_URL:
        assert f'href="{reverse("privacy:my_data")}"' in content
    assert 'aria-current="page"' in content


def test_the_legal_pages_load_nothing_from_another_host(client: Client, settings: Any) -> None:
    settings.AUDIENCE_MEASUREMENT_ID = ""
    for url in (NOTICE_URL, PRIVACY_URL, TERMS_URL):
        content = client.get(url).content.decode()
        assert not re.search(r"(src|href)=\"(https?:)?//", content), url


# --- The footer ---------------------------------------------------------------------------------


def test_the_footer_of_the_home_page_links_to_every_legal_page_the_cookies_and_contact(client: Client) -> None:
    content = client.get("/").content.decode()
    footer = content[content.index('<footer class="footer">') :]

    for label, name in (
        ("Mentions légales", "privacy:legal_notice"),
        ("Confidentialité", "privacy:privacy_policy"),
        ("Conditions d'utilisation", "privacy:terms"),
        ("Cookies", "privacy:consent"),
        ("Contact", "privacy:contact"),
    ):
        # {% translate %} output is not escaped: an apostrophe in a text node is harmless.
        assert f'<a href="{reverse(name)}">{label}</a>' in footer


def test_the_footer_links_are_translated_in_english(client: Client) -> None:
    content = in_english(client).get("/").content.decode()

    assert f'<a href="{reverse("privacy:legal_notice")}">Legal notice</a>' in content
    assert f'<a href="{reverse("privacy:privacy_policy")}">Privacy</a>' in content
    assert f'<a href="{reverse("privacy:terms")}">Terms of use</a>' in content


def test_the_signup_form_links_its_checkbox_to_the_terms_and_the_privacy_policy(client: Client) -> None:
    content = client.get("/accounts/signup/").content.decode()

    assert f'<a href="{reverse("privacy:terms")}">conditions d\'utilisation</a>' in html.unescape(content)
    assert f'<a href="{reverse("privacy:privacy_policy")}">politique de confidentialité</a>' in html.unescape(content)
    assert 'name="accept_terms"' in content


# --- Re-accepting new terms ---------------------------------------------------------------------


def test_a_member_who_accepted_the_current_terms_goes_straight_to_the_page(client: Client, alice: User) -> None:
    response = logged_in(client, alice).get("/accounts/profile/")

    assert response.status_code == 200


def test_a_member_who_accepted_an_older_version_is_sent_to_accept_the_new_one(
    client: Client, alice: User, new_terms: None
) -> None:
    response = logged_in(client, alice).get("/accounts/profile/?tab=photo")

    assert response.status_code == 302
    assert response["Location"] == ACCEPT_URL + "?next=%2Faccounts%2Fprofile%2F%3Ftab%3Dphoto"
    assert NEW_VERSION not in accepted_versions(alice)


def test_the_acceptance_page_summarises_the_changes_and_links_to_the_full_terms(
    client: Client, alice: User, new_terms: None
) -> None:
    response = logged_in(client, alice).get(ACCEPT_URL + "?next=/accounts/profile/")
    page = text(response)

    assert response.status_code == 200
    assert "Nos conditions d'utilisation évoluent" in page
    assert f"Version {NEW_VERSION} · mise à jour le 1 mars 2027" in page
    assert "Ce qui change" in page
    assert "Un compte inutilisé pendant 24 mois est anonymisé" in page
    assert f'href="{TERMS_URL}"' in response.content.decode()
    assert 'name="accept" ' in response.content.decode()
    assert 'value="/accounts/profile/"' in response.content.decode()


def test_the_acceptance_page_is_in_english_for_an_english_speaker(client: Client, alice: User, new_terms: None) -> None:
    page = text(in_english(logged_in(client, alice)).get(ACCEPT_URL))

    assert "Our terms of use are changing" in page
    assert "What changes" in page
    assert "An account left unused for 24 months is anonymised" in page
    assert "Accept and continue" in page


def test_accepting_records_the_current_version_and_the_original_page_then_works(
    client: Client, alice: User, new_terms: None
) -> None:
    logged_in(client, alice)

    response = client.post(ACCEPT_URL, {"accept": "on", "next": "/accounts/profile/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    assert NEW_VERSION in accepted_versions(alice)
    assert client.get("/accounts/profile/").status_code == 200


def test_accepting_twice_keeps_one_record(client: Client, alice: User, new_terms: None) -> None:
    logged_in(client, alice)

    client.post(ACCEPT_URL, {"accept": "on"})
    client.post(ACCEPT_URL, {"accept": "on"})

    assert LegalAcceptance.objects.filter(user=alice, document="terms", version=NEW_VERSION).count() == 1


def test_accepting_without_ticking_the_box_shows_an_error_and_records_nothing(
    client: Client, alice: User, new_terms: None
) -> None:
    logged_in(client, alice)

    response = client.post(ACCEPT_URL, {"next": "/accounts/profile/"})

    assert response.status_code == 200
    assert "Cochez la case pour accepter les conditions d'utilisation" in text(response)
    assert 'aria-invalid="true"' in response.content.decode()
    assert 'value="/accounts/profile/"' in response.content.decode()
    assert NEW_VERSION not in accepted_versions(alice)
    assert client.get("/accounts/profile/").status_code == 302


@pytest.mark.parametrize(
    "hostile",
    ["https://evil.test/", "//evil.test/", "/\\evil.test", "http://testserver.evil.test/", "javascript:alert(1)"],
)
def test_accepting_with_a_hostile_next_lands_on_the_dashboard(
    client: Client, alice: User, new_terms: None, hostile: str
) -> None:
    logged_in(client, alice)

    response = client.post(ACCEPT_URL, {"accept": "on", "next": hostile})

    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")
    assert NEW_VERSION in accepted_versions(alice)


def test_a_member_who_never_accepted_any_terms_must_accept_too(client: Client, alice: User) -> None:
    LegalAcceptance.objects.filter(user=alice, document="terms").delete()

    redirected = logged_in(client, alice).get("/app/")
    page = text(client.get(ACCEPT_URL))

    assert redirected.status_code == 302
    assert redirected["Location"].startswith(ACCEPT_URL)
    assert "Acceptez les conditions d'utilisation" in page
    assert "L'essentiel" in page


def test_the_acceptance_page_sends_someone_who_already_accepted_on_to_next(client: Client, alice: User) -> None:
    response = logged_in(client, alice).get(ACCEPT_URL + "?next=/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"


def test_the_acceptance_page_asks_an_anonymous_visitor_to_sign_in(client: Client) -> None:
    response = client.get(ACCEPT_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "path",
    [
        NOTICE_URL,
        PRIVACY_URL,
        TERMS_URL,
        "/cookies/",
        "/contact/",
        "/accounts/data/",
        "/accounts/data/export/",
        "/accounts/delete/",
        "/accounts/logout/",
        "/api/v1/me",
        "/healthz",
        "/static/css/app.css",
        "/staff/admin/",
        "/sw.js",
        "/manifest.webmanifest",
        "/notifications/unsubscribe/not-a-real-token/",
        "/calendar/not-a-real-token.ics",
        "/o/acme/sessions/1/session.ics",
    ],
)
def test_paths_to_read_leave_or_take_ones_data_are_not_redirected(
    client: Client, alice: User, new_terms: None, path: str
) -> None:
    response = logged_in(client, alice).get(path)

    assert not response.get("Location", "").startswith(ACCEPT_URL)
    assert NEW_VERSION not in accepted_versions(alice)


def test_a_form_being_submitted_is_answered_not_redirected(client: Client, alice: User, new_terms: None) -> None:
    response = logged_in(client, alice).post(
        "/accounts/profile/", {"first_name": "Alicia", "last_name": "Arnaud", "language": "fr", "timezone": "UTC"}
    )

    assert not response.get("Location", "").startswith(ACCEPT_URL)
    alice.refresh_from_db()
    assert alice.first_name == "Alicia"


def test_an_htmx_request_is_answered_not_redirected(client: Client, alice: User, new_terms: None) -> None:
    response = logged_in(client, alice).get("/accounts/profile/", headers={"HX-Request": "true"})

    assert response.status_code == 200


def test_the_api_answers_a_member_with_old_terms(client: Client, alice: User, new_terms: None) -> None:
    from conftest import bearer

    response = client.get("/api/v1/me", headers=bearer(alice))

    assert response.status_code == 200


def test_someone_who_just_signed_up_is_not_asked_again(client: Client) -> None:
    client.post("/accounts/signup/", signup_data())
    link = confirmation_link(mail.outbox[0])
    client.post(link)  # confirming the address signs them in

    response = client.get("/app/")

    assert "_auth_user_id" in client.session
    assert response.status_code == 200
    assert accepted_versions(User.objects.get(email="nina@example.test")) == {django_settings.TERMS_VERSION}


# --- Cost -----------------------------------------------------------------------------------------


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def test_the_middleware_costs_no_query_for_an_anonymous_visitor(django_assert_num_queries: Any) -> None:
    request = RequestFactory().get("/app/")
    request.user = AnonymousUser()

    with django_assert_num_queries(0):
        response = TermsAcceptanceMiddleware(_ok)(request)

    assert response.status_code == 200


def test_the_middleware_asks_the_database_once_per_request(alice: User, django_assert_num_queries: Any) -> None:
    request = RequestFactory().get("/app/")
    request.user = alice

    with django_assert_num_queries(1):
        response = TermsAcceptanceMiddleware(_ok)(request)
        assert has_accepted_current_terms(request)

    assert response.status_code == 200


def test_the_middleware_costs_no_query_on_an_exempt_path(alice: User, django_assert_num_queries: Any) -> None:
    request = RequestFactory().get("/api/v1/me")
    request.user = alice

    with django_assert_num_queries(0):
        response = TermsAcceptanceMiddleware(_ok)(request)

    assert response.status_code == 200
