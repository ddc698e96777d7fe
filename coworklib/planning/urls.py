from django.urls import include, path

from coworklib.planning import views

app_name = "planning"

session_patterns = [
    path("", views.agenda, name="agenda"),
    path("new/", views.plan_session, name="plan"),
    path("<dbid:session_id>/", views.session_detail, name="session"),
    path("<dbid:session_id>/edit/", views.edit_session, name="edit"),
    path("<dbid:session_id>/join/", views.join, name="join"),
    path("<dbid:session_id>/leave/", views.leave, name="leave"),
    path("<dbid:session_id>/decline/", views.decline, name="decline"),
    path("<dbid:session_id>/invite/", views.invite, name="invite"),
    path("<dbid:session_id>/cancel/", views.cancel, name="cancel"),
    path("<dbid:session_id>/session.ics", views.session_ics, name="session_ics"),
]

urlpatterns = [
    path("o/<slug:slug>/sessions/", include(session_patterns)),
    path("o/<slug:slug>/whereabouts/", views.whereabouts, name="whereabouts"),
    path("o/<slug:slug>/workspaces/<dbid:workspace_id>/day/", views.workspace_day, name="workspace_day"),
    path("o/<slug:slug>/workspaces/<dbid:workspace_id>/check-in/", views.check_in, name="check_in"),
    path("o/<slug:slug>/check-out/", views.check_out, name="check_out"),
    # The address in the QR code shown on site: the token changes every day (checkin_codes).
    path("o/<slug:slug>/check-in/<dbid:workspace_id>/<str:code>/", views.qr_check_in, name="qr_checkin"),
    path("o/<slug:slug>/console/workspaces/<dbid:workspace_id>/qr/", views.console_qr, name="console_qr"),
    path("account/calendar/", views.calendar_settings, name="calendar_settings"),
    # The secret feed address a calendar application polls, without a session.
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
]
