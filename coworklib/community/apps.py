from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "coworklib.community"
    verbose_name = _("Communauté")

    def ready(self) -> None:
        from coworklib.community import signals  # noqa: F401  (connects the receivers)
