"""The installable app: the service worker at /sw.js and the web app manifest at /manifest.webmanifest.

Both are served from the site root, not /static/: a service worker controls
only the paths under its own URL, and the manifest's start URL and scope are "/".
They are public (a browser fetches the manifest without cookies) and carry
text in the request's language.
"""

import json

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import URLPattern, path
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

# static/css/app.css, light theme: --accent and --bg.
THEME_COLOR = "#b23c0a"
BACKGROUND_COLOR = "#faf8f5"


def _language() -> str:
    return get_language() or "fr"


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    language = _language()
    context = {
        "language": language,
        "default_title": "Coworklib",
        "offline_page": render_to_string("notifications/offline.html", {"language": language}, request=request),
    }
    response = HttpResponse(
        render_to_string("notifications/sw.js", context, request=request),
        content_type="application/javascript; charset=utf-8",
    )
    # Its scope is the whole site; browsers check every navigation for an update, so no stale copy is kept.
    response["Service-Worker-Allowed"] = "/"
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    icons = [
        {"src": static("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {"src": static("icons/icon-maskable-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "maskable"},
        {"src": static("icons/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
    ]
    document = {
        "id": "/",
        "name": "Coworklib",
        "short_name": "Coworklib",
        "description": _(
            "Planifiez vos sessions dans les espaces de travail de votre organisation et retrouvez vos collègues."
        ),
        "lang": _language(),
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "categories": ["business", "productivity"],
        "icons": icons,
    }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/manifest+json; charset=utf-8"
    )
    patch_cache_control(response, public=True, max_age=3600)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


urlpatterns: list[URLPattern] = [
    path("sw.js", service_worker, name="service_worker"),
    path("manifest.webmanifest", manifest, name="manifest"),
]
