"""Workspace photos: what is refused, what is kept (no EXIF), thumbnails, order, deletion."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from coworklib.accounts.models import User
from coworklib.organizations.models import Organization
from coworklib.workspaces import services
from coworklib.workspaces.models import Workspace, WorkspacePhoto
from coworklib.workspaces.tests.factories import (
    call,
    image_bytes,
    jpeg_with_gps,
    membership_of,
    photo_file,
    png_announcing,
    upload,
)

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def stored_files(media_root: Path) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def post_photos(client: Client, user: User, workspace: Workspace, *files: Any) -> Any:
    return upload(client, f"/workspaces/{workspace.pk}/photos", user, list(files))


# --- Refused ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "content_type", "code"),
    [
        pytest.param(
            b"just some text, not a picture", "photo.png", "image/png", "photo_not_an_image", id="text as png"
        ),
        pytest.param(SVG, "logo.svg", "image/svg+xml", "photo_not_an_image", id="svg"),
        pytest.param(SVG, "logo.png", "image/png", "photo_not_an_image", id="svg disguised as png"),
        pytest.param(HTML, "photo.jpg", "image/jpeg", "photo_not_an_image", id="html disguised as jpeg"),
        pytest.param(image_bytes("JPEG")[:200], "cut.jpg", "image/jpeg", "photo_not_an_image", id="truncated jpeg"),
        pytest.param(b"%PDF-1.7\n%", "scan.jpg", "image/jpeg", "photo_not_an_image", id="pdf"),
        pytest.param(b"%!PS-Adobe-3.0 EPSF-3.0\n", "art.png", "image/png", "photo_not_an_image", id="eps"),
        pytest.param(b"", "empty.jpg", "image/jpeg", "photo_empty", id="empty file"),
        pytest.param(png_announcing(9_000, 9_000), "bomb.png", "image/png", "photo_too_many_pixels", id="81 MP bomb"),
        pytest.param(
            png_announcing(100_000, 100_000), "bomb.png", "image/png", "photo_too_many_pixels", id="10 GP bomb"
        ),
    ],
)
def test_what_is_not_a_photo_is_refused_with_422_and_nothing_is_stored(
    alice: User,
    paris: Workspace,
    client: Client,
    media_root: Path,
    data: bytes,
    name: str,
    content_type: str,
    code: str,
) -> None:
    response = post_photos(client, alice, paris, photo_file(data, name, content_type))

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["errors"][0]["loc"] == ["files", 0]
    assert not WorkspacePhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_photo_over_10_mib_is_refused(alice: User, paris: Workspace, client: Client, media_root: Path) -> None:
    too_big = image_bytes("JPEG") + b"\x00" * (10 * 1024 * 1024)

    response = post_photos(client, alice, paris, photo_file(too_big, "huge.jpg"))

    assert response.status_code == 422
    assert response.json()["code"] == "photo_too_large"
    assert not WorkspacePhoto.objects.exists()
    assert stored_files(media_root) == []


def test_one_bad_file_among_several_refuses_them_all(
    alice: User, paris: Workspace, client: Client, media_root: Path
) -> None:
    response = post_photos(
        client, alice, paris, photo_file(), photo_file(HTML, "second.jpg"), photo_file(image_bytes("PNG"), "x.png")
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["files", 1]
    assert not WorkspacePhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_request_without_files_is_422(alice: User, paris: Workspace, client: Client) -> None:
    response = call(client, "POST", f"/workspaces/{paris.pk}/photos", alice)

    assert response.status_code == 422
    assert not WorkspacePhoto.objects.exists()


def test_more_than_the_maximum_number_of_photos_is_a_409(alice: User, paris: Workspace, client: Client) -> None:
    by = membership_of(alice, paris.organization)
    services.add_photos(
        by=by, workspace=paris, uploads=[photo_file() for _ in range(services.PHOTOS_PER_WORKSPACE_MAX)]
    )

    response = post_photos(client, alice, paris, photo_file())

    assert response.status_code == 409
    assert response.json()["code"] == "too_many_photos"
    assert WorkspacePhoto.objects.filter(workspace=paris).count() == services.PHOTOS_PER_WORKSPACE_MAX


# --- Kept ---------------------------------------------------------------------------------------------------


def test_a_jpeg_with_a_gps_position_is_stored_without_any_exif(alice: User, paris: Workspace, client: Client) -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the upload does carry a position

    response = post_photos(client, alice, paris, photo_file(original, "IMG_0042.jpg"))

    assert response.status_code == 201
    photo = WorkspacePhoto.objects.get()
    with photo.image.open("rb") as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert b"PhoneMaker" not in data
    assert b"Phone 15 Pro" not in data


def test_a_thumbnail_is_made_at_the_cards_size(alice: User, paris: Workspace, client: Client) -> None:
    response = post_photos(client, alice, paris, photo_file(image_bytes("JPEG", size=(1600, 1600))))

    photo = WorkspacePhoto.objects.get()
    with photo.thumbnail.open("rb") as stored:
        thumbnail = Image.open(io.BytesIO(stored.read()))
    assert thumbnail.size == services.PHOTO_THUMBNAIL_SIZE
    item = response.json()["items"][0]
    assert item["thumbnail_url"].startswith("http://testserver/media/workspace-photos/thumbnails/")
    assert item["url"].startswith("http://testserver/media/workspace-photos/")


def test_a_large_photo_is_scaled_down(alice: User, paris: Workspace, client: Client) -> None:
    post_photos(client, alice, paris, photo_file(image_bytes("JPEG", size=(4000, 3000))))

    photo = WorkspacePhoto.objects.get()
    assert (photo.width, photo.height) == (services.PHOTO_MAX_SIDE, services.PHOTO_MAX_SIDE * 3 // 4)


def test_anything_hidden_after_the_image_data_is_dropped(alice: User, paris: Workspace, client: Client) -> None:
    polyglot = image_bytes("PNG") + b"<script>alert(document.cookie)</script>"

    response = post_photos(client, alice, paris, photo_file(polyglot, "x.png", "image/png"))

    assert response.status_code == 201
    with WorkspacePhoto.objects.get().image.open("rb") as stored:
        assert b"<script>" not in stored.read()


def test_a_transparent_png_keeps_its_transparency_as_webp(alice: User, paris: Workspace, client: Client) -> None:
    post_photos(client, alice, paris, photo_file(image_bytes("PNG", alpha=True, color="#00000000"), "plan.png"))

    photo = WorkspacePhoto.objects.get()
    assert str(photo.image.name).endswith(".webp")


def test_file_names_are_random_not_the_uploaded_ones(alice: User, paris: Workspace, client: Client) -> None:
    post_photos(client, alice, paris, photo_file(name="Jean-Dupont-home-address.jpg"))

    photo = WorkspacePhoto.objects.get()
    assert "Dupont" not in str(photo.image.name)
    assert "Dupont" not in str(photo.thumbnail.name)


def test_several_photos_are_added_in_order_after_the_existing_ones(
    alice: User, paris: Workspace, client: Client
) -> None:
    first = post_photos(client, alice, paris, photo_file()).json()["items"]

    second = post_photos(client, alice, paris, photo_file(), photo_file(image_bytes("PNG"), "b.png", "image/png"))

    assert second.status_code == 201
    assert [item["position"] for item in first + second.json()["items"]] == [0, 1, 2]
    assert list(WorkspacePhoto.objects.filter(workspace=paris).values_list("position", flat=True)) == [0, 1, 2]


def test_the_alt_text_is_stored(alice: User, paris: Workspace, client: Client) -> None:
    response = upload(client, f"/workspaces/{paris.pk}/photos", alice, [photo_file()], alt_text="L'open space")

    assert response.json()["items"][0]["alt_text"] == "L'open space"
    assert WorkspacePhoto.objects.get().alt_text == "L'open space"


def test_photos_appear_in_the_detail_in_order(alice: User, paris: Workspace, client: Client) -> None:
    ids = [item["id"] for item in post_photos(client, alice, paris, photo_file(), photo_file()).json()["items"]]

    response = call(client, "GET", f"/workspaces/{paris.pk}", alice)

    assert [photo["id"] for photo in response.json()["photos"]] == ids
    assert {"id", "url", "thumbnail_url", "position"} <= set(response.json()["photos"][0])


# --- Order and deletion -------------------------------------------------------------------------------------


@pytest.fixture
def three_photos(alice: User, acme: Organization, paris: Workspace) -> list[WorkspacePhoto]:
    return services.add_photos(
        by=membership_of(alice, acme), workspace=paris, uploads=[photo_file(), photo_file(), photo_file()]
    )


def test_photos_are_reordered(
    alice: User, paris: Workspace, three_photos: list[WorkspacePhoto], client: Client
) -> None:
    first, second, third = (photo.pk for photo in three_photos)

    response = call(client, "PUT", f"/workspaces/{paris.pk}/photos/order", alice, {"photo_ids": [third, first, second]})

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [third, first, second]
    assert list(WorkspacePhoto.objects.filter(workspace=paris).order_by("position").values_list("pk", flat=True)) == [
        third,
        first,
        second,
    ]


@pytest.mark.parametrize(("order", "status"), [("missing", 409), ("repeated", 422)])
def test_an_order_that_is_not_each_photo_once_is_refused_and_changes_nothing(
    alice: User, paris: Workspace, three_photos: list[WorkspacePhoto], client: Client, order: str, status: int
) -> None:
    first, second, third = (photo.pk for photo in three_photos)
    photo_ids = [third, first] if order == "missing" else [third, first, first, second]

    response = call(client, "PUT", f"/workspaces/{paris.pk}/photos/order", alice, {"photo_ids": photo_ids})

    assert response.status_code == status
    assert list(WorkspacePhoto.objects.order_by("position").values_list("pk", flat=True)) == [first, second, third]


def test_deleting_a_photo_closes_the_gap_in_positions(
    alice: User, paris: Workspace, three_photos: list[WorkspacePhoto], client: Client
) -> None:
    doomed = three_photos[0]

    response = call(client, "DELETE", f"/workspaces/{paris.pk}/photos/{doomed.pk}", alice)

    assert response.status_code == 204
    assert not WorkspacePhoto.objects.filter(pk=doomed.pk).exists()
    assert list(WorkspacePhoto.objects.order_by("position").values_list("pk", "position")) == [
        (three_photos[1].pk, 0),
        (three_photos[2].pk, 1),
    ]


def test_a_deleted_photos_files_are_removed_once_committed(
    alice: User,
    acme: Organization,
    paris: Workspace,
    three_photos: list[WorkspacePhoto],
    django_capture_on_commit_callbacks: Any,
) -> None:
    doomed = three_photos[0]
    files = [Path(doomed.image.path), Path(doomed.thumbnail.path)]
    assert all(path.exists() for path in files)

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_photo(by=membership_of(alice, acme), workspace=paris, photo_id=doomed.pk)

    assert not any(path.exists() for path in files)
