from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "ilmis.tracking"
    verbose_name = _("Suivi et preuves")

    def ready(self):
        from . import receivers  # noqa: F401
