from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from coworklib.accounts import services, throttling
from coworklib.accounts.models import ApiToken, LoginEvent, User


@receiver(post_save, sender=User)
def revoke_tokens_after_password_change(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    # Web sessions die on their own (their auth hash includes the password);
    # bearer tokens do not, so they are revoked here.
    if getattr(instance, "_password_changed", False):
        instance._password_changed = False
        if not created:
            ApiToken.objects.filter(user=instance).delete()


@receiver(user_login_failed)
def count_failed_login(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Every password check goes through django.contrib.auth.authenticate(): the
    # web login form, re-authentication and POST /auth/token, so one receiver
    # counts them all. allauth passes the address as "email"; ModelBackend
    # callers may pass it as "username".
    email = credentials.get("email") or credentials.get("username")
    if isinstance(email, str) and email:
        throttling.record_login_failure(email=email, ip=throttling.client_ip(request))


@receiver(user_logged_in)
def clear_failed_logins(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    throttling.clear_login_failures(email=user.email)
    # django.contrib.auth.login() has cycled the session key by now: the one stored is the live one.
    services.record_login(user=user, request=request, method=LoginEvent.Method.WEB)
