"""Joining by verified e-mail domain: when an address is confirmed, and at each login.

The login hook covers people whose address was verified before their
organization claimed the domain.
"""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed, user_logged_in
from django.dispatch import receiver

from coworklib.accounts.models import User
from coworklib.organizations.services import join_by_verified_domains


@receiver(email_confirmed, dispatch_uid="organizations.join_on_email_confirmed")
def join_on_email_confirmed(sender: Any, email_address: EmailAddress, **kwargs: Any) -> None:
    join_by_verified_domains(user=email_address.user)


@receiver(user_logged_in, dispatch_uid="organizations.join_on_login")
def join_on_login(sender: Any, user: User, **kwargs: Any) -> None:
    join_by_verified_domains(user=user)
