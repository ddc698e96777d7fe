from django.urls import include, path

from coworklib.workspaces import views

app_name = "workspaces"

member_patterns = [
    path("", views.workspace_list, name="list"),
    path("favourites/", views.favourites, name="favourites"),
    path("recent/", views.recently_viewed, name="recent"),
    path("<dbid:workspace_id>/", views.workspace_detail, name="detail"),
    path("<dbid:workspace_id>/favourite/", views.set_favourite, name="favourite"),
]

console_patterns = [
    path("", views.console_list, name="console_list"),
    path("new/", views.console_create, name="console_create"),
    path("<dbid:workspace_id>/", views.console_edit, name="console_edit"),
    path("<dbid:workspace_id>/archive/", views.console_archive, {"archived": True}, name="console_archive"),
    path("<dbid:workspace_id>/unarchive/", views.console_archive, {"archived": False}, name="console_unarchive"),
    path("<dbid:workspace_id>/photos/", views.console_photos, name="console_photos"),
    path("<dbid:workspace_id>/photos/<dbid:photo_id>/", views.console_photo_alt, name="console_photo_alt"),
    path("<dbid:workspace_id>/photos/<dbid:photo_id>/move/", views.console_photo_move, name="console_photo_move"),
    path("<dbid:workspace_id>/photos/<dbid:photo_id>/delete/", views.console_photo_delete, name="console_photo_delete"),
    path("<dbid:workspace_id>/hours/", views.console_hours, name="console_hours"),
    path("<dbid:workspace_id>/closures/", views.console_closures, name="console_closures"),
    path(
        "<dbid:workspace_id>/closures/<dbid:closure_id>/delete/",
        views.console_closure_delete,
        name="console_closure_delete",
    ),
    path("<dbid:workspace_id>/access/", views.console_access, name="console_access"),
]

equipment_patterns = [
    path("", views.console_equipment, name="console_equipment"),
    path("<dbid:equipment_id>/", views.console_equipment_update, name="console_equipment_update"),
    path("<dbid:equipment_id>/delete/", views.console_equipment_delete, name="console_equipment_delete"),
]

urlpatterns = [
    path("o/<slug:slug>/workspaces/", include(member_patterns)),
    path("o/<slug:slug>/console/workspaces/", include(console_patterns)),
    path("o/<slug:slug>/console/equipment/", include(equipment_patterns)),
]
