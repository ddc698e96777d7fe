from django.urls import include, path

from coworklib.organizations import views

app_name = "organizations"

console_patterns = [
    path("", views.console_members, name="console_members"),
    path("members/<dbid:user_id>/role/", views.console_change_role, name="console_change_role"),
    path("members/<dbid:user_id>/remove/", views.console_remove_member, name="console_remove_member"),
    path("transfer/", views.console_transfer, name="console_transfer"),
    path("invitations/", views.console_invitations, name="console_invitations"),
    path("invitations/link/", views.console_invitation_link, name="console_invitation_link"),
    path(
        "invitations/<dbid:invitation_id>/revoke/",
        views.console_revoke_invitation,
        name="console_revoke_invitation",
    ),
    path("join-requests/", views.console_join_requests, name="console_join_requests"),
    path(
        "join-requests/<dbid:join_request_id>/approve/",
        views.console_decide_join_request,
        {"decision": "approve"},
        name="console_approve_join_request",
    ),
    path(
        "join-requests/<dbid:join_request_id>/reject/",
        views.console_decide_join_request,
        {"decision": "reject"},
        name="console_reject_join_request",
    ),
    path("domains/", views.console_domains, name="console_domains"),
    path("domains/<dbid:domain_id>/verify/", views.console_verify_domain, name="console_verify_domain"),
    path("domains/<dbid:domain_id>/remove/", views.console_remove_domain, name="console_remove_domain"),
    path("settings/", views.console_settings, name="console_settings"),
    path("activity/", views.console_activity, name="console_activity"),
]

urlpatterns = [
    path("organizations/", views.my_organizations, name="list"),
    path("organizations/new/", views.create_organization, name="create"),
    path("join/", views.join, name="join"),
    path("invite/", views.invitation, name="invitation"),
    path("invite/<str:token>/", views.invitation_link, name="invitation_link"),
    path("invitations/<dbid:invitation_id>/accept/", views.accept_email_invitation, name="accept_email_invitation"),
    path("o/<slug:slug>/", views.home, name="home"),
    path("o/<slug:slug>/members/", views.members, name="members"),
    path("o/<slug:slug>/join/", views.join, name="join_slug"),
    path("o/<slug:slug>/leave/", views.leave, name="leave"),
    path("o/<slug:slug>/console/", include(console_patterns)),
]
