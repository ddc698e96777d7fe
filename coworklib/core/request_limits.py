"""Request bodies are refused by their size before anything reads them.

Django caps urlencoded and JSON bodies (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but not the files
of a multipart body, and ``CsrfViewMiddleware`` parses ``request.POST`` (reading the whole
body) before any view runs. ``RequestBodyLimitMiddleware`` therefore sits before it in
``MIDDLEWARE`` and compares, in ``process_view``, the declared ``Content-Length`` with the
limit of the view the URL resolved to: over it, the answer is a 413 and not one byte of the
body is read. A path that matches no view reads nothing either, so only views need a limit.

Views that take uploads have their own limit, registered by their app in
``AppConfig.ready`` with ``register_body_limit`` (by URL name: ``"accounts:profile"``,
``"api:workspace_photos"``) as a function, so that a setting changed at run time (tests)
counts. Every other view may receive ``DATA_UPLOAD_MAX_MEMORY_SIZE`` plus
``MULTIPART_ENVELOPE_BYTES``: as much form data as Django takes anyway, and no file.

A body without ``Content-Length`` (``Transfer-Encoding: chunked``, which gunicorn
de-chunks) would be silently dropped by Django, which reads ``CONTENT_LENGTH`` bytes and
takes a missing one for 0. It is read here instead, up to the limit, into a spooled file
(in memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``, on disk beyond) and handed to Django
with its length; one byte past the limit is a 413.

The API answers 413 with its error shape ``{"detail", "code": "too_large"}``; a page
answers with a short page that says how much the form takes and how to go back to it
(what was typed cannot be shown again: it is in the body we refuse to read).
"""

import tempfile
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from coworklib.core.request_log import note_refusal

# Room for what a multipart body holds besides the file bytes: boundaries, part headers, a
# CSRF token and a few short text fields. Generous next to them, small next to any photo.
MULTIPART_ENVELOPE_BYTES = 64 * 1024
API_PATH_PREFIX = "/api/"
_READ_CHUNK_BYTES = 64 * 1024

_limits: dict[str, Callable[[], int]] = {}


def register_body_limit(view_name: str, max_bytes: Callable[[], int]) -> None:
    """Let requests to the view named `view_name` ("namespace:name") carry up to `max_bytes()` bytes of body."""
    _limits[view_name] = max_bytes


def registered_body_limits() -> dict[str, Callable[[], int]]:
    return dict(_limits)


def default_body_limit() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + MULTIPART_ENVELOPE_BYTES


def body_limit_for(view_name: str | None) -> int:
    max_bytes = _limits.get(view_name or "")
    return max_bytes() if max_bytes is not None else default_body_limit()


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _is_chunked(request: HttpRequest) -> bool:
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    note_refusal(request, "too_large")
    if request.path_info.startswith(API_PATH_PREFIX):
        detail = _("La requête est trop volumineuse : %(max)s au maximum.") % {"max": filesizeformat(limit)}
        return JsonResponse({"detail": detail, "code": "too_large"}, status=413)
    context = {"max_size": filesizeformat(limit), "back_url": request.get_full_path()}
    return render(request, "core/request_too_large.html", context, status=413)


class RequestBodyLimitMiddleware:
    """Refuses a body over its view's limit with a 413, before anything reads it (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            spool = getattr(request, "_body_spool", None)
            if spool is not None:
                spool.close()

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        limit = body_limit_for(match.view_name if match is not None else None)
        length = _declared_length(request)
        if length is not None:
            return too_large_response(request, limit) if length > limit else None
        if _is_chunked(request):
            return self._spool_chunked_body(request, limit)
        return None

    def _spool_chunked_body(self, request: HttpRequest, limit: int) -> HttpResponse | None:
        stream = request.META["wsgi.input"]
        spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115 - closed after the response
        request._body_spool = spool  # type: ignore[attr-defined]
        size = 0
        while size <= limit:
            chunk = stream.read(min(_READ_CHUNK_BYTES, limit + 1 - size))
            if not chunk:
                break
            spool.write(chunk)
            size += len(chunk)
        if size > limit:
            return too_large_response(request, limit)
        spool.seek(0)
        request.META["CONTENT_LENGTH"] = str(size)
        # WSGIRequest reads its body through _stream, a LimitedStream made from CONTENT_LENGTH
        # when the request was built (0 here): give it the spooled body and its real length.
        request._stream = LimitedStream(spool, size)  # type: ignore[assignment,arg-type]
        return None
