"""Tenancy for web pages: every org-scoped view goes through `organization_view`.

It resolves /o/<slug>/ to the caller's Membership (404 for anyone else, exactly
as for an organization that does not exist), puts it on `request.membership`
for the templates (context processor `current_membership`), remembers the
organization as the user's last one, and passes it to the view. With
`admin=True` plain members get a 403 and, when the organization requires it,
admins without two-factor authentication are sent to set it up.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from coworklib.core.errors import Forbidden, MfaRequired, NotFound
from coworklib.organizations.models import Membership
from coworklib.organizations.selectors import ensure_admin_access, get_membership_for_user
from coworklib.organizations.services import remember_last_organization

OrgView = Callable[Concatenate[HttpRequest, Membership, ...], HttpResponse]


def organization_view(*, admin: bool = False) -> Callable[[OrgView], Callable[..., HttpResponse]]:
    def decorator(view: OrgView) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                membership = get_membership_for_user(request.user, slug)
            except NotFound:
                raise Http404 from None
            request.membership = membership  # type: ignore[attr-defined]
            if admin:
                try:
                    ensure_admin_access(membership)
                except MfaRequired as exc:
                    messages.warning(request, exc.detail)
                    return redirect("mfa_index")
                except Forbidden as exc:
                    raise PermissionDenied(exc.detail) from None
            remember_last_organization(user=membership.user, organization=membership.organization)
            return view(request, membership, *args, **kwargs)

        return wrapper

    return decorator
