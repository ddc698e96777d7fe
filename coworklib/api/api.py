"""The /api/v1 NinjaAPI: auth, the error shape of API.md, and every app's router."""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from coworklib.api.auth import api_auth
from coworklib.core.errors import DomainError
from coworklib.core.request_log import note_refusal

api = NinjaAPI(
    title="Coworklib API",
    version="1",
    description="REST API of Coworklib. Authenticate with `Authorization: Bearer <token>` from `POST /auth/token`.",
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(request: HttpRequest, status: int, detail: str, code: str, **extra: Any) -> HttpResponse:
    note_refusal(request, code)  # the log line says it too
    return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc.status, exc.detail, exc.code, **exc.extra)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": list(error.get("loc", [])), "msg": str(error.get("msg", "")), "type": str(error.get("type", ""))}
        for error in exc.errors
    ]
    fields = ", ".join(
        ".".join(str(part) for part in error["loc"][1:]) or str(error["loc"][0]) for error in errors if error["loc"]
    )
    detail = _("Données invalides : %(fields)s.") % {"fields": fields} if fields else _("Données invalides.")
    return error_response(request, 422, detail, "invalid", errors=errors)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, _("Authentification requise."), "not_authenticated")


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = error_response(request, 429, _("Trop de requêtes. Réessayez plus tard."), "throttled")
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found", 413: "too_large"}
    status = 422 if exc.status_code == 400 else exc.status_code  # malformed JSON is invalid input
    code = "invalid" if exc.status_code == 400 else codes.get(exc.status_code, "error")
    if exc.status_code == 403 and "CSRF" in str(exc):
        return error_response(request, 403, _("Jeton CSRF manquant ou invalide."), "csrf_failed")
    return error_response(request, status, str(exc), code)


@api.exception_handler(RequestDataTooBig)
def on_request_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, _("La requête est trop volumineuse."), "too_large")


@api.exception_handler(MultiPartParserError)
def on_unparsable_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return error_response(request, 422, _("Le formulaire envoyé est illisible."), "invalid")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, _("Introuvable."), "not_found")


def _register_routers() -> None:
    # Imported here so that each app owns its router and this module only assembles them.
    from coworklib.accounts.api import router as accounts_router
    from coworklib.community.api import router as community_router
    from coworklib.notifications.api import router as notifications_router
    from coworklib.organizations.api import router as organizations_router
    from coworklib.planning.api import router as planning_router
    from coworklib.privacy.api import router as privacy_router
    from coworklib.workspaces.api import router as workspaces_router

    api.add_router("", accounts_router)
    api.add_router("", organizations_router)
    api.add_router("", workspaces_router)
    api.add_router("", planning_router)
    api.add_router("", community_router)
    api.add_router("", notifications_router)
    api.add_router("", privacy_router)


_register_routers()
