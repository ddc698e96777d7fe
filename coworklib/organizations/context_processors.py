from typing import Any

from django.http import HttpRequest


def current_organization(request: HttpRequest) -> dict[str, Any]:
    """The organization being viewed (set by org-scoped views) and the user's other organizations."""
    return {"current_membership": getattr(request, "membership", None)}
