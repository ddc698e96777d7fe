from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspacesConfig(AppConfig):
    name = "coworklib.workspaces"
    verbose_name = _("Espaces de travail")

    def ready(self) -> None:
        from coworklib.core.request_limits import register_body_limit
        from coworklib.workspaces import signals  # noqa: F401
        from coworklib.workspaces.services import photo_upload_body_limit

        # The console's upload form and the API's upload (url_name in workspaces/api.py).
        register_body_limit("workspaces:console_photos", photo_upload_body_limit)
        register_body_limit("api:workspace_photos", photo_upload_body_limit)
