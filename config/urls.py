from django.contrib import admin
from django.urls import include, path

from coworklib.api.api import api
from coworklib.core.media import serve_media
from coworklib.web.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Uploaded files go through an access check (coworklib/core/media.py), never a plain static route.
    path("media/<path:name>", serve_media, name="media"),
    path("api/v1/", api.urls),
    path("staff/admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("coworklib.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("coworklib.organizations.urls")),
    path("", include("coworklib.workspaces.urls")),
    path("", include("coworklib.planning.urls")),
    path("", include("coworklib.community.urls")),
    path("", include("coworklib.notifications.urls")),
    path("", include("coworklib.privacy.urls")),
    path("", include("coworklib.web.urls")),
]
