"""Uploaded files are private: each is served only to whoever may see what it belongs to.

A photo URL is random but permanent, so serving /media/ as plain static files
would keep a restricted workspace's photos (or a member's portrait) readable by
anyone who once had, or was sent, the link. Every app that stores files names
here, by folder, the function that decides who may read them.
"""

import mimetypes
from collections.abc import Callable
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe

# folder prefix (as in the models' upload_to) → "module.function(user, name) -> bool"
MEDIA_ACCESS_RULES = {
    "profile-photos/": "coworklib.accounts.selectors.may_view_profile_photo",
    "workspace-photos/": "coworklib.workspaces.selectors.may_view_workspace_photo",
}


def access_rule_for(name: str) -> Callable[[Any, str], bool] | None:
    for prefix, rule in MEDIA_ACCESS_RULES.items():
        if name.startswith(prefix):
            return import_string(rule)  # type: ignore[no-any-return]
    return None


@require_safe
def serve_media(request: HttpRequest, name: str) -> FileResponse:
    """The file if the signed-in user may see it; 404 otherwise, as for anything hidden."""
    rule = access_rule_for(name)
    if rule is None or ".." in name.split("/") or not request.user.is_authenticated:
        raise Http404
    if not rule(request.user, name) or not default_storage.exists(name):
        raise Http404
    content_type, _encoding = mimetypes.guess_type(name)
    response = FileResponse(default_storage.open(name), content_type=content_type or "application/octet-stream")
    # Only the browser of this user may keep it; names never change content.
    response["Cache-Control"] = "private, max-age=86400"
    return response


def delete_files_on_commit(names: list[str]) -> None:
    """Delete these stored files once the current transaction commits (at once outside one).

    After the commit: a rollback must not lose a file that a row still names.
    """
    names = [name for name in names if name]
    if not names:
        return

    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(delete)
