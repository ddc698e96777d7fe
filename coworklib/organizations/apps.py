from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "coworklib.organizations"
