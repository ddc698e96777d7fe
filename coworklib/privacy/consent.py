"""The cookie choices page (/cookies/), where the banner's forms post too.

Everything works without JavaScript: the banner is a plain form that posts
here and comes back to the page it was on.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from coworklib.privacy.consent_services import (
    CONSENT_COOKIE_MAX_AGE,
    CONSENT_COOKIE_NAME,
    current_choice,
    expire_measurement_cookies,
    known_categories,
    record_consent,
    set_consent_cookie,
)
from coworklib.privacy.models import ConsentCategory

ACCEPT_ALL = "accept_all"
REFUSE_ALL = "refuse_all"


def safe_next(request: HttpRequest, target: str | None) -> str | None:
    """``target`` when it is a path on this site; None for anything that could leave it."""
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return None


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return _("jusqu'à la fermeture du navigateur")
    days = max(1, round(timedelta(seconds=seconds).total_seconds() / 86400))
    if days >= 360:
        years = round(days / 365)
        return ngettext("%(count)d an", "%(count)d ans", years) % {"count": years}
    if days >= 28:
        months = round(days / 30.4)
        return ngettext("%(count)d mois", "%(count)d mois", months) % {"count": months}
    return ngettext("%(count)d jour", "%(count)d jours", days) % {"count": days}


def necessary_cookies() -> list[dict[str, str]]:
    """The cookies set without asking, because the service cannot work without them (CNIL: exempt)."""
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "purpose": _("Vous garder connecté pendant votre visite."),
            "duration": _duration(settings.SESSION_COOKIE_AGE),
        },
        {
            "name": settings.CSRF_COOKIE_NAME,
            "purpose": _("Protéger les formulaires contre les envois frauduleux."),
            "duration": _duration(settings.CSRF_COOKIE_AGE),
        },
        {
            "name": settings.LANGUAGE_COOKIE_NAME,
            "purpose": _("Retenir la langue que vous avez choisie."),
            "duration": _duration(settings.LANGUAGE_COOKIE_AGE),
        },
        {
            "name": CONSENT_COOKIE_NAME,
            "purpose": _("Retenir vos choix de cookies (et prouver votre consentement)."),
            "duration": _duration(CONSENT_COOKIE_MAX_AGE),
        },
        {
            "name": "messages",
            "purpose": _("Afficher un message de confirmation après une action."),
            "duration": _("jusqu'à la page suivante"),
        },
    ]


def _chosen_categories(request: HttpRequest) -> frozenset[str]:
    action = request.POST.get("choice")
    if action == ACCEPT_ALL:
        return frozenset(ConsentCategory.values)
    if action == REFUSE_ALL:
        return frozenset()
    # "Enregistrer": exactly the boxes ticked; a box left unticked is a refusal.
    return known_categories(request.POST.getlist("categories"))


@require_http_methods(["GET", "POST"])
def consent_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _record, choice = record_consent(request=request, categories=_chosen_categories(request))
        response = redirect(safe_next(request, request.POST.get("next")) or reverse("privacy:consent"))
        set_consent_cookie(response, choice)
        if not choice.accepts(ConsentCategory.AUDIENCE):
            expire_measurement_cookies(request, response)
        messages.success(
            request,
            _(
                "Vos choix de cookies sont enregistrés. Vous pouvez les modifier à tout moment "
                "(lien « Cookies » en bas de page)."
            ),
        )
        return response

    current = current_choice(request)
    context: dict[str, Any] = {
        "choice": current,
        "categories": [
            {
                "value": ConsentCategory.AUDIENCE.value,
                "label": ConsentCategory.AUDIENCE.label,
                "accepted": current is not None and current.accepts(ConsentCategory.AUDIENCE),
                "in_use": bool(settings.AUDIENCE_MEASUREMENT_ID),
            }
        ],
        "necessary_cookies": necessary_cookies(),
        "measurement_in_use": bool(settings.AUDIENCE_MEASUREMENT_ID),
        "next": safe_next(request, request.GET.get("next")) or "",
    }
    return render(request, "privacy/consent.html", context)
