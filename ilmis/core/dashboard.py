"""Dashboard panels: each app may provide `dashboard.panels(request)`, a list of dicts with a
`template` key (and whatever that template needs); the core dashboard shows them in order."""

from importlib import import_module

from django.apps import apps


def collect_panels(request):
    panels = []
    for config in apps.get_app_configs():
        if not config.name.startswith("ilmis.") or config.name == "ilmis.core":
            continue
        try:
            module = import_module(f"{config.name}.dashboard")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.dashboard":
                raise
            continue
        panels.extend(module.panels(request))
    return panels
