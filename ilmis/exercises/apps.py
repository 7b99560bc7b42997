from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "ilmis.exercises"

    def ready(self):
        from django.urls import reverse

        from ilmis.learning import kinds

        kinds.register(
            "exercise",
            launch_url=lambda activity: reverse("exercises:exercise", args=[activity.uuid]),
            staff_url=lambda activity: reverse("exercises:configure", args=[activity.uuid]),
        )
