from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "coworklib.organizations"
    verbose_name = "Organisations"

    def ready(self) -> None:
        from coworklib.organizations import signals  # noqa: F401
