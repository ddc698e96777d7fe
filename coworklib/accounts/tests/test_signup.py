import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from coworklib.accounts.models import LegalAcceptance, User

STRONG_PASSWORD = "violet-tramway-42-carafe"


def signup_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "first_name": "Nina",
        "last_name": "Nouvel",
        "email": "nina@example.test",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        "accept_terms": "on",
        "is_adult": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def confirmation_link(message: Any) -> str:
    match = re.search(r"http://\S+/accounts/confirm-email/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def test_signup_creates_the_account_with_names_and_records_the_three_acceptances(
    db: Any, client: Client, settings: Any
) -> None:
    settings.TERMS_VERSION = "2026-11-26"
    settings.PRIVACY_POLICY_VERSION = "2026-10-01"

    response = client.post("/accounts/signup/", signup_data())

    assert response.status_code == 302
    user = User.objects.get(email="nina@example.test")
    assert (user.first_name, user.last_name) == ("Nina", "Nouvel")
    acceptances = {(a.document, a.version) for a in LegalAcceptance.objects.filter(user=user)}
    assert acceptances == {("terms", "2026-11-26"), ("privacy", "2026-10-01"), ("adult", "2026-11-26")}


@pytest.mark.parametrize("missing", ["accept_terms", "is_adult"])
def test_signup_is_refused_without_each_required_attestation(db: Any, client: Client, missing: str) -> None:
    response = client.post("/accounts/signup/", signup_data(**{missing: None}))

    assert response.status_code == 200
    assert response.context["form"].errors[missing]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not User.objects.filter(email="nina@example.test").exists()
    assert not LegalAcceptance.objects.exists()


@pytest.mark.parametrize("missing", ["first_name", "last_name"])
def test_signup_requires_first_and_last_name(db: Any, client: Client, missing: str) -> None:
    response = client.post("/accounts/signup/", signup_data(**{missing: None}))

    assert response.status_code == 200
    assert missing in response.context["form"].errors
    assert not User.objects.exists()


def test_signup_sends_the_confirmation_email_and_the_account_is_not_verified_yet(db: Any, client: Client) -> None:
    client.post("/accounts/signup/", signup_data())

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@example.test"]
    assert mail.outbox[0].subject.startswith("[Coworklib]")
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert not EmailAddress.objects.get(email="nina@example.test").verified
    assert "_auth_user_id" not in client.session


def test_confirming_the_email_verifies_it_and_logs_in(db: Any, client: Client) -> None:
    client.post("/accounts/signup/", signup_data())
    link = confirmation_link(mail.outbox[0])

    page = client.get(link)
    response = client.post(link)

    assert page.status_code == 200
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="nina@example.test").verified
    assert client.session["_auth_user_id"] == str(User.objects.get(email="nina@example.test").pk)


def test_signup_stores_the_password_with_argon2(db: Any, client: Client) -> None:
    client.post("/accounts/signup/", signup_data())

    assert User.objects.get(email="nina@example.test").password.startswith("argon2")


def test_a_200_character_password_is_accepted_and_works(db: Any, client: Client) -> None:
    long_password = "Une phrase de passe vraiment très longue, " * 5
    assert len(long_password) >= 200

    response = client.post("/accounts/signup/", signup_data(password1=long_password, password2=long_password))

    assert response.status_code == 302
    user = User.objects.get(email="nina@example.test")
    assert user.check_password(long_password)
    assert not user.check_password(long_password[:72])


@pytest.mark.parametrize("password", ["court1!", "password123", "12345678"])
def test_short_common_or_numeric_passwords_are_refused(db: Any, client: Client, password: str) -> None:
    response = client.post("/accounts/signup/", signup_data(password1=password, password2=password))

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.exists()


def test_signup_with_an_address_already_taken_creates_nothing_and_does_not_say_so(
    db: Any, client: Client, bob: User
) -> None:
    # Bob accepted the documents when he signed up (the cast's make_user): nothing more may be recorded.
    accepted_before = list(LegalAcceptance.objects.filter(user=bob).values_list("pk", flat=True))
    response = client.post("/accounts/signup/", signup_data(email="bob@acme.test"))

    # allauth prevents enumeration: the same "check your e-mail" answer, and an
    # e-mail to the real owner instead of a form error.
    assert response.status_code == 302
    assert User.objects.filter(email="bob@acme.test").count() == 1
    assert list(LegalAcceptance.objects.filter(user=bob).values_list("pk", flat=True)) == accepted_before


def test_signup_page_has_labelled_fields_and_one_primary_action(db: Any, client: Client) -> None:
    response = client.get("/accounts/signup/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "page--narrow" in html
    for field in ("first_name", "last_name", "email", "password1", "password2", "accept_terms", "is_adult"):
        assert f'for="id_{field}"' in html
    assert html.count('type="submit" class="button button--block"') == 1
    assert 'href="/accounts/login/"' in html


def test_argon2_is_the_production_password_hasher() -> None:
    import config.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_an_address_typed_in_capitals_is_stored_in_lower_case_and_logs_in_through_the_api(
    db: Any, client: Client
) -> None:
    client.post("/accounts/signup/", signup_data(email="Nina@Example.TEST"))
    EmailAddress.objects.filter(email__iexact="nina@example.test").update(verified=True)

    response = client.post(
        "/api/v1/auth/token",
        data={"email": "NINA@example.test", "password": STRONG_PASSWORD},
        content_type="application/json",
    )

    assert User.objects.get().email == "nina@example.test"
    assert response.status_code == 200
