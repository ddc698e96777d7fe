from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "coworklib.core"

    def ready(self) -> None:
        from django.urls import register_converter

        from coworklib.core.converters import DatabaseIdConverter

        # Before any URLconf is imported, whichever app's patterns are built first.
        register_converter(DatabaseIdConverter, "dbid")
