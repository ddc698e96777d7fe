"""The contact form's writes: throttle, store the request, e-mail the staff and the sender.

Throttling: each stored request consumes one of ``CONTACT_REQUESTS_PER_WINDOW``
allowances per client IP, and one per account when the sender is signed in,
over a fixed window of ``CONTACT_WINDOW_SECONDS`` that starts with the first
request. Five an hour is far more than anyone writing to the staff needs,
and keeps the form from being used to flood the staff's inbox or, through
the acknowledgements, someone else's (counted by core.throttling).

E-mails are rendered at once and sent after the transaction commits; a mail
server failure is logged, never turned into an error page: the request is
stored and the staff see it in the admin.
"""

import calendar
import hashlib
import logging
import unicodedata
from datetime import date, datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coworklib.accounts.models import User, validate_printable
from coworklib.accounts.throttling import client_ip
from coworklib.core.throttling import Allowance, Throttled, consume
from coworklib.privacy.models import ContactRequest

logger = logging.getLogger(__name__)

CONTACT_REQUESTS_PER_WINDOW = 5
CONTACT_WINDOW_SECONDS = 3600
MESSAGE_MAX_LENGTH = 5000
_KEY_PREFIX = "privacy:contact-requests"


class ContactThrottled(Throttled):
    def explain(self, *, minutes: int) -> str:
        return ngettext(
            "Vous avez déjà envoyé plusieurs messages en peu de temps. "
            "Réessayez dans %(minutes)d minute : votre texte est conservé ci-dessous.",
            "Vous avez déjà envoyé plusieurs messages en peu de temps. "
            "Réessayez dans %(minutes)d minutes : votre texte est conservé ci-dessous.",
            minutes,
        ) % {"minutes": minutes}


def normalise_newlines(text: str) -> str:
    # Browsers send line breaks as CRLF but count them as one character in
    # maxlength: normalised first, a message that fit in the textarea fits here.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def validate_message_text(value: str) -> None:
    """Line breaks and tabs belong in a message; other control characters do not (PostgreSQL refuses NUL)."""
    if any(char not in "\n\t" and unicodedata.category(char) in {"Cc", "Cs"} for char in value):
        raise ValidationError(_("Votre message contient des caractères non autorisés."), code="control_characters")


def _digest(value: str) -> str:
    # Keys stay short and safe for any cache backend, and the cache holds no IP address.
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def consume_contact_allowance(*, ip: str | None, user: User | None) -> None:
    """Count one contact request, or raise ContactThrottled when the IP or the account has none left.

    Must be called outside any transaction (core.throttling).
    """
    keys = ([f"{_KEY_PREFIX}:ip:{_digest(ip)}"] if ip else []) + ([f"{_KEY_PREFIX}:user:{user.pk}"] if user else [])
    allowances = [Allowance(key, CONTACT_REQUESTS_PER_WINDOW, CONTACT_WINDOW_SECONDS) for key in keys]
    retry_after = consume(allowances)
    if retry_after is not None:
        raise ContactThrottled(retry_after=retry_after)


def _clean(contact_request: ContactRequest) -> None:
    # The form already says all this next to its fields; checked again here so
    # that no other caller can store what the form would refuse.
    contact_request.message = normalise_newlines(contact_request.message).strip()
    contact_request.name = contact_request.name.strip()
    errors: dict[str, list[ValidationError]] = {}
    for field, validator in (("name", validate_printable), ("message", validate_message_text)):
        try:
            validator(getattr(contact_request, field))
        except ValidationError as exc:
            errors[field] = [exc]
    try:
        contact_request.full_clean(exclude=["user", "created_at", "handled_at"])
    except ValidationError as exc:
        for field, field_errors in exc.error_dict.items():
            errors.setdefault(field, []).extend(field_errors)
    if errors:
        raise ValidationError(errors)


def submit_contact_request(
    *, user: User | None, name: str, email: str, topic: str, message: str, request: HttpRequest | None
) -> ContactRequest:
    """Store a question or complaint and e-mail it to the staff, with an acknowledgement to the sender.

    Raises ValidationError for invalid fields (nothing counted) and
    ContactThrottled past the limits. Call outside any transaction (throttle).
    """
    contact_request = ContactRequest(user=user, name=name, email=email, topic=topic, message=message)
    _clean(contact_request)
    consume_contact_allowance(ip=client_ip(request), user=user)
    with transaction.atomic():
        contact_request.save()
        _send_on_commit(_staff_message(contact_request))
        _send_on_commit(_acknowledgement(contact_request, language=_sender_language(user)))
    return contact_request


def _sender_language(user: User | None) -> str:
    if user is not None:
        return user.language
    return translation.get_language() or settings.LANGUAGE_CODE


def answer_due_on(received_at: datetime) -> date:
    """The same day one month later (the last day of a shorter month): GDPR art. 12(3)'s deadline to answer."""
    received = timezone.localtime(received_at).date()
    year, month = (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    return date(year, month, min(received.day, calendar.monthrange(year, month)[1]))


def _render(template: str, context: dict[str, object]) -> tuple[str, str, str]:
    subject = render_to_string(f"privacy/email/{template}_subject.txt", context).strip()
    # A subject is one header line, whatever the name or topic looked like.
    subject = " ".join(subject.split())
    text = render_to_string(f"privacy/email/{template}.txt", context)
    html = render_to_string(f"privacy/email/{template}.html", context)
    return subject, text, html


def _staff_message(contact_request: ContactRequest) -> EmailMultiAlternatives | None:
    recipients = [address for address in settings.CONTACT_EMAILS if address]
    if not recipients:
        logger.warning("contact request %s stored but CONTACT_EMAILS is empty: nobody was e-mailed", contact_request.pk)
        return None
    # The staff's e-mail is in the product's reference language and the
    # deployment's time zone, whatever the sender's.
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        context = {
            "contact_request": contact_request,
            "topic": contact_request.get_topic_display(),
            "is_privacy": contact_request.topic == ContactRequest.Topic.PRIVACY,
            "answer_by": answer_due_on(contact_request.created_at),
            "admin_url": settings.SITE_URL + reverse("admin:privacy_contactrequest_change", args=[contact_request.pk]),
        }
        subject, text, html = _render("contact_staff", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=recipients, reply_to=[contact_request.email])
    message.attach_alternative(html, "text/html")
    return message


def _acknowledgement(contact_request: ContactRequest, *, language: str) -> EmailMultiAlternatives:
    # The address was typed by whoever filled the form, perhaps not its owner:
    # the acknowledgement repeats nothing they wrote (not even the name), so the
    # form cannot be used to send someone a message of one's choosing.
    with translation.override(language):
        context = {
            "contact_request": contact_request,
            "topic": contact_request.get_topic_display(),
            "is_privacy": contact_request.topic == ContactRequest.Topic.PRIVACY,
            "answer_by": answer_due_on(contact_request.created_at),
            "privacy_policy_url": settings.SITE_URL + reverse("privacy:privacy_policy"),
        }
        subject, text, html = _render("contact_acknowledgement", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[contact_request.email])
    message.attach_alternative(html, "text/html")
    return message


def _send_on_commit(message: EmailMultiAlternatives | None) -> None:
    if message is not None:
        # robust: a mail server failure is logged and does not undo the stored request.
        transaction.on_commit(partial(_send, message), robust=True)


def _send(message: EmailMultiAlternatives) -> None:
    message.send()
    logger.info("contact e-mail sent")
