"""Reads from other apps for the evidence file, each degrading to "no rows" when the other app
does not (yet) provide what is needed. Nothing here writes.

- evaluations: finished quiz attempts (quizzes.Attempt, with the quiz's purpose: positioning,
  checkpoint, final; read only if that model exists) and SCORM attempts (score, time).
- submissions: exercises' Submission rows (work submitted, grade, corrector's comments).
- attendance: `ilmis.classes.services.attendance_for(user, session)`.
"""

import logging

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def evaluations(learner, programme):
    rows = []
    attempt_model = _quiz_attempt_model()
    if attempt_model is not None:
        try:
            attempts = (
                attempt_model.objects.filter(
                    user=learner,
                    quiz__activity__module__programme=programme,
                    status="finished",
                )
                .select_related("quiz")
                .order_by("finished_at")
            )
            for a in attempts:
                percent = a.percent
                seconds = (a.finished_at - a.started_at).total_seconds() if a.finished_at else None
                rows.append(
                    {
                        "at": a.finished_at,
                        "title": f"{a.quiz.title} (n° {a.number})",
                        "kind": str(a.quiz.get_purpose_display()),
                        "purpose": a.quiz.purpose,
                        "score": f"{round(percent)} %" if percent is not None else "",
                        "passed": a.passed,
                        "seconds": seconds,
                    }
                )
        except Exception:  # an evidence file must not fail because of another app
            logger.exception("quiz attempts unavailable")
    try:
        from ilmis.scorm.models import ScormAttempt

        attempts = (
            ScormAttempt.objects.filter(
                learner=learner, sco__package__activity__module__programme=programme
            )
            .select_related("sco__package")
            .order_by("started_at")
        )
        for a in attempts:
            score = ""
            if a.score_scaled is not None:
                score = f"{round(float(a.score_scaled) * 100)} %"
            elif a.score_raw is not None:
                score = str(a.score_raw)
            rows.append(
                {
                    "at": a.completed_at or a.updated_at,
                    "title": f"{a.sco.package.title} — {a.sco.title} (n° {a.number})",
                    "kind": "scorm",
                    "score": score,
                    "passed": a.success_status == "passed"
                    if a.success_status != "unknown"
                    else None,
                    "seconds": a.total_seconds,
                }
            )
    except Exception:
        logger.exception("SCORM attempts unavailable")
    return sorted(rows, key=lambda r: (r["at"] is None, r["at"] or 0))


def _quiz_attempt_model():
    from django.apps import apps

    try:
        model = apps.get_model("quizzes", "Attempt")
    except LookupError:
        return None
    names = {f.name for f in model._meta.get_fields()}
    if not {"quiz", "user", "status", "finished_at", "passed"} <= names:
        return None
    return model


def final_results(learner_ids, programme):
    """{learner_id: passed} from the best finished attempt at a *final* quiz, if any."""
    model = _quiz_attempt_model()
    if model is None:
        return {}
    result = {}
    try:
        for user_id, passed in model.objects.filter(
            user_id__in=list(learner_ids),
            quiz__activity__module__programme=programme,
            quiz__purpose="final",
            status="finished",
            passed__isnull=False,
        ).values_list("user_id", "passed"):
            result[user_id] = result.get(user_id, False) or passed
    except Exception:
        logger.exception("quiz results unavailable")
        return {}
    return result


def submissions(learner, programme):
    try:
        from ilmis.exercises.models import Submission
    except ImportError:  # pragma: no cover
        return []
    rows = []
    for s in (
        Submission.objects.filter(learner=learner, exercise__activity__module__programme=programme)
        .select_related("exercise__activity", "graded_by")
        .prefetch_related("files")
        .order_by("submitted_at")
    ):
        files = ", ".join(f.original_name for f in s.files.all())
        detail = f"v{s.version}" + (f" · {files}" if files else "")
        if s.graded_at:
            corrector = s.graded_by.get_full_name() if s.graded_by else ""
            detail += " · " + _("corrigé le %(date)s par %(name)s") % {
                "date": f"{s.graded_at:%d/%m/%Y}",
                "name": corrector,
            }
            if s.comments:
                detail += f" : {s.comments}"
        rows.append(
            {
                "submitted_at": s.submitted_at,
                "title": s.exercise.activity.title,
                "detail": detail,
                "grade": (f"{s.grade} / {s.exercise.max_grade}" if s.grade is not None else ""),
                "graded_at": s.graded_at,
            }
        )
    return rows


def attendance(learner, session):
    try:
        from ilmis.classes.services import attendance_for
    except ImportError:  # pragma: no cover
        return []
    try:
        return attendance_for(learner, session)
    except Exception:
        logger.exception("attendance unavailable")
        return []
