"""Reads from other apps for the evidence file, each degrading to "no rows" when the other app
does not (yet) provide what is needed. Nothing here writes.

- evaluations: quiz attempts if the quizzes app exposes `services.results_for(user, programme)`
  (a list of dicts: at, title, kind — positioning/checkpoint/final —, score, passed, seconds);
  it has no attempts yet, so only SCORM attempts (score, time) are listed today.
- submissions: exercises' Submission rows (work submitted, grade, corrector's comments).
- attendance: `ilmis.classes.services.attendance_for(user, session)`.
"""

import logging

logger = logging.getLogger(__name__)


def evaluations(learner, programme):
    rows = []
    try:
        from ilmis.quizzes import services as quizzes
    except ImportError:  # pragma: no cover - the app is installed today
        quizzes = None
    results_for = getattr(quizzes, "results_for", None)
    if results_for is not None:
        try:
            for r in results_for(learner, programme):
                rows.append(
                    {
                        "at": r.get("at"),
                        "title": r.get("title", ""),
                        "kind": r.get("kind", "quiz"),
                        "score": r.get("score", ""),
                        "passed": r.get("passed"),
                        "seconds": r.get("seconds"),
                    }
                )
        except Exception:  # an evidence file must not fail because of another app
            logger.exception("quiz results unavailable")
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
            detail += f" · corrigé le {s.graded_at:%d/%m/%Y} par {corrector}"
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
