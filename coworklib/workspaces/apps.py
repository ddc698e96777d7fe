from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspacesConfig(AppConfig):
    name = "coworklib.workspaces"
    verbose_name = _("Espaces de travail")

    def ready(self) -> None:
        from coworklib.core.audit import register_audit_descriptions
        from coworklib.workspaces import audit, signals  # noqa: F401  (signals connects the receivers)

        register_audit_descriptions(audit.DESCRIPTIONS)
