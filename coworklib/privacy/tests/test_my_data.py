""" "Vos données": the ZIP export, the restriction switch and the deletion page (promise 3)."""

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, make_member
from coworklib.accounts.models import User
from coworklib.accounts.photos import process_profile_photo
from coworklib.accounts.services import update_profile
from coworklib.accounts.tests.test_mfa import totp_code
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.planning import services as planning
from coworklib.planning.tests.factories import at
from coworklib.privacy.exports import build_data_export, delete_expired_exports, request_data_export
from coworklib.privacy.models import DataExport
from coworklib.privacy.services import erase_user
from coworklib.privacy.tests.canary import photo_with_metadata
from coworklib.workspaces.tests.factories import make_workspace, membership_of


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def built_export(user: User, capture: Any) -> DataExport:
    """A ready export of ``user``, built as the worker builds it."""
    with capture(execute=False):
        export = request_data_export(user=user)
    with capture(execute=True):  # the e-mail leaves once the export is marked ready
        assert build_data_export(export_id=export.pk)
    export.refresh_from_db()
    return export


def zip_of(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


# --- The page -----------------------------------------------------------------------


def test_the_page_needs_a_signed_in_person(client: Client, db: Any) -> None:
    response = client.get("/accounts/data/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_offers_every_right_in_french(bob: User) -> None:
    html = signed_in(bob).get("/accounts/data/").content.decode()
    for text in (
        "Télécharger vos données",
        "Préparer mon export",
        "Corriger vos données",
        "Limiter le traitement de mes données",
        "Changer mes choix de cookies",
        "Supprimer mon compte",
    ):
        assert text in html, text


def test_the_page_speaks_english_to_an_english_speaker(bob: User) -> None:
    User.objects.filter(pk=bob.pk).update(language="en")
    client = signed_in(bob)
    html = client.get("/accounts/data/", headers={"accept-language": "en"}).content.decode()
    assert "Download your data" in html and "Delete my account" in html
    assert "Télécharger vos données" not in html


# --- The export -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_builds_the_zip_and_emails_its_link(bob: User, alice: User) -> None:
    update_profile(user=bob, photo=process_profile_photo(photo_with_metadata("portrait")))
    bob.refresh_from_db()
    client = signed_in(bob)
    response = client.post("/accounts/data/export/")
    assert response.status_code == 302
    export = DataExport.objects.get(user=bob)
    assert export.status == DataExport.Status.PENDING
    assert "Préparation de votre export" in client.get("/accounts/data/").content.decode()

    call_command("worker", "--batch", verbosity=0)

    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    assert export.expires_at == export.ready_at + timedelta(hours=72)  # type: ignore[operator]
    [message] = [message for message in mail.outbox if message.to == ["bob@acme.test"]]
    assert "prêtes" in message.subject
    link = f"/accounts/data/export/{export.key}/"
    assert link in message.body
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith('attachment; filename="coworklib-')
    archive = zip_of(download)
    names = archive.namelist()
    assert "coworklib-personal-data.json" in names and "LISEZMOI.txt" in names
    assert f"photos/{bob.photo.name}" in names and f"photos/{bob.photo_thumbnail.name}" in names
    data = json.loads(archive.read("coworklib-personal-data.json"))
    assert data["accounts"]["profile"]["email"] == "bob@acme.test"
    assert "alice@acme.test" not in archive.read("coworklib-personal-data.json").decode()
    export.refresh_from_db()
    assert export.downloaded_at is not None


def test_the_export_page_shows_the_download_once_ready(bob: User, django_capture_on_commit_callbacks: Any) -> None:
    export = built_export(bob, django_capture_on_commit_callbacks)
    client = signed_in(bob)
    fragment = client.get("/accounts/data/?part=export", headers={"HX-Request": "true"}).content.decode()
    assert f'href="/accounts/data/export/{export.key}/"' in fragment
    assert "hx-trigger" not in fragment  # no more polling once it is ready


def test_a_pending_export_polls_until_it_is_ready(bob: User, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        request_data_export(user=bob)
    fragment = signed_in(bob).get("/accounts/data/?part=export", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "<html" not in fragment


def test_the_english_zip_has_an_english_note(bob: User, django_capture_on_commit_callbacks: Any) -> None:
    User.objects.filter(pk=bob.pk).update(language="en")
    bob.refresh_from_db()
    export = built_export(bob, django_capture_on_commit_callbacks)
    archive = zip_of(signed_in(bob).get(f"/accounts/data/export/{export.key}/"))
    assert "README.txt" in archive.namelist()
    assert "Your Coworklib data" in archive.read("README.txt").decode()


def test_two_clicks_make_one_export(bob: User, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = request_data_export(user=bob)
        second = request_data_export(user=bob)
    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert DataExport.objects.filter(user=bob).count() == 1


def test_a_new_export_replaces_the_previous_one_and_its_file(
    bob: User, media_root: Any, django_capture_on_commit_callbacks: Any
) -> None:
    old = built_export(bob, django_capture_on_commit_callbacks)
    assert (media_root / old.file.name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        request_data_export(user=bob)
    assert not DataExport.objects.filter(pk=old.pk).exists()
    assert not (media_root / old.file.name).exists()


def test_nobody_else_can_download_it(
    bob: User, carol: User, olivia: User, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    export = built_export(bob, django_capture_on_commit_callbacks)
    link = f"/accounts/data/export/{export.key}/"
    assert signed_in(carol).get(link).status_code == 404
    assert signed_in(olivia).get(link).status_code == 404
    anonymous = client.get(link)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    export.refresh_from_db()
    assert export.downloaded_at is None


def test_an_expired_link_says_so_and_the_file_goes_with_the_daily_run(
    bob: User, media_root: Any, django_capture_on_commit_callbacks: Any
) -> None:
    export = built_export(bob, django_capture_on_commit_callbacks)
    later = timezone.now() + timedelta(hours=73)
    with time_machine.travel(later, tick=False):
        response = signed_in(bob).get(f"/accounts/data/export/{export.key}/", follow=True)
        assert "Ce lien de téléchargement a expiré" in response.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            assert delete_expired_exports() == 1
    assert not DataExport.objects.filter(pk=export.pk).exists()
    assert not (media_root / export.file.name).exists()


def test_an_account_erased_while_its_export_was_being_built_leaves_no_file(
    bob: User, media_root: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        export = request_data_export(user=bob)
    erase_user(user=bob)
    assert build_data_export(export_id=export.pk) is False
    exports_folder = media_root / "exports"
    assert not exports_folder.exists() or list(exports_folder.iterdir()) == []


def test_building_twice_builds_once(bob: User, django_capture_on_commit_callbacks: Any) -> None:
    export = built_export(bob, django_capture_on_commit_callbacks)
    assert build_data_export(export_id=export.pk) is False
    assert len([message for message in mail.outbox if message.to == ["bob@acme.test"]]) == 1


# --- Restriction of processing ------------------------------------------------------------


def test_the_restriction_switch_turns_on_and_off(bob: User) -> None:
    client = signed_in(bob)
    response = client.post("/accounts/data/restriction/", {"restricted": "on"}, follow=True)
    bob.refresh_from_db()
    assert bob.processing_restricted_at is not None
    assert "Traitement limité" in response.content.decode()
    client.post("/accounts/data/restriction/", {"restricted": "off"})
    bob.refresh_from_db()
    assert bob.processing_restricted_at is None


# --- Deletion ---------------------------------------------------------------------------


def delete(client: Client, **data: Any) -> Any:
    return client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on", **data})


def test_the_deletion_page_says_what_will_happen_to_coming_sessions(
    bob: User, carol: User, acme: Organization, alice: User
) -> None:
    office = make_workspace(alice, acme, "Bureau")
    start = (timezone.now() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    shared = planning.create_session(
        by=membership_of(bob, acme), workspace=office, start=start, end=start + timedelta(hours=2)
    )
    planning.invite_to_session(by=membership_of(bob, acme), session=shared, user_ids=[carol.pk])
    planning.join_session(by=membership_of(carol, acme), session=shared)
    planning.create_session(
        by=membership_of(bob, acme),
        workspace=office,
        start=start + timedelta(days=1),
        end=start + timedelta(days=1, hours=2),
    )
    html = signed_in(bob).get("/accounts/delete/").content.decode()
    assert "La session à venir que vous organisez est confiée" in html
    assert "sans autre participant est annulée" in html
    assert "Supprimer définitivement mon compte" in html


def test_a_wrong_password_deletes_nothing_and_keeps_the_form(bob: User) -> None:
    response = delete(signed_in(bob), password="not-it")
    assert response.status_code == 403
    assert "Mot de passe incorrect." in response.content.decode()
    bob.refresh_from_db()
    assert not bob.is_deleted


def test_the_deletion_must_be_ticked(bob: User) -> None:
    response = signed_in(bob).post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 422
    assert "Cochez la case pour confirmer la suppression." in response.content.decode()
    bob.refresh_from_db()
    assert not bob.is_deleted


def test_deleting_signs_out_and_says_goodbye(bob: User, acme: Organization) -> None:
    client = signed_in(bob)
    response = delete(client)
    assert response.status_code == 302 and response["Location"] == "/"
    bob.refresh_from_db()
    assert bob.is_deleted and bob.display_name == "Utilisateur supprimé"
    assert not Membership.objects.filter(user=bob).exists()
    assert "Votre compte est supprimé" in client.get("/").content.decode()
    assert client.get("/accounts/data/").status_code == 302  # signed out


def test_an_account_with_mfa_needs_its_code_on_the_web_too(bob: User) -> None:
    secret = generate_totp_secret()
    with time_machine.travel("2026-12-03 09:00:00+01:00", tick=False):
        TOTP.activate(bob, secret)
        client = signed_in(bob)
        assert 'name="code"' in client.get("/accounts/delete/").content.decode()
        missing = delete(client)
        assert missing.status_code == 422
        bob.refresh_from_db()
        assert not bob.is_deleted
        assert delete(client, code=totp_code(secret)).status_code == 302
    bob.refresh_from_db()
    assert bob.is_deleted


def test_the_only_owner_is_sent_to_hand_over_first(alice: User, bob: User) -> None:
    client = signed_in(alice)
    html = client.get("/accounts/delete/").content.decode()
    assert "Nommez d'abord un autre propriétaire" in html and "/o/acme/console/#transfer-title" in html
    assert "Supprimer définitivement mon compte" not in html
    response = delete(client)
    assert response.status_code == 409
    alice.refresh_from_db()
    assert not alice.is_deleted


def test_a_sole_member_is_warned_that_their_organization_goes_too(olivia: User) -> None:
    html = signed_in(olivia).get("/accounts/delete/").content.decode()
    assert "L'organisation « Globex », dont vous êtes le seul membre, est supprimée" in html


def test_pages_that_stay_reachable_after_deletion_do_not_know_the_person(bob: User, acme: Organization) -> None:
    make_member(acme, "dan@acme.test", Role.MEMBER, first_name="Dan")
    delete(signed_in(bob))
    directory = signed_in(User.objects.get(email="dan@acme.test")).get("/o/acme/members/").content.decode()
    assert "Bob" not in directory and "bob@acme.test" not in directory


def test_the_deletion_api_and_web_answer_the_same_way_in_english(bob: User) -> None:
    User.objects.filter(pk=bob.pk).update(language="en")
    client = signed_in(bob)
    response = client.post(
        "/accounts/delete/", {"password": "nope", "confirm": "on"}, headers={"accept-language": "en"}
    )
    assert "Wrong password." in response.content.decode()


def test_coming_sessions_are_handed_over_when_deleting_from_the_web(
    bob: User, carol: User, alice: User, acme: Organization
) -> None:
    office = make_workspace(alice, acme, "Bureau")
    start = at(timezone.localdate() + timedelta(days=3), 10)
    session = planning.create_session(
        by=membership_of(bob, acme), workspace=office, start=start, end=start + timedelta(hours=2)
    )
    planning.invite_to_session(by=membership_of(bob, acme), session=session, user_ids=[carol.pk])
    planning.join_session(by=membership_of(carol, acme), session=session)
    delete(signed_in(bob))
    session.refresh_from_db()
    assert session.organizer_id == carol.pk and session.cancelled_at is None


def test_admins_see_who_restricted_processing_in_the_console(alice: User, bob: User, carol: User) -> None:
    signed_in(bob).post("/accounts/data/restriction/", {"restricted": "on"})
    html = signed_in(carol).get("/o/acme/console/").content.decode()
    assert html.count("Traitement limité") == 1
    bob_line = html[html.index("bob@acme.test") - 400 : html.index("bob@acme.test") + 600]
    assert "Traitement limité" in bob_line


def test_an_organization_deleted_with_its_only_member_leaves_no_photo_file(
    olivia: User, globex: Organization, media_root: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from coworklib.workspaces.services import add_photo
    from coworklib.workspaces.tests.factories import photo_file

    office = make_workspace(olivia, globex, "Bureau de Globex")
    photo = add_photo(by=membership_of(olivia, globex), workspace=office, upload=photo_file())
    files = [media_root / str(photo.image.name), media_root / str(photo.thumbnail.name)]
    assert all(path.exists() for path in files)
    with django_capture_on_commit_callbacks(execute=True):
        assert delete(signed_in(olivia)).status_code == 302
    assert not Organization.objects.filter(pk=globex.pk).exists()
    assert not any(path.exists() for path in files)
