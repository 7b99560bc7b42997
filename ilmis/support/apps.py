from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "ilmis.support"
