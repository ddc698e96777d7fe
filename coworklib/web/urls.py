from django.urls import path

from coworklib.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("app/", views.dashboard, name="dashboard"),
]
