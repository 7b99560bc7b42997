from django.apps import AppConfig


class ScormConfig(AppConfig):
    name = "ilmis.scorm"

    def ready(self):
        try:
            from ilmis.learning import kinds
        except ImportError:  # the learning app is optional for this one
            return
        from . import integration

        kinds.register(
            "scorm",
            launch_url=integration.launch_url,
            is_completed=integration.is_completed,
            staff_url=integration.staff_url,
            attach=integration.attach,
        )
