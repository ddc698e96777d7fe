from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "coworklib.organizations"
    verbose_name = "Organisations"

    def ready(self) -> None:
        from coworklib.core.audit import register_audit_descriptions
        from coworklib.organizations import audit, signals  # noqa: F401  (signals connects the receivers)

        register_audit_descriptions(audit.DESCRIPTIONS)
