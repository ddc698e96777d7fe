from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from coworklib.api.api import api
from coworklib.web.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("staff/admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("coworklib.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("coworklib.organizations.urls")),
    path("", include("coworklib.web.urls")),
]

if settings.SERVE_MEDIA:
    # Media are served by Django in the embedded setup; behind a real web server
    # or S3, set SERVE_MEDIA=false.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
