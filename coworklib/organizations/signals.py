"""Joining by verified e-mail domain when one of the user's addresses becomes verified.

Not at login: nothing that grants membership changes then, and joining at
every login re-added people who had been removed or had left. The other moment
someone joins by domain is when an organization verifies the domain
(services.mark_email_domain_verified).
"""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from coworklib.organizations.services import join_by_verified_domains


@receiver(email_confirmed, dispatch_uid="organizations.join_on_email_confirmed")
def join_on_email_confirmed(sender: Any, email_address: EmailAddress, **kwargs: Any) -> None:
    join_by_verified_domains(user=email_address.user)
