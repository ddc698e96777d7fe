"""HTTP methods on API paths, answered the way API.md answers everything else.

django-ninja routes a path to the operations declared for it and answers any other method
with a plain-text 405, and Django answers a path no route matches with its HTML 404 page.
Here, under /api/:

- ``HEAD`` is answered as ``GET`` without the body (the headers, ``Content-Length``
  included, are those of the ``GET``), as Django's class-based views do: a client or a
  monitor may check a resource without downloading it. A path without ``GET`` answers
  ``HEAD`` with the 405 below.
- a 405 or 404 that is not already JSON becomes ``{"detail", "code"}`` with the code
  ``method_not_allowed`` (keeping ``Allow``, with ``HEAD`` wherever ``GET`` is) or
  ``not_found``.
"""

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from coworklib.core.request_log import note_refusal

API_PATH_PREFIX = "/api/"


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _error(request: HttpRequest, status: int, detail: str, code: str) -> HttpResponse:
    note_refusal(request, code)
    body = json.dumps({"detail": detail, "code": code})
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def _allowed_methods(response: HttpResponse) -> list[str]:
    methods = [method.strip().upper() for method in response.get("Allow", "").split(",") if method.strip()]
    if "GET" in methods and "HEAD" not in methods:
        methods.append("HEAD")
    # A stable order: ninja builds the header from a set.
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return sorted(methods, key=lambda method: order.index(method) if method in order else len(order))


class ApiMethodMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PATH_PREFIX):
            return self.get_response(request)
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            if head:
                request.method = "HEAD"  # as it came, for the log line and whatever runs after
        response = self._as_api_error(request, response)
        if head and not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response

    def _as_api_error(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code not in (404, 405) or _is_json(response):
            return response
        if response.status_code == 404:
            return _error(request, 404, _("Introuvable."), "not_found")
        allowed = _allowed_methods(response)
        error = _error(
            request,
            405,
            _("La méthode %(method)s n'est pas permise ici.") % {"method": request.method},
            "method_not_allowed",
        )
        error["Allow"] = ", ".join(allowed)
        return error
