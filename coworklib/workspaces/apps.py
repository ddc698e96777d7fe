from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspacesConfig(AppConfig):
    name = "coworklib.workspaces"
    verbose_name = _("Espaces de travail")

    def ready(self) -> None:
        from coworklib.core.audit import register_audit_descriptions
        from coworklib.core.media import register_media_access
        from coworklib.core.request_limits import register_body_limit
        from coworklib.workspaces import audit, signals  # noqa: F401  (signals connects the receivers)
        from coworklib.workspaces.selectors import may_view_workspace_photo
        from coworklib.workspaces.services import photo_upload_body_limit

        register_audit_descriptions(audit.DESCRIPTIONS)
        register_media_access("workspace-photos/", may_view_workspace_photo)
        # The console's upload form and the API's upload (url_name in workspaces/api.py).
        register_body_limit("workspaces:console_photos", photo_upload_body_limit)
        register_body_limit("api:workspace_photos", photo_upload_body_limit)
