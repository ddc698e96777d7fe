"""The legal documents (legal notice, privacy policy, terms) and the re-acceptance of new terms.

The documents are long prose: one template per language (``privacy/legal/<document>_<lang>.html``)
rather than hundreds of gettext strings, which would split sentences and lose their legal wording.
"""

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coworklib.accounts.models import LegalAcceptance, User
from coworklib.privacy.consent import necessary_cookies, safe_next

# Languages with their own version of each document; any other falls back to French, the reference.
DOCUMENT_LANGUAGES = ("fr", "en")
# Days in an average month, to say "24 mois" for 730 days.
DAYS_PER_MONTH = 30.44
# Where the "terms accepted" answer is kept for the rest of the request (the middleware asks first).
_ACCEPTED_ATTRIBUTE = "_coworklib_terms_accepted"


def document_language() -> str:
    language = (get_language() or "fr").split("-")[0]
    return language if language in DOCUMENT_LANGUAGES else "fr"


def document_templates(document: str) -> list[str]:
    return [f"privacy/legal/{document}_{document_language()}.html", f"privacy/legal/{document}_fr.html"]


def _version_date(version: str) -> date | None:
    # Versions are ISO dates by convention ("2026-12-05"); any other label is shown as it is.
    try:
        return date.fromisoformat(version)
    except ValueError:
        return None


def operator_details() -> dict[str, str]:
    """The operator's details from the settings; a blank one is left out of the pages rather than shown empty."""
    return {
        "name": settings.OPERATOR_NAME.strip(),
        "registration": settings.OPERATOR_REGISTRATION.strip(),
        "address": settings.OPERATOR_ADDRESS.strip(),
        "email": settings.OPERATOR_EMAIL.strip(),
        "phone": settings.OPERATOR_PHONE.strip(),
        "publication_director": settings.OPERATOR_PUBLICATION_DIRECTOR.strip(),
        "dpo_email": settings.OPERATOR_DPO_EMAIL.strip(),
        "host": settings.OPERATOR_HOST.strip(),
    }


def _months(days: int) -> int:
    return max(1, round(days / DAYS_PER_MONTH))


def _document_context(*, title: str, version: str | None) -> dict[str, Any]:
    return {
        "title": title,
        "version": version,
        "version_date": _version_date(version) if version else None,
        "operator": operator_details(),
        "measurement_in_use": bool(settings.AUDIENCE_MEASUREMENT_ID),
        "erasure_days": settings.INACTIVITY_ERASURE_DAYS,
        "erasure_months": _months(settings.INACTIVITY_ERASURE_DAYS),
    }


def legal_notice(request: HttpRequest) -> HttpResponse:
    context = _document_context(title=_("Mentions légales"), version=None)
    context["document"] = "notice"
    return TemplateResponse(request, document_templates("notice"), context)


def privacy_policy(request: HttpRequest) -> HttpResponse:
    context = _document_context(title=_("Politique de confidentialité"), version=settings.PRIVACY_POLICY_VERSION)
    context.update(
        document="privacy",
        necessary_cookies=necessary_cookies(),
        warning_days=settings.INACTIVITY_WARNING_DAYS,
        grace_days=settings.INACTIVITY_ERASURE_DAYS - settings.INACTIVITY_WARNING_DAYS,
        warning_months=_months(settings.INACTIVITY_WARNING_DAYS),
        export_hours=settings.DATA_EXPORT_VALIDITY_HOURS,
        login_history_days=settings.LOGIN_HISTORY_DAYS,
        login_history_months=_months(settings.LOGIN_HISTORY_DAYS),
    )
    return TemplateResponse(request, document_templates("privacy"), context)


def terms(request: HttpRequest) -> HttpResponse:
    context = _document_context(title=_("Conditions d'utilisation"), version=settings.TERMS_VERSION)
    context["document"] = "terms"
    return TemplateResponse(request, document_templates("terms"), context)


# --- Re-acceptance of the terms -------------------------------------------------------


def has_accepted_current_terms(request: HttpRequest) -> bool:
    """Whether the signed-in user accepted ``TERMS_VERSION``: one query, then remembered for the request."""
    cached = getattr(request, _ACCEPTED_ATTRIBUTE, None)
    if cached is not None:
        return bool(cached)
    accepted = LegalAcceptance.objects.filter(
        user_id=request.user.pk or 0, document=LegalAcceptance.Document.TERMS, version=settings.TERMS_VERSION
    ).exists()
    setattr(request, _ACCEPTED_ATTRIBUTE, accepted)
    return accepted


def accept_current_terms(*, user: User) -> LegalAcceptance:
    """Record that ``user`` accepted the current terms; accepting twice keeps the first date."""
    acceptance, _created = LegalAcceptance.objects.get_or_create(
        user=user, document=LegalAcceptance.Document.TERMS, version=settings.TERMS_VERSION
    )
    return acceptance


def next_page(request: HttpRequest, target: str | None) -> str:
    """``target`` when it is a page of this site (consent.safe_next), else the dashboard."""
    return safe_next(request, target) or reverse("web:dashboard")


class AcceptTermsForm(forms.Form):
    accept = forms.BooleanField(
        label=gettext_lazy("J'ai lu et j'accepte les conditions d'utilisation."),
        error_messages={
            "required": gettext_lazy(
                "Cochez la case pour accepter les conditions d'utilisation : sans elles, "
                "vous ne pouvez pas continuer à utiliser Coworklib."
            )
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def accept_terms(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # login_required
    next_url = next_page(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST":
        form = AcceptTermsForm(request.POST)
        if form.is_valid():
            accept_current_terms(user=user)
            return redirect(next_url)
    elif has_accepted_current_terms(request):
        return redirect(next_url)
    else:
        form = AcceptTermsForm()
    first_time = not LegalAcceptance.objects.filter(user=user, document=LegalAcceptance.Document.TERMS).exists()
    context = {
        "form": form,
        "next": next_url,
        "first_time": first_time,
        "version": settings.TERMS_VERSION,
        "version_date": _version_date(settings.TERMS_VERSION),
        "erasure_months": _months(settings.INACTIVITY_ERASURE_DAYS),
        # {% include %} takes the first of these that exists.
        "changes_templates": document_templates("terms_changes"),
    }
    return TemplateResponse(request, "privacy/legal/accept_terms.html", context)
