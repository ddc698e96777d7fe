from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

from coworklib.accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Without django.contrib.sites allauth names the site after the request's
        # host ("Hello from 127.0.0.1:8000"); e-mails speak of Coworklib instead.
        context = {
            "current_site": SimpleNamespace(name="Coworklib", domain=urlsplit(settings.SITE_URL).netloc),
            **context,
        }
        # In the recipient's language (their profile), not the one of whoever
        # triggered the e-mail; an unknown address gets the current language.
        recipient = context.get("user")
        if not isinstance(recipient, User):
            recipient = User.objects.filter(email=email.strip().lower()).only("language").first()
        language = recipient.language if recipient is not None else translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
