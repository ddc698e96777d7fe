import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

_LANGUAGE_CHANGE_ATTRIBUTE = "_profile_language_changed_to"


def remember_language_change(request: HttpRequest, language: str) -> None:
    """Ask the middleware to set the language cookie on this response.

    The cookie (set by the language switch) wins over the profile, so without
    this a profile change would not show until the cookie is cleared.
    """
    setattr(request, _LANGUAGE_CHANGE_ATTRIBUTE, language)


class UserPreferencesMiddleware:
    """Activates the signed-in user's language and time zone on web pages.

    The API keeps the request's ``Accept-Language`` (API.md); an explicit
    language cookie (the language switch) wins over the profile on the web.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        is_api = request.path.startswith("/api/")
        if user is not None and user.is_authenticated:
            if not is_api and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        response = self.get_response(request)
        language = getattr(request, _LANGUAGE_CHANGE_ATTRIBUTE, None)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # a settings str
            )
        return response
