from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from coworklib.organizations.selectors import memberships_for_user


def current_organization(request: HttpRequest) -> dict[str, Any]:
    """The organization being viewed (set by org-scoped views) and the user's organizations for the switcher.

    The list is lazy: pages that do not show the navigation make no query for it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_membership": None, "my_memberships": []}
    return {
        "current_membership": getattr(request, "membership", None),
        "my_memberships": SimpleLazyObject(lambda: list(memberships_for_user(user))),
    }
