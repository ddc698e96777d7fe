"""Pages of the notifications app: the list and settings (views), unsubscribe links (email_views),
the service worker and the web app manifest (push_views)."""

from django.urls import URLPattern

from coworklib.notifications import email_views, push_views, views

app_name = "notifications"
urlpatterns: list[URLPattern] = [*views.urlpatterns, *email_views.urlpatterns, *push_views.urlpatterns]
