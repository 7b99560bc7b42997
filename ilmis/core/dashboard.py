"""Per-app extension points found by module name.

Dashboard panels: each app may provide `dashboard.panels(request)`, a list of dicts with a
`template` key (and whatever that template needs); the core dashboard shows them in order.
Demo data: each app may provide `demo.load_demo()`, called by `ilmis demo`.
"""

from importlib import import_module

from django.apps import apps


def app_modules(name):
    """The `ilmis.<app>.<name>` modules that exist, in INSTALLED_APPS order."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("ilmis.") or config.name == "ilmis.core":
            continue
        try:
            modules.append(import_module(f"{config.name}.{name}"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.{name}":
                raise
    return modules


def collect_panels(request):
    """Each panel rendered with its own keys (also reachable as `panel.<key>`)."""
    from django.template.loader import render_to_string

    return [
        render_to_string(panel["template"], {**panel, "panel": panel}, request=request)
        for module in app_modules("dashboard")
        for panel in module.panels(request)
    ]
