"""iCalendar: one session as an .ics file, and a member's secret feed of their sessions.

Times are written in UTC ("Z"), which every calendar shows in its own zone
correctly, whatever the workspace's zone and its DST changes.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from coworklib.accounts.models import User
from coworklib.planning.models import ParticipantStatus, Session
from coworklib.planning.selectors import sessions_of_user

FEED_PAST = timedelta(days=90)
FEED_FUTURE = timedelta(days=400)
PRODUCT_ID = "-//Coworklib//Coworklib//FR"


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "coworklib"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _address(session: Session) -> str:
    workspace = session.workspace
    parts = [workspace.name, workspace.street, " ".join(p for p in (workspace.postal_code, workspace.city) if p)]
    return ", ".join(part for part in parts if part)


def _event(session: Session, now: datetime) -> Event:
    url = settings.SITE_URL + reverse("planning:session", args=[session.organization.slug, session.pk])
    going = [p.user.display_name for p in session.participants.all() if p.status == ParticipantStatus.GOING]
    event = Event()
    event.add("uid", f"session-{session.pk}@{_host()}")
    event.add("dtstamp", now)
    event.add("dtstart", session.start.astimezone(ZoneInfo("UTC")))
    event.add("dtend", session.end.astimezone(ZoneInfo("UTC")))
    event.add("summary", _("Session à %(workspace)s") % {"workspace": session.workspace.name})
    event.add("location", _address(session))
    lines = [session.description] if session.description else []
    if going:
        lines.append(_("Participants : %(names)s") % {"names": ", ".join(going)})
    lines.append(url)
    event.add("description", "\n\n".join(lines))
    event.add("url", url)
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    # Calendars update an event they already have only when its sequence grows.
    event.add("sequence", int(session.updated_at.timestamp()) - int(session.created_at.timestamp()))
    event.add("last-modified", session.updated_at)
    return event


def session_ics(session: Session, *, language: str) -> bytes:
    with translation.override(language):
        calendar = _calendar(session.workspace.name)
        calendar.add("method", "PUBLISH")
        calendar.add_component(_event(session, timezone.now()))
        return calendar.to_ical()


def feed_ics(user: User) -> bytes:
    """The user's going sessions from 90 days ago to 400 days ahead, in every organization they belong to."""
    now = timezone.now()
    with translation.override(user.language or settings.LANGUAGE_CODE):
        calendar = _calendar(_("Mes sessions Coworklib"))
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
        for session in sessions_of_user(user, now - FEED_PAST, now + FEED_FUTURE):
            calendar.add_component(_event(session, now))
        return calendar.to_ical()
