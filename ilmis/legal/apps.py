from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "ilmis.legal"
    verbose_name = _("Conditions d'utilisation")
