from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "coworklib.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from coworklib.notifications import signals  # noqa: F401  (connects the receivers)
