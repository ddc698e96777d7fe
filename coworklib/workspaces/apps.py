from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspacesConfig(AppConfig):
    name = "coworklib.workspaces"
    verbose_name = _("Espaces de travail")

    def ready(self) -> None:
        from coworklib.workspaces import signals  # noqa: F401
