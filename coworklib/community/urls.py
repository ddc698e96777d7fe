"""Pages of the community app: groups, follows and blocks (views), messages (message_views)."""

from django.urls import URLPattern

from coworklib.community import message_views, views

app_name = "community"
urlpatterns: list[URLPattern] = [*views.urlpatterns, *message_views.urlpatterns]
