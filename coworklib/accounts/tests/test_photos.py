import html
import io
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image

from coworklib.accounts.models import User

GPS_LATITUDE = (48.0, 51.0, 24.0)


def jpeg_with_gps(size: tuple[int, int] = (800, 400), orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Model] = "Phone of Bob"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 60, 10)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (300, 300), mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 120, 200, 90) if mode == "RGBA" else (10, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb)."""
    data = bytearray(png_bytes((1, 1), "RGB"))
    data[16:20] = width.to_bytes(4, "big")
    data[20:24] = height.to_bytes(4, "big")
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    return bytes(data)


def upload(
    client: Client, content: bytes, name: str = "me.jpg", content_type: str = "image/jpeg", **fields: str
) -> Any:
    data: dict[str, Any] = {
        "first_name": "Bob",
        "last_name": "Bernard",
        "job_title": "",
        "language": "fr",
        "timezone": "Europe/Paris",
    }
    data.update(fields)
    data["photo"] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post("/accounts/profile/", data)


@pytest.fixture
def signed_in(bob: User, client: Client) -> Client:
    client.force_login(bob)
    return client


def stored(file: Any) -> Image.Image:
    image = Image.open(file.path)
    image.load()
    return image


def test_a_jpeg_is_stored_without_its_exif_and_gets_a_thumbnail(bob: User, signed_in: Client) -> None:
    source = Image.open(io.BytesIO(jpeg_with_gps()))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo does carry a position

    response = upload(signed_in, jpeg_with_gps())

    assert response.status_code == 302
    bob.refresh_from_db()
    photo, thumbnail = stored(bob.photo), stored(bob.photo_thumbnail)
    assert photo.format == "JPEG"
    assert not photo.getexif()
    assert not {"exif", "xmp", "icc_profile"} & set(photo.info)
    assert b"Phone of Bob" not in Path(bob.photo.path).read_bytes()
    assert photo.size == (512, 256)
    assert thumbnail.size == (96, 96)
    assert not thumbnail.getexif()


def test_the_exif_orientation_is_applied_before_it_is_dropped(bob: User, signed_in: Client) -> None:
    upload(signed_in, jpeg_with_gps(size=(400, 200), orientation=6))

    bob.refresh_from_db()
    assert stored(bob.photo).size == (200, 400)


def test_photos_get_random_names_not_the_uploaded_one(bob: User, signed_in: Client) -> None:
    upload(signed_in, jpeg_with_gps(), name="Bob Bernard passport scan.jpg")

    bob.refresh_from_db()
    photo_name, thumbnail_name = str(bob.photo.name), str(bob.photo_thumbnail.name)
    assert "passport" not in photo_name
    assert "passport" not in thumbnail_name
    assert photo_name.startswith("profile-photos/")
    assert thumbnail_name.startswith("profile-photos/thumbnails/")


def test_a_png_with_transparency_keeps_it(bob: User, signed_in: Client) -> None:
    response = upload(signed_in, png_bytes(), name="me.png", content_type="image/png")

    assert response.status_code == 302
    bob.refresh_from_db()
    photo = stored(bob.photo)
    assert photo.format == "WEBP"
    assert photo.mode == "RGBA"
    assert photo.getpixel((10, 10))[3] == 90  # type: ignore[index]
    assert stored(bob.photo_thumbnail).size == (96, 96)


def test_a_small_image_is_not_enlarged(bob: User, signed_in: Client) -> None:
    upload(signed_in, png_bytes((120, 80), "RGB"), name="me.png", content_type="image/png")

    bob.refresh_from_db()
    assert stored(bob.photo).size == (120, 80)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"Bonjour, je ne suis pas une image.", "photo.png"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "photo.png"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', "photo.svg"),
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "photo.jpg"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "photo.png"),
        (png_bytes()[:60], "truncated.png"),
    ],
    ids=["text", "svg renamed png", "svg", "html renamed jpg", "eps", "truncated png"],
)
def test_files_that_are_not_acceptable_images_are_refused_next_to_the_field(
    bob: User, signed_in: Client, content: bytes, name: str
) -> None:
    response = upload(signed_in, content, name=name, content_type="image/png", first_name="Robert")

    assert response.status_code == 200
    assert "Ce fichier n'est pas une image JPEG, PNG, WebP ou GIF valide" in html.unescape(response.content.decode())
    assert response.context["form"].errors["photo"]
    assert 'id="id_photo_error"' in response.content.decode()
    bob.refresh_from_db()
    assert not bob.photo
    assert bob.first_name == "Bob"  # nothing else changed either


def test_a_decompression_bomb_is_refused(bob: User, signed_in: Client) -> None:
    response = upload(signed_in, png_declaring(100_000, 100_000), name="bomb.png", content_type="image/png")

    assert response.status_code == 200
    assert "Cette image est trop grande" in response.content.decode()
    bob.refresh_from_db()
    assert not bob.photo


def test_an_image_over_the_pixel_limit_is_refused_before_decoding(bob: User, signed_in: Client, settings: Any) -> None:
    settings.PROFILE_PHOTO_MAX_PIXELS = 100 * 100

    response = upload(signed_in, png_bytes((101, 100), "RGB"), name="me.png", content_type="image/png")

    assert response.status_code == 200
    assert response.context["form"].errors["photo"]
    bob.refresh_from_db()
    assert not bob.photo


def test_a_file_over_the_size_limit_is_refused(bob: User, signed_in: Client, settings: Any) -> None:
    settings.PROFILE_PHOTO_MAX_BYTES = 1024
    content = jpeg_with_gps()
    assert len(content) > 1024

    response = upload(signed_in, content)

    assert response.status_code == 200
    assert "Cette image est trop lourde" in response.content.decode()
    bob.refresh_from_db()
    assert not bob.photo


def test_an_english_speaker_reads_the_refusal_in_english(bob: User, signed_in: Client) -> None:
    bob.language = "en"
    bob.save()

    response = upload(signed_in, b"not an image", name="photo.png", content_type="image/png", language="en")

    assert "This file is not a valid JPEG, PNG, WebP or GIF image" in response.content.decode()


def test_replacing_the_photo_deletes_the_old_files(
    bob: User, signed_in: Client, django_capture_on_commit_callbacks: Any
) -> None:
    upload(signed_in, jpeg_with_gps())
    bob.refresh_from_db()
    old_files = [Path(bob.photo.path), Path(bob.photo_thumbnail.path)]

    with django_capture_on_commit_callbacks(execute=True):
        upload(signed_in, png_bytes(), name="new.png", content_type="image/png")

    bob.refresh_from_db()
    assert not any(path.exists() for path in old_files)
    assert Path(bob.photo.path).exists()
    assert Path(bob.photo_thumbnail.path).exists()


def test_removing_the_photo_deletes_its_files(
    bob: User, signed_in: Client, django_capture_on_commit_callbacks: Any
) -> None:
    upload(signed_in, jpeg_with_gps())
    bob.refresh_from_db()
    files = [Path(bob.photo.path), Path(bob.photo_thumbnail.path)]

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post("/accounts/profile/photo/remove/")

    assert response.status_code == 302
    bob.refresh_from_db()
    assert not bob.photo
    assert not bob.photo_thumbnail
    assert not any(path.exists() for path in files)


def test_the_api_shows_the_photo_urls(bob: User, signed_in: Client) -> None:
    upload(signed_in, jpeg_with_gps())
    bob.refresh_from_db()

    body = signed_in.get("/api/v1/me").json()

    # Signed for the caller (core.media): the app has no session cookie.
    assert body["photo"].startswith(f"http://testserver/media/{bob.photo.name}?viewer={bob.pk}&")
    assert body["photo_thumbnail"].startswith(f"http://testserver/media/{bob.photo_thumbnail.name}?viewer={bob.pk}&")
