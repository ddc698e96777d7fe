from django.urls import path

from coworklib.accounts import views

app_name = "accounts"
urlpatterns = [
    # The same path as allauth's login: this include comes first in config/urls.py,
    # so {% url 'account_login' %} (allauth's name) lands on our throttled view.
    path("login/", views.LoginView.as_view(), name="account_login"),
    path("profile/", views.profile, name="profile"),
    path("profile/photo/remove/", views.remove_photo, name="remove_photo"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
