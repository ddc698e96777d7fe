"""Notification pages: the list (open one, mark all read) and the settings (type × channel, digest, reminders, news).

Notifications belong to the person, across their organizations, so these pages
are not under /o/<slug>/; each shows only what its reader may still see.
"""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coworklib.core.errors import NotFound
from coworklib.organizations.models import Membership

from . import preferences, selectors, services, texts
from .models import Channel, ReminderLead

PAGE_SIZE = 30


def _in_last_organization(request: HttpRequest) -> None:
    """These pages are the person's, not an organization's; the navigation still shows the one they were in."""
    last = getattr(request.user, "last_organization_id", None)
    membership = (
        Membership.objects.filter(user_id=request.user.pk or 0, organization_id=last)
        .select_related("organization", "user")
        .first()
        if last
        else None
    )
    if membership is not None:
        request.membership = membership  # type: ignore[attr-defined]


def age(instant: datetime, now: datetime) -> str:
    """ "à l'instant" under a minute, else "il y a 3 heures" (the largest unit only)."""
    if now - instant < timedelta(minutes=1):
        return _("à l'instant")
    return _("il y a %(ago)s") % {"ago": timesince(instant, now, depth=1)}


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    _in_last_organization(request)
    user = request.user
    only_unread = request.GET.get("unread") == "1"
    now = timezone.now()
    page = Paginator(selectors.notifications_of(user, unread=only_unread), PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    context = {
        "page": page,
        "items": [
            {
                "notification": item.notification,
                "title": item.title,
                "text": item.text,
                "age": age(item.notification.created_at, now),
            }
            for item in texts.describe(list(page.object_list))
        ],
        "only_unread": only_unread,
        "unread_total": selectors.unread_count(user),  # type: ignore[arg-type]
    }
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark it read and go where it points."""
    try:
        notification = selectors.get_notification_for_user(request.user, notification_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    services.mark_read(user=request.user, notification=notification)  # type: ignore[arg-type]
    [described] = texts.describe([notification])
    return redirect(described.url)


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(user=request.user)  # type: ignore[arg-type]
    if count:
        messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
    return redirect("notifications:list")


@login_required
def badge(request: HttpRequest) -> HttpResponse:
    """The unread count for the bell in the top bar, fetched by htmx after the page loads and every minute.

    Kept out of page rendering so that no page pays a query for it, and so it stays current on an open tab.
    """
    response = render(request, "notifications/_badge.html", {"unread": selectors.unread_count(request.user)})  # type: ignore[arg-type]
    response["Cache-Control"] = "no-store"
    return response


HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    _in_last_organization(request)
    user = request.user
    if request.method == "POST":
        choices = {
            (row.type, channel): f"pref:{row.type}:{channel}" in request.POST
            for row in preferences.preference_grid(user)  # type: ignore[arg-type]
            for channel in row.channels
        }
        lead = request.POST.get("reminder_lead", "")
        hour = request.POST.get("digest_hour", "")
        if lead not in ReminderLead.values or not hour.isdigit() or not 0 <= int(hour) <= 23:
            messages.error(request, _("Ces réglages ne sont pas valides : choisissez dans les listes proposées."))
            return redirect("notifications:settings")
        preferences.set_preferences(user=user, choices=choices)  # type: ignore[arg-type]
        services.update_settings(
            user=user,  # type: ignore[arg-type]
            digest_enabled="digest_enabled" in request.POST,
            digest_hour=int(hour),
            reminder_lead=lead,
            news="news" in request.POST,
        )
        messages.success(request, _("Vos préférences de notification sont enregistrées."))
        return redirect("notifications:settings")
    context = {
        "grid": preferences.preference_grid(user),  # type: ignore[arg-type]
        "channels": [(channel.value, channel.label) for channel in preferences.ALL_CHANNELS],
        "row_settings": preferences.settings_of(user),  # type: ignore[arg-type]
        "hours": HOURS,
        "leads": ReminderLead.choices,
        "push_channel": Channel.PUSH,
    }
    return render(request, "notifications/settings.html", context)


urlpatterns = [
    path("notifications/", notification_list, name="list"),
    path("notifications/<dbid:notification_id>/open/", open_notification, name="open"),
    path("notifications/read-all/", read_all, name="read_all"),
    path("notifications/badge/", badge, name="badge"),
    path("notifications/settings/", notification_settings, name="settings"),
]
