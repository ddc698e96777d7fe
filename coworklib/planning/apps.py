from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "coworklib.planning"
    verbose_name = _("Planification")

    def ready(self) -> None:
        from coworklib.planning import signals  # noqa: F401  (connects the receivers)
