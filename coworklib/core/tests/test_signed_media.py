"""Photo URLs from the API work with no session (the app holds only a bearer token), for their viewer only."""

import ast
import io
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from conftest import bearer
from coworklib.accounts.models import User
from coworklib.accounts.photos import process_profile_photo
from coworklib.accounts.services import update_profile
from coworklib.core import media
from coworklib.core.media import signed_media_path
from coworklib.organizations.models import Membership, Organization, Role
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import make_workspace


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def paris(alice: User, acme: Organization) -> Workspace:
    workspace = make_workspace(alice, acme, "Paris", capacity=4)
    workspace_services.add_photo(by=alice.memberships.get(), workspace=workspace, upload=jpeg())
    return workspace


def photo_url_for(user: User, workspace: Workspace) -> str:
    """The photo URL the API gives `user`, asked with their bearer token only."""
    response = Client().get(f"/api/v1/workspaces/{workspace.pk}", headers=bearer(user))
    assert response.status_code == 200
    return str(response.json()["photos"][0]["url"])


def fetch(url: str) -> Any:
    """A client with no session and no token, as an image loader."""
    return Client().get(url)


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(changes)
    return f"{parts.path}?{urlencode(query)}"


def test_a_bearer_only_client_fetches_the_workspace_photos_the_api_lists(bob: User, paris: Workspace) -> None:
    url = photo_url_for(bob, paris)
    thumbnail = Client().get(f"/api/v1/workspaces/{paris.pk}", headers=bearer(bob)).json()["photos"][0]

    response = fetch(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    assert fetch(thumbnail["thumbnail_url"]).status_code == 200


def test_the_workspace_list_covers_are_signed_too(bob: User, paris: Workspace) -> None:
    body = Client().get("/api/v1/organizations/acme/workspaces", headers=bearer(bob)).json()

    assert fetch(body["items"][0]["cover"]["url"]).status_code == 200


def test_a_bearer_only_client_fetches_its_own_and_its_colleagues_profile_photos(
    alice: User, bob: User, acme: Organization
) -> None:
    update_profile(user=bob, photo=process_profile_photo(jpeg()))

    me = Client().get("/api/v1/me", headers=bearer(bob)).json()
    members = Client().get("/api/v1/organizations/acme/members", headers=bearer(alice)).json()["items"]
    bobs_entry = next(item for item in members if item["id"] == bob.pk)

    assert fetch(me["photo"]).status_code == 200
    assert fetch(me["photo_thumbnail"]).status_code == 200
    assert fetch(bobs_entry["photo"]).status_code == 200


def test_urls_are_stable_within_a_day_so_apps_can_cache_them(bob: User, paris: Workspace) -> None:
    with time_machine.travel(timezone.now().replace(hour=1, minute=0), tick=False):
        morning = photo_url_for(bob, paris)
    with time_machine.travel(timezone.now().replace(hour=22, minute=0), tick=False):
        evening = photo_url_for(bob, paris)

    assert morning == evening


def test_a_url_works_for_at_least_24_hours_and_is_refused_once_expired(bob: User, paris: Workspace) -> None:
    made_at = timezone.now()
    url = photo_url_for(bob, paris)

    with time_machine.travel(made_at + timedelta(hours=24), tick=False):
        assert fetch(url).status_code == 200
    with time_machine.travel(made_at + timedelta(hours=48, seconds=1), tick=False):
        assert fetch(url).status_code == 404


def test_a_url_bound_to_one_viewer_cannot_be_rebound_to_another(bob: User, carol: User, paris: Workspace) -> None:
    url = photo_url_for(bob, paris)

    assert fetch(with_query(url, viewer=str(carol.pk))).status_code == 404
    assert (
        fetch(with_query(url, expires=str(int(parse_qs(urlsplit(url).query)["expires"][0]) + 86400))).status_code == 404
    )
    assert fetch(with_query(url, signature="A" * 43)).status_code == 404
    assert fetch(urlsplit(url).path).status_code == 404  # anonymous without a signature, as before


def test_a_signature_for_one_file_does_not_open_another(bob: User, paris: Workspace) -> None:
    photo = paris.photos.get()
    thumbnail_query = urlsplit(signed_media_path(str(photo.thumbnail.name), viewer_id=bob.pk)).query

    assert fetch(f"{photo.image.url}?{thumbnail_query}").status_code == 404


def test_a_restricted_workspace_hides_the_photos_of_urls_already_given(
    alice: User, bob: User, paris: Workspace
) -> None:
    url = photo_url_for(bob, paris)
    assert fetch(url).status_code == 200

    workspace_services.set_access_rule(
        by=alice.memberships.get(), workspace=paris, restricted=True, allowed_roles=[Role.ADMIN]
    )

    assert fetch(url).status_code == 404


def test_a_viewer_who_left_the_organization_no_longer_opens_the_urls_they_were_given(
    bob: User, paris: Workspace
) -> None:
    url = photo_url_for(bob, paris)

    Membership.objects.filter(user=bob).delete()

    assert fetch(url).status_code == 404


def test_a_url_signed_for_someone_of_another_organization_opens_nothing(olivia: User, paris: Workspace) -> None:
    url = signed_media_path(str(paris.photos.get().image.name), viewer_id=olivia.pk)

    assert fetch(url).status_code == 404


def test_a_deactivated_viewer_opens_nothing(bob: User, paris: Workspace) -> None:
    url = photo_url_for(bob, paris)

    User.objects.filter(pk=bob.pk).update(is_active=False)

    assert fetch(url).status_code == 404


def test_the_web_pages_keep_the_plain_urls_served_to_the_session(bob: User, paris: Workspace, client: Client) -> None:
    client.force_login(bob)

    assert client.get(paris.photos.get().image.url).status_code == 200


def test_core_media_names_no_project_app() -> None:
    # Each app registers its access rule (AppConfig.ready); core imports none of them, even by name.
    source = Path(media.__file__).read_text()
    imported = [node.module or "" for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)] + [
        alias.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import) for alias in node.names
    ]

    assert not [name for name in imported if name.startswith("coworklib.") and not name.startswith("coworklib.core")]
    assert "coworklib." not in source.replace("coworklib.core", "")
    assert set(media._access_rules) == {"profile-photos/", "workspace-photos/"}
