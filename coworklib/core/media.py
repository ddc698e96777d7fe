"""Uploaded files are private: each is served only to whoever may see what it belongs to.

A photo URL is random but permanent, so serving /media/ as plain static files
would keep a restricted workspace's photos (or a member's portrait) readable by
anyone who once had, or was sent, the link. Every app that stores files registers,
by folder, the function that decides who may read them (``register_media_access``,
from its ``AppConfig.ready``), and ``serve_media`` asks it on every request.

Who is asking is either the user signed in on the web (the session cookie), or the
viewer a signed URL is bound to. The API holds bearer tokens, which a browser or an
image loader never sends with a plain GET, so the URLs it hands out are signed
(``signed_media_path``): HMAC (Django's signing, ``SECRET_KEY``) over the file's
name, the viewer's id and an expiry time. Such a URL:

- is bound to its viewer: whoever fetches it, the access rule is asked for that
  viewer, at fetch time. A URL that leaks therefore shows the file only to the extent
  its viewer may still see it (not after they left the organization, nor once the
  workspace is restricted away from them), and only until it expires;
- expires at the end of the day after the one it was made in (UTC days): between 24
  and 48 hours. All the URLs made for one viewer and one file during a day are the
  same, so an app's image cache keeps working for the day;
- when it is tampered with, expired, or names a viewer who may not see the file (or
  no longer exists or is deactivated), answers 404, exactly like a file that does not
  exist or is hidden: media answer no JSON and never say why.
"""

import mimetypes
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.signing import Signer
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_safe

MediaAccessRule = Callable[[Any, str], bool]

# A signed URL stays the same for a whole UTC day and works until the end of the next one.
SIGNED_URL_BUCKET_SECONDS = 24 * 3600
_SIGNER = Signer(salt="coworklib.core.media")

# folder prefix (as in the models' upload_to) → rule(viewer, name) -> bool
_access_rules: dict[str, MediaAccessRule] = {}


def register_media_access(prefix: str, rule: MediaAccessRule) -> None:
    """Serve the files whose names start with `prefix` to the viewers for whom `rule(viewer, name)` is true."""
    _access_rules[prefix] = rule


def access_rule_for(name: str) -> MediaAccessRule | None:
    for prefix, rule in _access_rules.items():
        if name.startswith(prefix):
            return rule
    return None


def _signature(name: str, viewer_id: int, expires: int) -> str:
    return _SIGNER.signature(f"{name}\n{viewer_id}\n{expires}")


def signed_media_path(name: str, *, viewer_id: int, now: float | None = None) -> str:
    """The absolute path of the file `name` for the viewer `viewer_id`, valid 24 to 48 hours (see the module)."""
    moment = time.time() if now is None else now
    expires = (int(moment) // SIGNED_URL_BUCKET_SECONDS + 2) * SIGNED_URL_BUCKET_SECONDS
    query = urlencode({"viewer": viewer_id, "expires": expires, "signature": _signature(name, viewer_id, expires)})
    return f"{reverse('media', args=[name])}?{query}"


def _signed_viewer(request: HttpRequest, name: str) -> Any | None:
    """The active user a valid, unexpired signature of `request` binds `name` to; None otherwise."""
    viewer, expires, signature = (request.GET.get(key, "") for key in ("viewer", "expires", "signature"))
    if not (viewer.isascii() and viewer.isdigit() and expires.isascii() and expires.isdigit() and signature):
        return None
    if len(viewer) > 19 or len(expires) > 12 or int(expires) <= time.time():
        return None
    if not constant_time_compare(signature, _signature(name, int(viewer), int(expires))):
        return None
    return get_user_model().objects.filter(pk=int(viewer), is_active=True).first()


@require_safe
def serve_media(request: HttpRequest, name: str) -> FileResponse:
    """The file if its viewer may see it; 404 otherwise, as for anything hidden.

    The viewer is the one a signed URL names when the request has a signature (even from a
    signed-in browser: the URL is what was shared), else the user signed in on the web.
    """
    rule = access_rule_for(name)
    if rule is None or ".." in name.split("/"):
        raise Http404
    viewer = _signed_viewer(request, name) if "signature" in request.GET else request.user
    if viewer is None or not viewer.is_authenticated:
        raise Http404
    if not rule(viewer, name) or not default_storage.exists(name):
        raise Http404
    content_type, _encoding = mimetypes.guess_type(name)
    response = FileResponse(default_storage.open(name), content_type=content_type or "application/octet-stream")
    # Only the browser (or app) of this viewer may keep it; names never change content.
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
