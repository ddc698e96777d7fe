from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from coworklib.organizations.selectors import last_membership_for_user
from coworklib.organizations.views import overview_context


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Straight to the organization the user last opened; otherwise their organizations and invitations."""
    membership = last_membership_for_user(request.user)  # type: ignore[arg-type]
    if membership is not None:
        return redirect("organizations:home", slug=membership.organization.slug)
    return render(request, "web/dashboard.html", overview_context(request.user))


def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", whatever its class
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
