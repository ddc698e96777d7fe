"""E-mails planning sends itself until the notifications app takes them over."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from coworklib.accounts.models import User
from coworklib.planning.models import Session


def send_seat_released_email(*, session_id: int, user_id: int) -> None:
    session = Session.objects.select_related("workspace", "organization").filter(pk=session_id).first()
    user = User.objects.filter(pk=user_id, deleted_at__isnull=True).first()
    if session is None or user is None:
        return
    zone = ZoneInfo(session.workspace.timezone)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "session": session,
            "workspace": session.workspace,
            "start": session.start.astimezone(zone),
            "end": session.end.astimezone(zone),
            "minutes": session.organization.no_show_release_minutes,
            "url": settings.SITE_URL + reverse("planning:session", args=[session.organization.slug, session.pk]),
        }
        subject = render_to_string("planning/email/seat_released_subject.txt", context).strip()
        text = render_to_string("planning/email/seat_released.txt", context)
        html = render_to_string("planning/email/seat_released.html", context)
    send_mail(subject, text, None, [user.email], html_message=html)
