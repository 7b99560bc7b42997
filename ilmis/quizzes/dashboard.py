"""Dashboard panel: the question bank, for trainers and staff."""

from . import services


def panels(request):
    if not services.can_manage_bank(request.user):
        return []
    from .models import Question

    count = Question.objects.count()
    return [{"template": "quizzes/dashboard_panel.html", "question_count": count}]
