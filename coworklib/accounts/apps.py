from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coworklib.accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from coworklib.accounts import signals  # noqa: F401
