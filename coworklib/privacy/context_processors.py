from functools import cached_property
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from coworklib.privacy.consent_services import ConsentChoice, current_choice, measurement_allowed


class CookieConsent:
    """What the banner and the measurement tag need, worked out only when a template asks.

    An anonymous visitor costs no query: their choice is in the signed cookie.
    """

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def choice(self) -> ConsentChoice | None:
        return current_choice(self._request)

    @cached_property
    def show_banner(self) -> bool:
        match = getattr(self._request, "resolver_match", None)
        # The choices page offers the same buttons, and more: no banner over it.
        if match is not None and match.view_name == "privacy:consent":
            return False
        return self.choice is None

    @cached_property
    def measurement_enabled(self) -> bool:
        return measurement_allowed(self._request)

    @property
    def measurement_id(self) -> str:
        return settings.AUDIENCE_MEASUREMENT_ID

    @property
    def measurement_in_use(self) -> bool:
        return bool(settings.AUDIENCE_MEASUREMENT_ID)


def cookie_consent(request: HttpRequest) -> dict[str, Any]:
    return {"cookie_consent": CookieConsent(request)}
