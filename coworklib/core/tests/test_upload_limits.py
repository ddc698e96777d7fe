"""An oversized body is refused with a 413 before anything reads it, on every path that takes uploads.

The bodies here are real multipart bodies of the announced size, streamed by ``StreamedBody``
(zeros for the file's bytes, never all in memory), which counts what the application reads.
"""

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from conftest import bearer
from coworklib.accounts.models import User
from coworklib.core.request_limits import MULTIPART_ENVELOPE_BYTES, registered_body_limits
from coworklib.organizations.models import Organization
from coworklib.workspaces import services as workspace_services
from coworklib.workspaces.models import Workspace, WorkspacePhoto
from coworklib.workspaces.tests.factories import make_workspace

BOUNDARY = "----coworklib-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
MIB = 1024 * 1024


class StreamedBody(io.RawIOBase):
    """A multipart body: `head`, then `filler` zero bytes, then `tail`, produced as it is read."""

    def __init__(self, head: bytes, filler: int, tail: bytes) -> None:
        self.parts: list[bytes | int] = [head, filler, tail]
        self.length = len(head) + filler + len(tail)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        end = self.length if size is None or size < 0 else min(self.length, self.bytes_read + size)
        chunk = bytearray()
        part_start = 0
        for part in self.parts:
            part_length = part if isinstance(part, int) else len(part)
            start, stop = max(self.bytes_read, part_start), min(end, part_start + part_length)
            if start < stop:
                offset = start - part_start
                chunk += bytes(stop - start) if isinstance(part, int) else part[offset : offset + stop - start]
            part_start += part_length
        self.bytes_read = end
        return bytes(chunk)

    def readline(self, size: int | None = -1) -> bytes:
        raise NotImplementedError  # Django's parsers read by size only


def file_part_head(field: str, filename: str, fields: dict[str, str] | None = None) -> bytes:
    head = b""
    for name, value in (fields or {}).items():
        head += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return head


TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()


def upload_body(field: str, size: int, fields: dict[str, str] | None = None) -> StreamedBody:
    """A body of `size` bytes in all, one file in `field` filling what the other fields leave."""
    head = file_part_head(field, "photo.jpg", fields)
    return StreamedBody(head, size - len(head) - len(TAIL), TAIL)


def send(
    client: Client, path: str, body: StreamedBody, *, chunked: bool = False, headers: dict[str, str] | None = None
) -> Any:
    environ: dict[str, Any] = {"CONTENT_TYPE": MULTIPART, "wsgi.input": body}
    if chunked:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"  # and no CONTENT_LENGTH, as gunicorn passes it on
    else:
        environ["CONTENT_LENGTH"] = str(body.length)
    return client.generic("POST", path, headers=headers, **environ)


def csrf_token(client: Client, path: str) -> str:
    client.get(path)
    return client.cookies["csrftoken"].value


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def paris(alice: User, acme: Organization) -> Workspace:
    return make_workspace(alice, acme, "Paris")


@pytest.fixture
def csrf_client(bob: User) -> Client:
    # CSRF checks on, as in production: CsrfViewMiddleware then reads request.POST for the token.
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    return client


def test_a_50_mb_profile_photo_is_refused_with_413_before_the_body_is_read(bob: User, csrf_client: Client) -> None:
    path = reverse("accounts:profile")
    token = csrf_token(csrf_client, path)
    body = upload_body("photo", 50 * MIB, {"csrfmiddlewaretoken": token, "first_name": "Robert"})

    response = send(csrf_client, path, body, headers={"X-CSRFToken": token})

    assert response.status_code == 413
    assert body.bytes_read == 0
    page = response.content.decode()
    assert "Envoi trop lourd" in page
    assert "5,1" in page  # "5,1 Mo": PROFILE_PHOTO_MAX_BYTES and the form around it
    assert f'href="{path}"' in page
    bob.refresh_from_db()
    assert not bob.photo
    assert bob.first_name == "Bob"


def test_the_413_page_speaks_the_language_of_the_person(bob: User, csrf_client: Client) -> None:
    User.objects.filter(pk=bob.pk).update(language="en")
    path = reverse("accounts:profile")
    token = csrf_token(csrf_client, path)

    response = send(csrf_client, path, upload_body("photo", 8 * MIB), headers={"X-CSRFToken": token})

    assert response.status_code == 413
    assert "Upload too large" in response.content.decode()


def test_a_profile_photo_under_the_request_limit_reaches_the_form(
    bob: User, csrf_client: Client, settings: Any
) -> None:
    # 3 MiB: over the default limit of other views (2 MiB + envelope), under the profile form's.
    path = reverse("accounts:profile")
    token = csrf_token(csrf_client, path)
    body = upload_body("photo", 3 * MIB, {"csrfmiddlewaretoken": token, "first_name": "Robert", "last_name": "B"})

    response = send(csrf_client, path, body)

    assert response.status_code == 200
    assert body.bytes_read == body.length
    assert "pas une image JPEG" in response.content.decode()  # the form's own error: the zeros are no JPEG
    bob.refresh_from_db()
    assert not bob.photo


def test_the_profile_limit_follows_the_setting(bob: User, csrf_client: Client, settings: Any) -> None:
    settings.PROFILE_PHOTO_MAX_BYTES = 1 * MIB
    path = reverse("accounts:profile")
    token = csrf_token(csrf_client, path)
    body = upload_body("photo", MIB + MULTIPART_ENVELOPE_BYTES + 1, {"csrfmiddlewaretoken": token})

    response = send(csrf_client, path, body)

    assert response.status_code == 413
    assert body.bytes_read == 0


def test_workspace_photos_in_the_console_over_the_limit_get_413_unread(
    alice: User, paris: Workspace, client: Client
) -> None:
    client.force_login(alice)
    path = reverse("workspaces:console_photos", kwargs={"slug": "acme", "workspace_id": paris.pk})
    body = upload_body("photos", workspace_services.photo_upload_body_limit() + 1)

    response = send(client, path, body)

    assert response.status_code == 413
    assert body.bytes_read == 0
    assert "Envoi trop lourd" in response.content.decode()
    assert not WorkspacePhoto.objects.exists()


def test_workspace_photos_in_the_console_under_the_limit_reach_the_service(
    alice: User, paris: Workspace, client: Client
) -> None:
    client.force_login(alice)
    path = reverse("workspaces:console_photos", kwargs={"slug": "acme", "workspace_id": paris.pk})

    response = send(client, path, upload_body("photos", 3 * MIB))

    assert response.status_code == 422  # the service's answer: not an image
    assert not WorkspacePhoto.objects.exists()


def test_workspace_photos_through_the_api_over_the_limit_get_the_json_413_unread(
    alice: User, paris: Workspace, client: Client
) -> None:
    body = upload_body("files", workspace_services.photo_upload_body_limit() + 1)

    response = send(client, f"/api/v1/workspaces/{paris.pk}/photos", body, headers=bearer(alice))

    assert response.status_code == 413
    assert body.bytes_read == 0
    assert response.json()["code"] == "too_large"
    assert "200,1" in response.json()["detail"]  # "200,1 Mo"
    assert not WorkspacePhoto.objects.exists()


def test_a_chunked_api_upload_is_read_up_to_the_limit_then_refused(
    alice: User, paris: Workspace, client: Client
) -> None:
    limit = workspace_services.photo_upload_body_limit()
    body = upload_body("files", limit + 10 * MIB)

    response = send(client, f"/api/v1/workspaces/{paris.pk}/photos", body, chunked=True, headers=bearer(alice))

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert body.bytes_read == limit + 1
    assert not WorkspacePhoto.objects.exists()


def test_a_chunked_api_upload_under_the_limit_is_received_whole(alice: User, paris: Workspace, client: Client) -> None:
    # Django alone takes a body without Content-Length for an empty one: the photo would be lost.
    photo = jpeg_bytes()
    body = StreamedBody(file_part_head("files", "photo.jpg") + photo, 0, TAIL)

    response = send(client, f"/api/v1/workspaces/{paris.pk}/photos", body, chunked=True, headers=bearer(alice))

    assert response.status_code == 201, response.content
    assert WorkspacePhoto.objects.filter(workspace=paris).count() == 1


def test_a_chunked_profile_upload_over_the_limit_gets_the_413_page(bob: User, csrf_client: Client) -> None:
    path = reverse("accounts:profile")
    token = csrf_token(csrf_client, path)
    body = upload_body("photo", 20 * MIB)

    response = send(csrf_client, path, body, chunked=True, headers={"X-CSRFToken": token})

    assert response.status_code == 413
    assert "Envoi trop lourd" in response.content.decode()
    assert body.bytes_read < 6 * MIB


def test_a_file_sent_to_a_page_that_takes_none_is_refused_over_the_form_data_limit(
    bob: User, csrf_client: Client, settings: Any
) -> None:
    path = reverse("accounts:tokens")
    token = csrf_token(csrf_client, path)
    body = upload_body("name", settings.DATA_UPLOAD_MAX_MEMORY_SIZE + MULTIPART_ENVELOPE_BYTES + 1)

    response = send(csrf_client, path, body, headers={"X-CSRFToken": token})

    assert response.status_code == 413
    assert body.bytes_read == 0


def test_a_multipart_body_to_an_api_endpoint_without_files_is_refused_over_the_form_data_limit(
    alice: User, client: Client, settings: Any
) -> None:
    body = upload_body("name", settings.DATA_UPLOAD_MAX_MEMORY_SIZE + MULTIPART_ENVELOPE_BYTES + 1)

    response = send(client, "/api/v1/organizations", body, headers=bearer(alice))

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert body.bytes_read == 0


def _view_names(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _view_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_registered_limit_names_a_view_of_the_urlconf() -> None:
    # A limit under a misspelt name would silently leave its view with the default one.
    registered = set(registered_body_limits())

    assert registered == {"accounts:profile", "workspaces:console_photos", "api:workspace_photos"}
    assert registered <= _view_names(get_resolver().url_patterns)
