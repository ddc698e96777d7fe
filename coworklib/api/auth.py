from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from coworklib.accounts.models import ApiToken, hash_token


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` from ``POST /auth/token``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token or len(token) > 200:
            return None
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(token), user__is_active=True, user__deleted_at__isnull=True)
            .first()
        )
        if api_token is None:
            return None
        now = timezone.now()
        # Writing on every call would serialise all API traffic on SQLite; once a minute is enough.
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class SessionCookie(APIKeyCookie):
    """The web session, for same-origin calls; CSRF is checked for unsafe methods."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a logged-in session there is nothing to protect: answer 401
        # (not authenticated) rather than a CSRF 403.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not getattr(user, "is_deleted", False):
            return user
        return None


api_auth = [BearerToken(), SessionCookie()]
