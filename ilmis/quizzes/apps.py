from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "ilmis.quizzes"

    def ready(self):
        try:
            from ilmis.learning import kinds
        except ImportError:  # the learning app is optional for the question bank
            return
        from . import integration

        kinds.register(
            "quiz",
            launch_url=integration.launch_url,
            is_completed=integration.is_completed,
            staff_url=integration.staff_url,
            attach=integration.attach,
        )
