from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from coworklib.accounts.models import ApiToken, User


@receiver(post_save, sender=User)
def revoke_tokens_after_password_change(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    # Web sessions die on their own (their auth hash includes the password);
    # bearer tokens do not, so they are revoked here.
    if getattr(instance, "_password_changed", False):
        instance._password_changed = False
        if not created:
            ApiToken.objects.filter(user=instance).delete()
