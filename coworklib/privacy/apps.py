from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "coworklib.privacy"
    verbose_name = _("Vie privée")

    def ready(self) -> None:
        # Every app declares its personal data in its own privacy.py (STYLE.md,
        # "Privacy as a registry"); importing them fills the registry.
        autodiscover_modules("privacy")
