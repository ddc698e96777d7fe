""" "Vos données" in the account settings: download, correct, restrict, delete (GDPR articles 15–20)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coworklib.accounts import selectors as account_selectors
from coworklib.accounts import throttling
from coworklib.accounts.errors import LoginThrottled
from coworklib.accounts.models import User
from coworklib.accounts.views import login_retry_message, signed_in_user
from coworklib.core.errors import Conflict, Forbidden
from coworklib.privacy import exports, selectors, services
from coworklib.privacy.consent_services import current_choice
from coworklib.privacy.forms import DeleteAccountForm
from coworklib.privacy.models import ConsentCategory, DataExport

# How often the page asks whether an export being prepared is ready (htmx).
EXPORT_POLL_SECONDS = 2


def _export_context(user: User) -> dict[str, Any]:
    export = selectors.latest_export(user)
    now = timezone.now()
    return {
        "export": export,
        "export_available": export is not None and export.is_available(now),
        "export_expired": export is not None
        and export.status == DataExport.Status.READY
        and not export.is_available(now),
        "export_size": export.file.size if export is not None and export.is_available(now) and export.file else None,
        "export_poll_seconds": EXPORT_POLL_SECONDS,
    }


@login_required
@require_safe
def my_data(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.headers.get("HX-Request") and request.GET.get("part") == "export":
        # The export card asking whether the ZIP is ready yet.
        return render(request, "privacy/_export_card.html", _export_context(user))
    choice = current_choice(request)
    context = {
        **_export_context(user),
        "settings_section": "data",
        "restricted": user.processing_restricted_at is not None,
        "cookie_choice": choice,
        "audience_accepted": choice is not None and choice.accepts(ConsentCategory.AUDIENCE),
    }
    return render(request, "privacy/my_data.html", context)


@login_required
@require_POST
def request_export(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    exports.request_data_export(user=user)
    if request.headers.get("HX-Request"):
        return render(request, "privacy/_export_card.html", _export_context(user))
    return redirect(reverse("privacy:my_data") + "#export")


@login_required
@require_safe
def download_export(request: HttpRequest, key: str) -> HttpResponseBase:
    """The ZIP, for its owner only, until it expires; an expired link says so and offers a new export."""
    user = signed_in_user(request)
    export = exports.available_export(user=user, key=key)
    if export is None:
        if not DataExport.objects.filter(user=user, key=key).exists():
            raise Http404
        messages.warning(request, _("Ce lien de téléchargement a expiré. Préparez un nouvel export ci-dessous."))
        return redirect(reverse("privacy:my_data") + "#export")
    exports.mark_downloaded(export)
    filename = f"coworklib-{timezone.localdate(export.ready_at):%Y-%m-%d}.zip"
    archive = default_storage.open(str(export.file.name))
    response = FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def processing_restriction(request: HttpRequest) -> HttpResponse:
    restricted = request.POST.get("restricted") == "on"
    services.set_processing_restriction(user=signed_in_user(request), restricted=restricted)
    if restricted:
        messages.success(
            request,
            _(
                "Le traitement de vos données est limité : plus de mesure d'audience ni de nouveautés et offres. "
                "Votre compte reste utilisable."
            ),
        )
    else:
        messages.success(request, _("La limitation du traitement de vos données est levée."))
    return redirect(reverse("privacy:my_data") + "#restriction")


def _delete_page(request: HttpRequest, form: DeleteAccountForm, *, status: int = 200) -> HttpResponse:
    user = signed_in_user(request)
    context = {
        "form": form,
        "settings_section": "data",
        "preview": selectors.deletion_preview(user),
        **_export_context(user),
    }
    return render(request, "privacy/delete_account.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    with_code = account_selectors.user_has_mfa(user)
    if request.method == "GET":
        return _delete_page(request, DeleteAccountForm(with_code=with_code))
    form = DeleteAccountForm(request.POST, with_code=with_code)
    if not form.is_valid():
        return _delete_page(request, form, status=422)
    try:
        # Refused before the identity check, which may use up a one-time recovery code.
        services.ensure_may_be_erased(user=user)
        services.confirm_identity(
            user=user,
            password=form.cleaned_data["password"],
            code=form.cleaned_data.get("code"),
            ip=throttling.client_ip(request),
        )
        services.erase_user(user=user)
    except LoginThrottled as exc:
        form.add_error(None, login_retry_message(exc.retry_after))
        response = _delete_page(request, form, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except Forbidden as exc:
        form.add_error("code" if exc.code == "mfa_required" and with_code else "password", exc.detail)
        return _delete_page(request, form, status=403)
    except Conflict as exc:
        form.add_error(None, exc.detail)
        return _delete_page(request, form, status=409)
    logout(request)
    messages.success(
        request,
        _(
            "Votre compte est supprimé et vos données personnelles effacées. "
            "Ce que vous avez publié reste attribué à « Utilisateur supprimé »."
        ),
    )
    return redirect("web:home")
