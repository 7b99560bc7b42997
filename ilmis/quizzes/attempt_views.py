"""Learner pages of a quiz (R6.3, R11.3): start, answer (autosaved as JSON, or posted whole
without JavaScript), submit, review according to the quiz's policy. Thin: rules in attempts.py."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import attempts, grading, qformat
from . import render as rendering
from .models import Attempt, AttemptQuestion, Quiz
from .services import can_attempt, can_manage_bank


def _quiz_for_activity(uuid):
    return get_object_or_404(
        Quiz.objects.select_related("activity__module__programme"), activity__uuid=uuid
    )


@login_required
def start(request, uuid):
    """The quiz's front page: settings, past attempts, and the start (or resume) button."""
    quiz = _quiz_for_activity(uuid)
    if not can_attempt(request.user, quiz):
        raise PermissionDenied
    if request.method == "POST":
        try:
            attempt = attempts.start_attempt(quiz, request.user)
        except attempts.AttemptError as error:
            messages.error(request, error.message)
            return redirect("quizzes:start", uuid=uuid)
        return redirect("quizzes:attempt", pk=attempt.pk)
    past = list(Attempt.objects.filter(quiz=quiz, user=request.user).order_by("number"))
    now = timezone.now()
    return render(
        request,
        "quizzes/start.html",
        {
            "quiz": quiz,
            "attempts": past,
            "policies": {a.pk: attempts.review_policy(a, request.user, now) for a in past},
            "denial": attempts.denial_reason(request.user, quiz, now),
            "intro": rendering.to_html(quiz.intro, qformat.MARKDOWN),
        },
    )


def _items(attempt, *, review=None):
    """Display data for every question of `attempt`, in the attempt's order (a few queries).
    `review` is the policy after the attempt; during it, only questions checked one by one
    (immediate feedback) show their feedback."""
    immediate_correction = attempt.quiz.correction_when == Quiz.When.IMMEDIATELY
    items = list(
        attempt.items.select_related("question").prefetch_related(
            "question__answers", "question__files"
        )
    )
    rows = []
    for item in items:
        question = item.question
        urls = rendering.file_urls(question)
        answers = {a.position: a for a in question.answers.all()}

        def html(text, fmt, urls=urls):
            return rendering.to_html(text, fmt, file_urls=urls)

        row = {
            "item": item,
            "question": question,
            "text": html(question.text, question.text_format),
            "answered": grading.is_answered(question.qtype, item.response),
            "options": [],
        }
        if review is not None:
            row.update(
                locked=True,
                show_feedback=review["feedback"],
                show_correction=review["correction"],
                show_score=review["correction"],
            )
        else:
            checked = item.checked_at is not None
            row.update(
                locked=checked,
                show_feedback=checked,
                show_correction=checked and immediate_correction,
                show_score=checked,
            )
        response = item.response
        if question.qtype in (qformat.SINGLE, qformat.MULTIPLE):
            chosen = response if isinstance(response, list) else [response]
            for position in item.layout.get("order", []):
                answer = answers[position]
                row["options"].append(
                    {
                        "value": position,
                        "html": html(answer.text, answer.text_format),
                        "checked": position in chosen,
                        "fraction": float(answer.fraction),
                        "feedback": html(answer.feedback, answer.feedback_format),
                    }
                )
        elif question.qtype == qformat.TRUEFALSE:
            for value, label in ((True, _("Vrai")), (False, _("Faux"))):
                answer = next(a for a in answers.values() if a.text == str(value).lower())
                row["options"].append(
                    {
                        "value": "true" if value else "false",
                        "html": label,
                        "checked": response is value,
                        "fraction": float(answer.fraction),
                        "feedback": html(answer.feedback, answer.feedback_format),
                    }
                )
        elif question.qtype == qformat.MATCHING:
            choices = item.layout.get("choices", [])
            for position in item.layout.get("order", []):
                answer = answers[position]
                picked = (response or {}).get(str(position))
                row["options"].append(
                    {
                        "value": position,
                        "html": html(answer.text, answer.text_format),
                        "choices": list(enumerate(choices)),
                        "picked": picked,
                        "right": answer.match,
                        "correct": picked is not None and choices[picked] == answer.match,
                    }
                )
        else:
            row["value"] = response or ""
            row["correct_answers"] = [a.text for a in answers.values() if a.fraction > 0]
        if row["show_feedback"]:
            row["general_feedback"] = html(
                question.general_feedback, question.general_feedback_format
            )
            if question.qtype in (qformat.SHORTANSWER, qformat.NUMERICAL) and response:
                matched = grading.matching_answer(
                    question.qtype,
                    list(answers.values()),
                    response,
                    case_sensitive=question.case_sensitive,
                )
                row["feedback"] = html(matched.feedback, matched.feedback_format) if matched else ""
        rows.append(row)
    return rows


@login_required
def attempt_page(request, pk):
    """Answer the questions. With JavaScript each answer is saved as it is given; without, the
    form posts every answer at once (and submits if asked)."""
    attempt = attempts.get_attempt(pk, request.user)
    if attempt.user_id != request.user.pk:
        raise PermissionDenied
    if not attempt.is_open:
        return redirect("quizzes:review", pk=attempt.pk)
    if request.method == "POST":
        return _save_form(request, attempt)
    return render(
        request,
        "quizzes/attempt.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "rows": _items(attempt),
            "state": attempts.state(attempt),
            "immediate": attempt.quiz.feedback_when == Quiz.When.IMMEDIATELY,
        },
    )


def _form_response(qtype, post, key):
    if qtype == qformat.MULTIPLE:
        return [int(v) for v in post.getlist(key) if v.lstrip("-").isdigit()]
    raw = post.get(key)
    if qtype in (qformat.SHORTANSWER, qformat.NUMERICAL, qformat.ESSAY):
        return raw
    if raw in (None, ""):
        return None
    if qtype == qformat.TRUEFALSE:
        return raw == "true"
    if qtype == qformat.SINGLE:
        return int(raw) if raw.lstrip("-").isdigit() else raw
    return raw


def _save_form(request, attempt):
    errors = 0
    for item in attempt.items.select_related("question"):
        qtype = item.question.qtype
        key = f"q{item.question_id}"
        if qtype == qformat.DESCRIPTION:
            continue
        if qtype == qformat.MATCHING:
            response = {}
            for position in item.layout.get("order", []):
                value = request.POST.get(f"{key}_{position}", "")
                if value.isdigit():
                    response[str(position)] = int(value)
        else:
            if key not in request.POST and qtype != qformat.MULTIPLE:
                continue
            response = _form_response(qtype, request.POST, key)
        try:
            attempts.save_answer(
                attempt.pk,
                request.user,
                question_id=item.question_id,
                sequence=item.sequence + 1,
                response=response,
            )
        except attempts.AttemptClosed as error:
            messages.warning(request, error.message)
            return redirect("quizzes:review", pk=attempt.pk)
        except attempts.AttemptError:
            errors += 1
    if errors:
        messages.error(request, _("Certaines réponses n'ont pas pu être enregistrées."))
    if request.POST.get("check", "").isdigit():
        question_id = int(request.POST["check"])
        try:
            attempts.check_question(attempt.pk, request.user, question_id=question_id)
        except attempts.AttemptError as error:
            messages.error(request, error.message)
        return redirect(reverse("quizzes:attempt", args=[attempt.pk]) + f"#q{question_id}")
    if "finish" in request.POST:
        attempts.finish_attempt(attempt.pk, request.user)
        return redirect("quizzes:review", pk=attempt.pk)
    messages.success(request, _("Réponses enregistrées."))
    return redirect("quizzes:attempt", pk=attempt.pk)


def _json_error(error):
    return JsonResponse(
        {"saved": False, "error": error.code, "message": error.message, **error.data},
        status=error.status,
    )


@require_POST
@login_required
def answer(request, pk):
    """Autosave: {"question": id, "sequence": n, "response": …}. Any score sent is ignored."""
    try:
        payload = json.loads(request.body or b"{}")
        question_id, sequence = int(payload["question"]), payload["sequence"]
        response = payload.get("response")
    except (ValueError, KeyError, TypeError):
        return JsonResponse(
            {"saved": False, "error": "bad_request", "message": _("Requête invalide.")}, status=400
        )
    try:
        item = attempts.save_answer(
            pk, request.user, question_id=question_id, sequence=sequence, response=response
        )
    except attempts.AttemptError as error:
        return _json_error(error)
    return JsonResponse(
        {
            "saved": True,
            "question": item.question_id,
            "sequence": item.sequence,
            "server_now": timezone.now().isoformat(),
        }
    )


@require_POST
@login_required
def finish(request, pk):
    attempt = attempts.finish_attempt(pk, request.user)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"status": attempt.status, "url": attempt_review_url(attempt)})
    return redirect("quizzes:review", pk=attempt.pk)


def attempt_review_url(attempt):
    return reverse("quizzes:review", args=[attempt.pk])


@require_GET
@login_required
def attempt_state(request, pk):
    attempt = attempts.get_attempt(pk, request.user)
    return JsonResponse(attempts.state(attempt))


@login_required
def review(request, pk):
    """Results and correction, as the quiz's policy allows (trainers and staff see all)."""
    attempt = attempts.get_attempt(pk, request.user)
    if attempt.is_open:
        return redirect("quizzes:attempt", pk=attempt.pk)
    policy = attempts.review_policy(attempt, request.user)
    return render(
        request,
        "quizzes/review.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "policy": policy,
            "rows": _items(attempt, review=policy),
            "is_trainer": can_manage_bank(request.user),
        },
    )


@require_POST
@login_required
def grade(request, pk, item_id):
    """A trainer grades an essay answer (percent of its mark, and a comment)."""
    from decimal import Decimal, InvalidOperation

    if not can_manage_bank(request.user):
        raise PermissionDenied
    item = get_object_or_404(AttemptQuestion, pk=item_id, attempt_id=pk)
    try:
        percent = Decimal(request.POST.get("percent", "").replace(",", "."))
        attempts.grade_essay(
            item.pk, request.user, fraction=percent / 100, comment=request.POST.get("comment", "")
        )
    except (InvalidOperation, attempts.AttemptError) as error:
        messages.error(request, getattr(error, "message", _("Note invalide.")))
    else:
        messages.success(request, _("Note enregistrée."))
    return redirect(reverse("quizzes:review", args=[pk]) + f"#q{item.question_id}")
