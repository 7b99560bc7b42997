"""The attempt engine (R6.3, R11.3): answers are saved as they are given, never lost.

- `start_attempt` draws the questions (fixed or random from a category), fixes the answer order
  and the deadline (server clock) once; starting again returns the attempt in progress.
- `save_answer` is idempotent, keyed by attempt, question and a sequence number: the same write
  twice is accepted once; a write older than the last one is refused (out of order).
- An attempt past its deadline is closed with its saved answers by whoever touches it first
  (`save_answer`, `finish_attempt`, `get_attempt`, or the periodic job); later writes are refused.
- `finish_attempt` twice is harmless. Scores are computed here only, never read from a request.
"""

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ilmis.audit.services import record

from . import grading, qformat
from .models import Answer, Attempt, AttemptQuestion, Question, Quiz
from .services import can_attempt, can_manage_bank, descendants


class AttemptError(Exception):
    """A refused action, with a code for the JSON API and a French message."""

    code = "refused"
    status = 400

    def __init__(self, message, **data):
        super().__init__(message)
        self.message, self.data = message, data


class AttemptClosed(AttemptError):
    code, status = "closed", 409


class OutOfOrder(AttemptError):
    code, status = "out_of_order", 409


# -- starting --------------------------------------------------------------------------------------


def denial_reason(user, quiz, now=None):
    """None if `user` may start (or resume) an attempt now; otherwise why not, in French."""
    now = now or timezone.now()
    if not can_attempt(user, quiz, now=now):
        return _("Ce QCM ne vous est pas accessible.")
    if quiz.opens_at and now < quiz.opens_at:
        return _("Ce QCM n'est pas encore ouvert.")
    open_attempt = Attempt.objects.filter(
        quiz=quiz, user=user, status=Attempt.Status.IN_PROGRESS
    ).first()
    if open_attempt and not open_attempt.is_expired(now):
        return None
    if quiz.closes_at and now >= quiz.closes_at:
        return _("Ce QCM est fermé.")
    done = Attempt.objects.filter(quiz=quiz, user=user).count()  # an expired one counts too
    if quiz.attempts_allowed and done >= quiz.attempts_allowed:
        return _("Vous avez utilisé toutes vos tentatives.")
    return None


def _draw(quiz, rng):
    """[(question, mark)] for a new attempt: fixed questions and random draws."""
    chosen, seen = [], set()
    slots = list(quiz.slots.select_related("question", "draw_category"))
    fixed = {s.question_id for s in slots if s.question_id}
    for slot in slots:
        if slot.question_id:
            picked = [slot.question]
        else:
            categories = (
                descendants(slot.draw_category)
                if slot.include_subcategories
                else [slot.draw_category]
            )
            pool = list(
                Question.objects.filter(category__in=categories)
                .exclude(qtype=qformat.DESCRIPTION)
                .exclude(pk__in=seen | fixed)
                .values_list("pk", flat=True)
            )
            if len(pool) < slot.draw_count:
                raise AttemptError(
                    _("La catégorie « %(cat)s » n'a pas assez de questions pour ce tirage.")
                    % {"cat": slot.draw_category}
                )
            ids = rng.sample(pool, slot.draw_count)
            by_id = Question.objects.in_bulk(ids)
            picked = [by_id[i] for i in ids]
        for question in picked:
            seen.add(question.pk)
            mark = slot.mark if slot.mark is not None else question.default_mark
            chosen.append((question, Decimal(0) if question.qtype == qformat.DESCRIPTION else mark))
    if not chosen:
        raise AttemptError(_("Ce QCM n'a pas encore de questions."))
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return chosen


def _layout(quiz, question, answers, rng):
    shuffle = quiz.shuffle_answers and question.shuffle_answers
    if question.qtype in (qformat.SINGLE, qformat.MULTIPLE):
        order = [a.position for a in answers]
        if shuffle:
            rng.shuffle(order)
        return {"order": order}
    if question.qtype == qformat.MATCHING:
        order = [a.position for a in answers if a.text.strip()]
        choices = list(dict.fromkeys(a.match for a in answers))
        rng.shuffle(choices)  # Moodle always shuffles the choices of a matching question
        if shuffle:
            rng.shuffle(order)
        return {"order": order, "choices": choices}
    return {}


def start_attempt(quiz, user, *, now=None, rng=None):
    """The attempt in progress, or a new one (R6.3). PermissionDenied or AttemptError if not."""
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    if not can_attempt(user, quiz, now=now):
        raise PermissionDenied(_("Ce QCM ne vous est pas accessible."))
    with transaction.atomic():
        # one start at a time per learner
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        current = Attempt.objects.filter(
            quiz=quiz, user=user, status=Attempt.Status.IN_PROGRESS
        ).first()
        if current and not current.is_expired(now):
            return current
        if current:
            _finish(current, now)  # its time ran out: closed with its saved answers
        reason = denial_reason(user, quiz, now)
        attempt = None if reason else _create(quiz, user, now, rng)
    if reason:
        raise AttemptError(reason)
    return attempt


def _create(quiz, user, now, rng):
    drawn = _draw(quiz, rng)
    answers = defaultdict(list)
    for answer in Answer.objects.filter(question__in=[q for q, _m in drawn]).order_by(
        "question_id", "position"
    ):
        answers[answer.question_id].append(answer)
    deadline = None
    if quiz.time_limit_minutes:
        deadline = now + timedelta(minutes=quiz.time_limit_minutes)
    if quiz.closes_at and (deadline is None or quiz.closes_at < deadline):
        deadline = quiz.closes_at
    number = (Attempt.objects.filter(quiz=quiz, user=user).aggregate(n=Max("number"))["n"] or 0) + 1
    attempt = Attempt.objects.create(
        quiz=quiz,
        user=user,
        number=number,
        started_at=now,
        deadline=deadline,
        max_score=sum((m for _q, m in drawn), Decimal(0)),
    )
    AttemptQuestion.objects.bulk_create(
        [
            AttemptQuestion(
                attempt=attempt,
                position=i,
                question=q,
                mark=m,
                layout=_layout(quiz, q, answers[q.pk], rng),
            )
            for i, (q, m) in enumerate(drawn)
        ]
    )
    record(
        "quizzes.attempt_started",
        attempt,
        actor=user,
        to_state=attempt.status,
        quiz=quiz.pk,
        number=number,
    )
    return attempt


# -- answering -------------------------------------------------------------------------------------


def _locked_attempt(attempt_id, user):
    attempt = (
        Attempt.objects.select_for_update().select_related("quiz").filter(pk=attempt_id).first()
    )
    if attempt is None or (user is not None and attempt.user_id != user.pk):
        raise PermissionDenied(_("Cette tentative n'est pas la vôtre."))
    return attempt


def save_answer(attempt_id, user, *, question_id, sequence, response, now=None):
    """Save the learner's response to one question (R6.3). Returns the AttemptQuestion."""
    now = now or timezone.now()
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise AttemptError(_("Numéro d'envoi invalide."))
    expired = False
    with transaction.atomic():
        attempt = _locked_attempt(attempt_id, user)
        if attempt.is_expired(now):
            _finish(attempt, now)
            expired = True
        elif not attempt.is_open:
            raise AttemptClosed(
                _("Cette tentative est terminée : la réponse n'a pas été prise en compte.")
            )
        else:
            item = (
                AttemptQuestion.objects.select_for_update()
                .select_related("question")
                .filter(attempt=attempt, question_id=question_id)
                .first()
            )
            if item is None:
                raise AttemptError(_("Cette question ne fait pas partie de la tentative."))
            if item.question.qtype == qformat.DESCRIPTION:
                raise AttemptError(_("Cette question n'attend pas de réponse."))
            try:
                cleaned = grading.clean_response(item.question.qtype, item.layout, response)
            except grading.BadResponse:
                raise AttemptError(_("Réponse invalide pour cette question.")) from None
            if sequence == item.sequence and cleaned == item.response:
                return item  # the same write again (a retry): already saved
            if sequence <= item.sequence:
                raise OutOfOrder(
                    _("Une réponse plus récente est déjà enregistrée."), sequence=item.sequence
                )
            if item.checked_at:
                raise AttemptError(_("Cette question est déjà corrigée."))
            item.response, item.sequence, item.saved_at = cleaned, sequence, now
            item.save(update_fields=["response", "sequence", "saved_at"])
            return item
    if expired:
        raise AttemptClosed(
            _(
                "Le temps est écoulé : la tentative a été clôturée avec les "
                "réponses déjà enregistrées."
            )
        )
    raise AssertionError("unreachable")


def check_question(attempt_id, user, *, question_id, now=None):
    """Immediate feedback: lock one answered question and score it now."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(attempt_id, user)
        if attempt.quiz.feedback_when != Quiz.When.IMMEDIATELY:
            raise AttemptError(_("Le feedback est donné à la fin de ce QCM."))
        if not attempt.is_open or attempt.is_expired(now):
            raise AttemptClosed(_("Cette tentative est terminée."))
        item = (
            AttemptQuestion.objects.select_for_update()
            .select_related("question")
            .filter(attempt=attempt, question_id=question_id)
            .first()
        )
        if item is None:
            raise AttemptError(_("Cette question ne fait pas partie de la tentative."))
        if item.checked_at is None:
            item.fraction = _grade_item(item, _answers_for([item.question_id])[item.question_id])
            item.checked_at = now
            item.save(update_fields=["fraction", "checked_at"])
        return item


# -- finishing -------------------------------------------------------------------------------------


def _answers_for(question_ids):
    answers = defaultdict(list)
    for answer in Answer.objects.filter(question_id__in=question_ids).order_by(
        "question_id", "position"
    ):
        answers[answer.question_id].append(answer)
    return answers


def _grade_item(item, answers):
    fraction = grading.grade(
        item.question.qtype,
        answers,
        item.layout,
        item.response,
        case_sensitive=item.question.case_sensitive,
    )
    return None if fraction is None else Decimal(f"{fraction:.7f}")


def _totals(attempt, items):
    attempt.score = sum((i.fraction * i.mark for i in items if i.fraction is not None), Decimal(0))
    attempt.needs_grading = any(i.fraction is None for i in items)
    if attempt.needs_grading:
        attempt.passed = None
    else:
        percent = attempt.score * 100 / attempt.max_score if attempt.max_score else Decimal(100)
        attempt.passed = percent >= attempt.quiz.pass_mark


def _finish(attempt, now):
    """Score and close a locked attempt (in the caller's transaction)."""
    timeout = attempt.is_expired(now)
    items = list(attempt.items.select_related("question"))
    answers = _answers_for([i.question_id for i in items])
    for item in items:
        if item.checked_at is None:
            item.fraction = _grade_item(item, answers[item.question_id])
    AttemptQuestion.objects.bulk_update(items, ["fraction"])
    _totals(attempt, items)
    attempt.status = Attempt.Status.FINISHED
    attempt.finished_at = attempt.deadline if timeout else now
    attempt.closed_by_timeout = timeout
    attempt.save(
        update_fields=[
            "status",
            "finished_at",
            "closed_by_timeout",
            "score",
            "needs_grading",
            "passed",
        ]
    )
    record(
        "quizzes.attempt_finished",
        attempt,
        actor=None if timeout else attempt.user,
        from_state=Attempt.Status.IN_PROGRESS,
        to_state=attempt.status,
        score=str(attempt.score),
        max_score=str(attempt.max_score),
        timeout=timeout,
    )
    activity = attempt.quiz.activity
    if activity is not None:
        from ilmis.learning.services import mark_completed

        mark_completed(attempt.user, activity, source="quiz", when=attempt.finished_at)
    return attempt


def finish_attempt(attempt_id, user, *, now=None):
    """Submit (R6.3): scores every question and closes the attempt; twice is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(attempt_id, user)
        if attempt.is_open:
            _finish(attempt, now)
        return attempt


def get_attempt(attempt_id, user, *, now=None):
    """The attempt for its owner (or trainers and staff), closed first if its time ran out."""
    now = now or timezone.now()
    attempt = Attempt.objects.select_related("quiz", "user").filter(pk=attempt_id).first()
    if attempt is None or (attempt.user_id != user.pk and not can_manage_bank(user)):
        raise PermissionDenied(_("Cette tentative n'est pas la vôtre."))
    if attempt.is_expired(now):
        with transaction.atomic():
            attempt = _locked_attempt(attempt_id, None)
            if attempt.is_expired(now):
                _finish(attempt, now)
    return attempt


def close_expired_attempts(now=None):
    """The periodic job's part: close every attempt whose time ran out. Returns how many."""
    now = now or timezone.now()
    closed = 0
    ids = Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS, deadline__lte=now)
    for attempt_id in ids.values_list("pk", flat=True):
        with transaction.atomic():
            attempt = _locked_attempt(attempt_id, None)
            if attempt.is_expired(now):
                _finish(attempt, now)
                closed += 1
    return closed


def grade_essay(item_id, grader, *, fraction, comment=""):
    """A trainer grades an essay (0…1 of its mark); the attempt's score follows."""
    if not can_manage_bank(grader):
        raise PermissionDenied
    fraction = Decimal(str(fraction))
    if not Decimal(0) <= fraction <= Decimal(1):
        raise AttemptError(_("La note doit être comprise entre 0 et 100 %."))
    with transaction.atomic():
        item = AttemptQuestion.objects.select_related("attempt", "question").get(pk=item_id)
        attempt = _locked_attempt(item.attempt_id, None)
        if attempt.is_open:
            raise AttemptError(_("La tentative n'est pas encore terminée."))
        item.fraction, item.graded_by, item.grader_comment = fraction, grader, comment[:5000]
        item.save(update_fields=["fraction", "graded_by", "grader_comment"])
        items = list(attempt.items.all())
        _totals(attempt, items)
        attempt.save(update_fields=["score", "needs_grading", "passed"])
        record(
            "quizzes.essay_graded",
            attempt,
            actor=grader,
            question=item.question_id,
            fraction=str(fraction),
        )
    return item


# -- what the learner may see ----------------------------------------------------------------------


def _shown(when, attempt, now):
    if when == Quiz.When.NEVER:
        return False
    if when in (Quiz.When.IMMEDIATELY, Quiz.When.AFTER_ATTEMPT):
        return not attempt.is_open
    closes = attempt.quiz.closes_at
    return not attempt.is_open and closes is not None and now >= closes


def review_policy(attempt, user, now=None):
    """{"feedback": bool, "correction": bool, "score": bool} for `user` on `attempt`."""
    now = now or timezone.now()
    if can_manage_bank(user):
        return {"feedback": True, "correction": True, "score": True}
    quiz = attempt.quiz
    return {
        "feedback": _shown(quiz.feedback_when, attempt, now),
        "correction": _shown(quiz.correction_when, attempt, now),
        "score": not attempt.is_open,
    }


def state(attempt, now=None):
    """What the autosave script needs: the server's clock and the last saved sequences."""
    now = now or timezone.now()
    remaining = None
    if attempt.deadline is not None:
        remaining = max(0, int((attempt.deadline - now).total_seconds()))
    return {
        "status": attempt.status,
        "server_now": now.isoformat(),
        "deadline": attempt.deadline.isoformat() if attempt.deadline else None,
        "remaining_seconds": remaining,
        "saved": {str(q): s for q, s in attempt.items.values_list("question_id", "sequence")},
    }
