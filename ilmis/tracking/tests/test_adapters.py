"""Reads from other apps (R11.3, R11.4): quiz attempts, exercise work, live-class attendance."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from ilmis.tracking import adapters, services


@pytest.fixture
def quiz_models():
    try:
        return apps.get_model("quizzes", "Quiz"), apps.get_model("quizzes", "Attempt")
    except LookupError:
        pytest.skip("the quizzes app has no attempts yet")


def test_final_quiz_attempt_in_evidence_and_success(quiz_models, alice, enrolment, activities):
    """R11.3: positioning/checkpoint/final attempts with score and time; a passed final quiz
    counts as success for indicator 2 when staff recorded no result."""
    quiz_model, attempt_model = quiz_models
    quiz = quiz_model.objects.create(
        title="Évaluation finale", purpose="final", activity=activities[2]
    )
    now = timezone.now()
    attempt_model.objects.create(
        quiz=quiz,
        user=alice,
        number=1,
        status="finished",
        started_at=now - timedelta(minutes=12),
        finished_at=now,
        max_score=10,
        score=8,
        passed=True,
    )
    rows = adapters.evaluations(alice, enrolment.session.programme)
    assert [(r["title"], r["score"], r["passed"]) for r in rows] == [
        ("Évaluation finale (n° 1)", "80 %", True)
    ]
    assert rows[0]["seconds"] == 720
    assert services.progress(enrolment)["passed"] is True


def test_no_quiz_app_data_means_no_rows(alice, enrolment):
    assert adapters.evaluations(alice, enrolment.session.programme) == []
    assert adapters.submissions(alice, enrolment.session.programme) == []
    assert adapters.attendance(alice, enrolment.session) == []


def test_exercise_submission_and_correction(alice, enrolment, programme, trainer):
    """R11.4: work submitted and its correction appear in the evidence."""
    from ilmis.exercises.models import Exercise, Submission
    from ilmis.learning.testing import add_activity, add_module

    activity = add_activity(add_module(programme, "Module 2"), "exercise", "Étude de cas")
    exercise = Exercise.objects.create(activity=activity, instructions="Analysez le cas.")
    Submission.objects.create(
        exercise=exercise,
        learner=alice,
        version=1,
        text="Ma réponse",
        grade=15,
        graded_by=trainer,
        graded_at=timezone.now(),
        comments="Bonne analyse",
    )
    [row] = adapters.submissions(alice, programme)
    assert row["title"] == "Étude de cas" and row["grade"] == "15.00 / 20.00"
    assert "Claire Formatrice" in row["detail"] and "Bonne analyse" in row["detail"]
