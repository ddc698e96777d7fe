"""The invitation e-mail: rendered while the raw token is at hand, sent after commit."""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from coworklib.accounts.models import User
from coworklib.organizations.models import Invitation

logger = logging.getLogger(__name__)


def invitation_url(raw_token: str) -> str:
    return settings.SITE_URL + reverse("organizations:invitation_link", args=[raw_token])


def _language_for(email: str) -> str:
    # The invitee usually has no account yet, hence no language: French, the
    # product's reference language. Someone who already has an account gets theirs.
    known = User.objects.filter(email__iexact=email).values_list("language", flat=True).first()
    return known or settings.LANGUAGE_CODE


def send_invitation_email_on_commit(*, invitation: Invitation, raw_token: str, inviter: User) -> None:
    """Render the invitation now (the raw token is never stored) and send it once the transaction commits.

    A mail server failure must not turn an invitation that was saved into an
    error page: the admin sees the pending invitation and can send it again.
    """
    with translation.override(_language_for(invitation.email)):
        context = {
            "organization": invitation.organization,
            "inviter_name": inviter.display_name,
            "url": invitation_url(raw_token),
            "expires_at": invitation.expires_at,
            "role": invitation.get_role_display(),
        }
        subject = render_to_string("organizations/email/invitation_subject.txt", context).strip()
        text = render_to_string("organizations/email/invitation.txt", context)
        html = render_to_string("organizations/email/invitation.html", context)
    transaction.on_commit(
        partial(_send, subject=subject, text=text, html=html, recipient=invitation.email), robust=True
    )


def _send(*, subject: str, text: str, html: str, recipient: str) -> None:
    send_mail(subject, text, None, [recipient], html_message=html)
    logger.info("invitation e-mail sent")
