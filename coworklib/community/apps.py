from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "coworklib.community"
    verbose_name = _("Communauté")

    def ready(self) -> None:
        from coworklib.community import audit, signals  # noqa: F401  (signals connects the receivers)
        from coworklib.core.audit import register_audit_descriptions

        register_audit_descriptions(audit.DESCRIPTIONS)
