"""The "quiz" activity kind for the learning app (ilmis.learning.kinds)."""

from django.urls import reverse


def quiz_for(activity):
    from .models import Quiz

    return Quiz.objects.filter(activity=activity).first()


def launch_url(activity):
    return reverse("quizzes:start", args=[activity.uuid])


def staff_url(activity):
    quiz = quiz_for(activity)
    if quiz:
        return reverse("quizzes:quiz_edit", args=[quiz.pk])
    return reverse("quizzes:quiz_add") + f"?activity={activity.pk}"


def is_completed(user, activity):
    from .models import Attempt

    return Attempt.objects.filter(
        quiz__activity=activity, user=user, status=Attempt.Status.FINISHED
    ).exists()


def attach(activity, quiz):
    from ilmis.audit.services import record

    quiz.activity = activity
    quiz.save(update_fields=["activity"])
    record("quizzes.quiz_attached", quiz, to_state=str(activity.pk))
