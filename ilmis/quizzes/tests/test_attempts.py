"""The attempt engine and learner pages (R6.3, R11.3): answers saved as given, idempotent and
ordered writes, server clock, expiry closes with saved answers, harmless double submit, access
through the programme's enrolment window, tampering refused."""

import json
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ilmis.audit.models import AuditEvent
from ilmis.enrolment.testing import enrol, make_programme
from ilmis.learning.models import ActivityCompletion
from ilmis.learning.testing import add_activity, add_module
from ilmis.quizzes import attempts, services
from ilmis.quizzes.models import Attempt, Category, Question, Quiz, QuizSlot

from .samples import GIFT_ALL_TYPES

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return make_programme()


@pytest.fixture
def quiz(programme):
    services.import_questions(GIFT_ALL_TYPES.encode())
    activity = add_activity(add_module(programme), kind="quiz", title="QCM final")
    quiz = Quiz.objects.create(
        title="QCM final",
        activity=activity,
        purpose="final",
        attempts_allowed=2,
        time_limit_minutes=10,
        pass_mark=60,
    )
    for position, question in enumerate(Question.objects.order_by("id")):
        QuizSlot.objects.create(quiz=quiz, position=position, question=question)
    return quiz


@pytest.fixture
def student(learner, programme):
    enrol(learner, programme)
    return learner


def q(name):
    return Question.objects.get(name=name)


def item_for(attempt, name):
    return attempt.items.get(question__name=name)


def correct_answers(attempt):
    """The right response for each question, read from the attempt's own layout."""
    sc = item_for(attempt, "SC")
    mat = item_for(attempt, "MAT")
    choices = mat.layout["choices"]
    return {
        "TF": True,
        "SC": 0,
        "MC": [0, 1],
        "SA": "paris",
        "NUM": "3,14",
        "MAT": {str(p): choices.index(m) for p, m in ((0, "croquettes"), (1, "herbe"))},
        "ES": "Il était une fois.",
    } | ({"SC": 0} if 0 in sc.layout["order"] else {})


def test_full_attempt_scores_every_type(quiz, student):
    """R6.3, R11.3: every type scored; the essay waits for a trainer; identity and time kept."""
    now = timezone.now()
    attempt = attempts.start_attempt(quiz, student, now=now)
    assert attempt.deadline == now + timedelta(minutes=10)
    assert attempt.max_score == 7  # 8 questions, the description is worth 0
    for name, response in correct_answers(attempt).items():
        attempts.save_answer(
            attempt.pk, student, question_id=q(name).pk, sequence=1, response=response, now=now
        )
    attempt = attempts.finish_attempt(attempt.pk, student, now=now + timedelta(minutes=3))
    assert attempt.status == "finished" and attempt.finished_at == now + timedelta(minutes=3)
    assert attempt.score == 6 and attempt.needs_grading and attempt.passed is None
    event = AuditEvent.objects.get(action="quizzes.attempt_finished")
    assert event.actor == student and event.data["score"].startswith("6")
    assert ActivityCompletion.objects.filter(user=student, activity=quiz.activity).exists()
    essay = item_for(attempt, "ES")
    with pytest.raises(PermissionDenied):
        attempts.grade_essay(essay.pk, student, fraction=1)
    attempts.grade_essay(essay.pk, quiz.created_by or _trainer(), fraction=0.5)
    attempt.refresh_from_db()
    assert attempt.score == 6.5 and attempt.passed is True and not attempt.needs_grading


def _trainer():
    from ilmis.core.testing import UserFactory

    return UserFactory(role="trainer")


def test_idempotent_and_ordered_writes(quiz, student):
    """R6.3: a retried write is accepted once; an older write is refused."""
    attempt = attempts.start_attempt(quiz, student)
    sa = q("SA").pk
    attempts.save_answer(attempt.pk, student, question_id=sa, sequence=1, response="Lyon")
    attempts.save_answer(attempt.pk, student, question_id=sa, sequence=3, response="Paris")
    again = attempts.save_answer(attempt.pk, student, question_id=sa, sequence=3, response="Paris")
    assert (again.sequence, again.response) == (3, "Paris")
    with pytest.raises(attempts.OutOfOrder) as error:
        attempts.save_answer(attempt.pk, student, question_id=sa, sequence=2, response="Lyon")
    assert error.value.data == {"sequence": 3}
    with pytest.raises(attempts.OutOfOrder):  # same number, different answer: a conflict
        attempts.save_answer(attempt.pk, student, question_id=sa, sequence=3, response="Nice")
    assert item_for(attempt, "SA").response == "Paris"


def test_start_twice_resumes_and_attempts_are_limited(quiz, student):
    first = attempts.start_attempt(quiz, student)
    assert attempts.start_attempt(quiz, student) == first
    attempts.finish_attempt(first.pk, student)
    second = attempts.start_attempt(quiz, student)
    assert second.number == 2
    attempts.finish_attempt(second.pk, student)
    with pytest.raises(attempts.AttemptError) as error:
        attempts.start_attempt(quiz, student)
    assert "toutes vos tentatives" in error.value.message


def test_expired_attempt_closed_with_saved_answers(quiz, student):
    """R6.3: the server's clock decides; the saved answers are scored at the deadline."""
    start = timezone.now()
    attempt = attempts.start_attempt(quiz, student, now=start)
    attempts.save_answer(
        attempt.pk,
        student,
        question_id=q("TF").pk,
        sequence=1,
        response=True,
        now=start + timedelta(minutes=9, seconds=59),
    )
    with pytest.raises(attempts.AttemptClosed):
        attempts.save_answer(
            attempt.pk,
            student,
            question_id=q("SA").pk,
            sequence=1,
            response="Paris",
            now=start + timedelta(minutes=10, seconds=1),
        )
    attempt.refresh_from_db()
    assert attempt.status == "finished" and attempt.closed_by_timeout
    assert attempt.finished_at == attempt.deadline
    assert attempt.score == 1  # the true/false answer saved in time; the late one is not
    assert item_for(attempt, "SA").response is None


def test_periodic_job_closes_expired_attempts(quiz, student):
    start = timezone.now() - timedelta(minutes=30)
    attempt = attempts.start_attempt(quiz, student, now=start)
    assert attempts.close_expired_attempts() == 1
    attempt.refresh_from_db()
    assert attempt.status == "finished" and attempt.closed_by_timeout
    assert attempts.close_expired_attempts() == 0


def test_closes_at_caps_the_deadline(quiz, student):
    now = timezone.now()
    quiz.closes_at = now + timedelta(minutes=4)
    quiz.save()
    attempt = attempts.start_attempt(quiz, student, now=now)
    assert attempt.deadline == quiz.closes_at


def test_double_submit_is_harmless(quiz, student):
    attempt = attempts.start_attempt(quiz, student)
    attempts.save_answer(attempt.pk, student, question_id=q("TF").pk, sequence=1, response=True)
    first = attempts.finish_attempt(attempt.pk, student)
    second = attempts.finish_attempt(attempt.pk, student, now=timezone.now() + timedelta(hours=1))
    assert (first.score, first.finished_at) == (second.score, second.finished_at)
    assert AuditEvent.objects.filter(action="quizzes.attempt_finished").count() == 1
    with pytest.raises(attempts.AttemptClosed):
        attempts.save_answer(
            attempt.pk, student, question_id=q("SA").pk, sequence=1, response="Paris"
        )


def test_random_draw_from_category(quiz, student):
    """R6.3: random draws, distinct, never a description, from a category and below."""
    services.import_questions(
        b"\n\n".join(b"::R%d:: Q%d {T}" % (i, i) for i in range(12)), category="Tirage/Sous"
    )
    QuizSlot.objects.filter(quiz=quiz).delete()
    QuizSlot.objects.create(
        quiz=quiz, position=0, draw_category=Category.objects.get(path="Tirage"), draw_count=5
    )
    quiz.shuffle_questions = True
    quiz.save()
    attempt = attempts.start_attempt(quiz, student, rng=random.Random(4))
    names = list(attempt.items.values_list("question__name", flat=True))
    assert len(set(names)) == 5 and all(n.startswith("R") for n in names)
    slot = QuizSlot.objects.get(quiz=quiz)
    slot.draw_count = 13
    slot.save()
    attempts.finish_attempt(attempt.pk, student)
    with pytest.raises(attempts.AttemptError) as error:
        attempts.start_attempt(quiz, student)
    assert "pas assez de questions" in error.value.message


def test_answer_order_shuffled_per_attempt_and_kept(quiz, student):
    attempt = attempts.start_attempt(quiz, student, rng=random.Random(1))
    order = item_for(attempt, "SC").layout["order"]
    assert sorted(order) == [0, 1, 2]
    assert (
        attempts.start_attempt(quiz, student).items.get(question__name="SC").layout["order"]
        == order
    )


# -- through HTTP ------------------------------------------------------------------------------


def post_answer(client, attempt, question, sequence, response, **extra):
    return client.post(
        reverse("quizzes:answer", args=[attempt.pk]),
        json.dumps({"question": question.pk, "sequence": sequence, "response": response, **extra}),
        content_type="application/json",
    )


def test_json_autosave_and_score_in_post_ignored(client, quiz, student):
    """R6.3: the browser sends answers only; a score in the request changes nothing."""
    client.force_login(student)
    response = client.post(reverse("quizzes:start", args=[quiz.activity.uuid]))
    attempt = Attempt.objects.get()
    assert response["Location"] == reverse("quizzes:attempt", args=[attempt.pk])
    reply = post_answer(client, attempt, q("TF"), 1, False, score=100, fraction=1)
    assert reply.status_code == 200 and reply.json()["saved"] is True
    assert post_answer(client, attempt, q("TF"), 1, False).status_code == 200  # retry
    stale = post_answer(client, attempt, q("TF"), 0, True)
    assert stale.status_code == 400
    older = post_answer(client, attempt, q("SA"), 2, "Paris")
    assert older.status_code == 200
    assert post_answer(client, attempt, q("SA"), 1, "Lyon").json()["error"] == "out_of_order"
    state = client.get(reverse("quizzes:attempt_state", args=[attempt.pk])).json()
    assert state["saved"][str(q("SA").pk)] == 2 and 0 < state["remaining_seconds"] <= 600
    client.post(reverse("quizzes:finish", args=[attempt.pk]), {"score": "7"})
    attempt.refresh_from_db()
    assert attempt.score == 1  # only the short answer is right
    page = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert "1 / 7" in page


def test_question_not_in_attempt_and_bad_payloads_refused(client, quiz, student):
    client.force_login(student)
    attempt = attempts.start_attempt(quiz, student)
    other = Question.objects.create(
        category=Category.objects.first(), qtype="truefalse", name="Autre", text="x"
    )
    reply = post_answer(client, attempt, other, 1, True)
    assert reply.status_code == 400 and "ne fait pas partie" in reply.json()["message"]
    reply = post_answer(client, attempt, q("SC"), 1, 99)
    assert reply.status_code == 400
    bad = client.post(
        reverse("quizzes:answer", args=[attempt.pk]), "not json", content_type="application/json"
    )
    assert bad.status_code == 400
    assert client.get(reverse("quizzes:answer", args=[attempt.pk])).status_code == 405


def test_after_deadline_http_write_refused_and_attempt_closed(client, quiz, student):
    client.force_login(student)
    attempt = attempts.start_attempt(quiz, student, now=timezone.now() - timedelta(minutes=11))
    reply = post_answer(client, attempt, q("TF"), 1, True)
    assert reply.status_code == 409 and reply.json()["error"] == "closed"
    attempt.refresh_from_db()
    assert attempt.status == "finished"


def test_another_learners_attempt_refused(client, quiz, student, make_user, programme):
    """R6.2: a second learner, even enrolled, cannot read or write someone else's attempt."""
    attempt = attempts.start_attempt(quiz, student)
    intruder = make_user(role="learner")
    enrol(intruder, programme)
    client.force_login(intruder)
    assert client.get(reverse("quizzes:attempt", args=[attempt.pk])).status_code == 403
    assert post_answer(client, attempt, q("TF"), 1, True).status_code == 403
    assert client.post(reverse("quizzes:finish", args=[attempt.pk])).status_code == 403
    assert client.get(reverse("quizzes:attempt_state", args=[attempt.pk])).status_code == 403
    attempts.finish_attempt(attempt.pk, student)
    assert client.get(reverse("quizzes:review", args=[attempt.pk])).status_code == 403
    attempt.refresh_from_db()
    assert all(i.response is None for i in attempt.items.all())


def test_unenrolled_outside_window_and_manager_refused(
    client, quiz, learner, manager, make_user, programme
):
    """R6.2: no enrolment, a window not yet open or already closed, or another role: 403."""
    url = reverse("quizzes:start", args=[quiz.activity.uuid])
    client.force_login(learner)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    late = make_user(role="learner")
    now = timezone.now()
    enrol(late, programme, start=now - timedelta(days=100), end=now - timedelta(days=10))
    early = make_user(role="learner")
    enrol(early, programme, start=now + timedelta(days=3))
    for user in (late, early, manager):
        client.force_login(user)
        assert client.get(url).status_code == 403
    assert not Attempt.objects.exists()
    with pytest.raises(PermissionDenied):
        attempts.start_attempt(quiz, late)


def test_learner_page_and_no_javascript_form(client, quiz, student):
    """Without JavaScript the page posts every answer, then submits."""
    client.force_login(student)
    page = client.get(reverse("quizzes:start", args=[quiz.activity.uuid])).content.decode()
    assert "QCM final" in page and "10 minutes" in page
    client.post(reverse("quizzes:start", args=[quiz.activity.uuid]))
    attempt = Attempt.objects.get()
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    save_url = reverse("quizzes:answer", args=[attempt.pk])
    assert f'data-save-url="{save_url}"' in page
    assert "quizzes/autosave" in page and f'name="q{q("SA").pk}"' in page
    response = client.post(
        reverse("quizzes:attempt", args=[attempt.pk]),
        {
            f"q{q('SA').pk}": "Paris",
            f"q{q('TF').pk}": "true",
            f"q{q('MC').pk}": ["0", "1"],
            "finish": "1",
        },
    )
    assert response["Location"] == reverse("quizzes:review", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.status == "finished" and attempt.score == 3


@pytest.mark.parametrize(
    "when,visible",
    [
        ("after_attempt", True),
        ("never", False),
        ("after_close", False),
    ],
)
def test_correction_policy(client, quiz, student, when, visible):
    """R6.3: corrections shown according to the trainer's policy."""
    quiz.correction_when = quiz.feedback_when = when
    quiz.save()
    attempt = attempts.start_attempt(quiz, student)
    attempts.save_answer(attempt.pk, student, question_id=q("SA").pk, sequence=1, response="Lyon")
    attempts.finish_attempt(attempt.pk, student)
    client.force_login(student)
    page = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert ("Réponses acceptées" in page) is visible
    attempt.refresh_from_db()
    policy = attempts.review_policy(attempt, student)
    assert policy["correction"] is visible
    if when == "after_close":
        quiz.closes_at = timezone.now() - timedelta(minutes=1)
        quiz.opens_at = None
        quiz.save()
        attempt.refresh_from_db()
        assert attempts.review_policy(attempt, student)["correction"] is True


def test_trainer_results_per_session_and_question(client, quiz, student, make_user, programme):
    """Issue 4: trainers see results per session and per question."""
    from ilmis.enrolment.models import Enrolment
    from ilmis.enrolment.testing import make_session

    attempt = attempts.start_attempt(quiz, student)
    attempts.save_answer(attempt.pk, student, question_id=q("TF").pk, sequence=1, response=True)
    attempts.finish_attempt(attempt.pk, student)
    other_session = make_session(programme)
    other = make_user(role="learner")
    enrol(other, other_session)
    attempts.finish_attempt(attempts.start_attempt(quiz, other).pk, other)
    client.force_login(make_user(role="trainer"))
    page = client.get(reverse("quizzes:results", args=[quiz.pk])).content.decode()
    assert student.email in page and other.email in page and "TF" in page and "50 %" in page
    session = Enrolment.objects.get(learner=student).session
    page = client.get(
        reverse("quizzes:results", args=[quiz.pk]), {"session": session.pk}
    ).content.decode()
    assert student.email in page and other.email not in page and "100 %" in page
    assert session.code in page
    client.force_login(student)
    assert client.get(reverse("quizzes:results", args=[quiz.pk])).status_code == 403


def test_learning_kind_registered(quiz, student):
    from ilmis.learning import kinds

    assert kinds.launch_url(quiz.activity) == reverse("quizzes:start", args=[quiz.activity.uuid])
    handler = kinds.get("quiz")
    assert handler.is_completed(student, quiz.activity) is False
    attempt = attempts.start_attempt(quiz, student)
    attempts.finish_attempt(attempt.pk, student)
    assert handler.is_completed(student, quiz.activity) is True


def test_answer_queries_constant_as_questions_grow(client, quiz, student):
    """Issue 4: query counts do not grow with the number of questions."""
    client.force_login(student)

    def measure(count):
        Attempt.objects.all().delete()
        existing = QuizSlot.objects.filter(quiz=quiz).count()
        extra = services.import_questions(
            b"\n\n".join(b"::X%d-%d:: Q {T}" % (count, i) for i in range(count)), category="X"
        )
        assert extra
        for position, question in enumerate(Question.objects.filter(name__startswith=f"X{count}-")):
            QuizSlot.objects.create(quiz=quiz, position=existing + position, question=question)
        attempt = attempts.start_attempt(quiz, student)
        client.get(reverse("quizzes:attempt", args=[attempt.pk]))  # warm the session
        with CaptureQueriesContext(connection) as page:
            client.get(reverse("quizzes:attempt", args=[attempt.pk]))
        with CaptureQueriesContext(connection) as save:
            post_answer(client, attempt, q("TF"), 1, True)
        return len(page), len(save)

    assert measure(2) == measure(40)


def test_immediate_feedback_checks_and_locks_one_question(client, quiz, student):
    """R6.3 policy "immediately": a checked question shows its feedback and is locked."""
    quiz.feedback_when = quiz.correction_when = Quiz.When.IMMEDIATELY
    quiz.save()
    client.force_login(student)
    attempt = attempts.start_attempt(quiz, student)
    sc = q("SC")
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert 'name="check"' in page
    right = item_for(attempt, "SC").layout["order"].index(0)
    response = client.post(
        reverse("quizzes:attempt", args=[attempt.pk]),
        {f"q{sc.pk}": str(item_for(attempt, "SC").layout["order"][right]), "check": str(sc.pk)},
    )
    assert response["Location"].endswith(f"#q{sc.pk}")
    item = item_for(attempt, "SC")
    assert item.checked_at is not None and item.fraction == 1
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "oui" in page  # the chosen answer's feedback
    reply = post_answer(client, attempt, sc, 5, 1)
    assert reply.status_code == 400 and "déjà corrigée" in reply.json()["message"]
    attempts.finish_attempt(attempt.pk, student)
    assert item_for(attempt, "SC").fraction == 1


def test_feedback_not_available_before_the_end_by_default(quiz, student):
    attempt = attempts.start_attempt(quiz, student)
    with pytest.raises(attempts.AttemptError):
        attempts.check_question(attempt.pk, student, question_id=q("SC").pk)


def test_quiz_list_for_trainers_only(client, quiz, make_user, student):
    client.force_login(make_user(role="trainer"))
    page = client.get(reverse("quizzes:quizzes")).content.decode()
    assert "QCM final" in page and reverse("quizzes:results", args=[quiz.pk]) in page
    client.force_login(student)
    assert client.get(reverse("quizzes:quizzes")).status_code == 403


def test_embedded_image_served_to_the_learner_of_the_attempt_only(
    client, quiz, student, make_user, programme
):
    """R6.2: a question's image reaches the learner taking it (inside the window), no one else."""
    from ilmis.quizzes.models import QuestionFile

    from .samples import MOODLE_XML

    services.import_questions(MOODLE_XML.encode(), fmt="xml")
    QuizSlot.objects.create(quiz=quiz, position=99, question=q("Cellule active"))
    attempt = attempts.start_attempt(quiz, student)
    image = QuestionFile.objects.get()
    url = reverse("quizzes:question_file", args=[image.pk, image.name])
    client.force_login(student)
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert url in page
    assert client.get(url).status_code == 200
    other = make_user(role="learner")
    enrol(other, programme)
    client.force_login(other)
    assert client.get(url).status_code == 403
    attempts.finish_attempt(attempt.pk, student)
    from ilmis.enrolment.models import Enrolment

    Enrolment.objects.filter(learner=student).update(
        access_start=timezone.now() - timedelta(days=10),
        access_end=timezone.now() - timedelta(minutes=1),
    )
    client.force_login(student)
    assert client.get(url).status_code == 403


def test_attempts_declared_as_evidence_for_privacy(quiz, student):
    """R7.2, R11.3: attempts and answers are the learner's data, kept as evidence on erasure."""
    from ilmis.privacy import registry

    attempt = attempts.start_attempt(quiz, student)
    declared = {d.model: d for d in registry.declarations()}
    assert list(declared["quizzes.Attempt"].records_of(student)) == [attempt]
    assert declared["quizzes.AttemptQuestion"].records_of(student).count() == 8
    assert declared["quizzes.Attempt"].on_erasure == "keep"
    assert not {k: v for k, v in registry.undeclared_models().items() if "quizzes" in k}


def test_evidence_file_reads_finished_attempts(quiz, student, programme):
    """R11.3, R11.4: the tracking app's evidence file lists each attempt with score and time."""
    from ilmis.tracking import adapters

    attempt = attempts.start_attempt(quiz, student)
    for name, response in correct_answers(attempt).items():
        if name != "ES":
            attempts.save_answer(
                attempt.pk, student, question_id=q(name).pk, sequence=1, response=response
            )
    attempts.finish_attempt(attempt.pk, student)
    [row] = adapters.evaluations(student, programme)
    assert row["title"] == "QCM final (n° 1)" and row["purpose"] == "final"
    assert row["score"] == "86 %" and row["passed"] is True and row["seconds"] >= 0
    assert adapters.final_results([student.pk], programme) == {student.pk: True}


def test_trainer_creates_the_quiz_of_an_activity(client, make_user, programme, student):
    """R6.3: settings (purpose, attempts, time, shuffles, pass mark, feedback and correction
    policy) and questions (fixed or random draw) from the trainer's pages."""
    from ilmis.learning import kinds

    services.import_questions(GIFT_ALL_TYPES.encode())
    activity = add_activity(add_module(programme), kind="quiz", title="Positionnement")
    trainer = make_user(role="trainer")
    client.force_login(trainer)
    url = kinds.get("quiz").staff_url(activity)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "action": "settings",
            "quiz-title": "Positionnement",
            "quiz-purpose": "positioning",
            "quiz-attempts_allowed": "1",
            "quiz-time_limit_minutes": "20",
            "quiz-shuffle_questions": "on",
            "quiz-shuffle_answers": "on",
            "quiz-pass_mark": "70",
            "quiz-feedback_when": "immediately",
            "quiz-correction_when": "never",
        },
    )
    quiz = Quiz.objects.get()
    assert response["Location"] == reverse("quizzes:quiz_edit", args=[quiz.pk])
    assert (quiz.activity, quiz.purpose, quiz.time_limit_minutes, quiz.created_by) == (
        activity,
        "positioning",
        20,
        trainer,
    )
    assert kinds.get("quiz").staff_url(activity) == reverse("quizzes:quiz_edit", args=[quiz.pk])
    category = Category.objects.get(path="Démo")
    edit = reverse("quizzes:quiz_edit", args=[quiz.pk])
    client.post(edit, {"action": "slots", "slot-category": category.pk, "slot-mode": "all"})
    assert quiz.slots.count() == 8
    page = client.post(
        edit,
        {"action": "slots", "slot-category": category.pk, "slot-mode": "draw", "slot-count": "50"},
    ).content.decode()
    assert "que 7 questions" in page and quiz.slots.count() == 8
    client.post(
        edit,
        {
            "action": "slots",
            "slot-category": category.pk,
            "slot-mode": "draw",
            "slot-count": "3",
            "slot-mark": "2",
        },
    )
    assert quiz.slots.filter(draw_category=category, draw_count=3, mark=2).exists()
    client.post(edit, {"action": "remove", "slot": quiz.slots.first().pk})
    assert quiz.slots.count() == 8
    client.force_login(student)
    assert client.get(edit).status_code == 403
    assert client.post(reverse("quizzes:quiz_add"), {"action": "settings"}).status_code == 403


def test_trainer_grades_an_essay_from_the_review_page(client, quiz, student, make_user):
    attempt = attempts.start_attempt(quiz, student)
    attempts.save_answer(
        attempt.pk, student, question_id=q("ES").pk, sequence=1, response="Mon récit."
    )
    attempts.finish_attempt(attempt.pk, student)
    essay = item_for(attempt, "ES")
    url = reverse("quizzes:grade", args=[attempt.pk, essay.pk])
    client.force_login(student)
    assert client.post(url, {"percent": "100"}).status_code == 403
    client.force_login(make_user(role="trainer"))
    page = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert url in page and "Mon récit." in page
    client.post(url, {"percent": "75", "comment": "Bien construit."})
    essay.refresh_from_db()
    attempt.refresh_from_db()
    assert essay.fraction == Decimal("0.75") and essay.grader_comment == "Bien construit."
    assert not attempt.needs_grading and attempt.score == Decimal("0.75")
    client.post(url, {"percent": "150"})
    essay.refresh_from_db()
    assert essay.fraction == Decimal("0.75")
    client.force_login(student)
    page = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert "Bien construit." in page
