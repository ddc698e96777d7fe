"""Uploaded files are served only to whoever may see what they belong to."""

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from conftest import make_member
from coworklib.accounts.models import User
from coworklib.accounts.photos import process_profile_photo
from coworklib.accounts.services import update_profile
from coworklib.organizations.models import Organization, Role
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace
from coworklib.workspaces.tests.factories import make_workspace


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def workspace_with_photo(alice: User, acme: Organization) -> tuple[Workspace, str]:
    workspace = make_workspace(alice, acme, "Paris", capacity=4)
    photo = workspace_services.add_photo(by=alice.memberships.get(), workspace=workspace, upload=jpeg())
    return workspace, photo.image.url


def test_a_member_sees_the_photos_of_a_workspace_of_their_organization(
    alice: User, bob: User, acme: Organization, client: Client
) -> None:
    _, url = workspace_with_photo(alice, acme)
    client.force_login(bob)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=86400"


def test_an_outsider_or_an_anonymous_visitor_gets_404_for_a_workspace_photo(
    alice: User, olivia: User, acme: Organization, client: Client
) -> None:
    _, url = workspace_with_photo(alice, acme)

    assert client.get(url).status_code == 404
    client.force_login(olivia)
    assert client.get(url).status_code == 404


def test_restricting_a_workspace_hides_its_photos_from_the_excluded_members(
    alice: User, bob: User, acme: Organization, client: Client
) -> None:
    workspace, url = workspace_with_photo(alice, acme)
    client.force_login(bob)
    assert client.get(url).status_code == 200

    workspace_services.set_access_rule(
        by=alice.memberships.get(), workspace=workspace, restricted=True, allowed_roles=[Role.ADMIN]
    )

    assert client.get(url).status_code == 404


def test_a_profile_photo_is_seen_by_colleagues_but_not_by_other_organizations(
    bob: User, acme: Organization, olivia: User, client: Client
) -> None:
    update_profile(user=bob, photo=process_profile_photo(jpeg()))
    url = User.objects.get(pk=bob.pk).photo_thumbnail.url
    colleague = make_member(acme, "dan@acme.test", first_name="Dan")

    client.force_login(colleague)
    assert client.get(url).status_code == 200
    client.force_login(olivia)
    assert client.get(url).status_code == 404


def test_a_path_outside_the_known_folders_is_404(bob: User, client: Client, settings: Any) -> None:
    client.force_login(bob)

    for path in ("/media/secret_key", "/media/../secret_key", "/media/profile-photos/../../secret_key"):
        assert client.get(path).status_code == 404
