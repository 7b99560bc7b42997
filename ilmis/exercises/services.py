"""Exercise rules (R6.4): submit (each version kept), grade, release the model correction.

Completion: an exercise counts as done for the programme (learning.mark_completed) as soon as
the learner submits a version — the work was carried out (D6313-3-1, R11.5); the grade is an
evaluation result recorded separately.
"""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from ilmis.audit.services import record
from ilmis.learning.services import mark_completed
from ilmis.notifications.services import send_templated

from . import content
from .models import Exercise, Submission, SubmissionFile

MB = 1024 * 1024


def max_text_length():
    return int(getattr(settings, "ILMIS_EXERCISES_MAX_TEXT", 50_000))


def hard_file_limit():
    """Cap whatever an exercise says (MB)."""
    return int(getattr(settings, "ILMIS_EXERCISES_MAX_FILE_MB", 50))


def check_file(exercise, uploaded):
    """(kind, content type) of an acceptable file for `exercise`, or ValidationError in French."""
    limit_mb = min(exercise.max_file_mb, hard_file_limit())
    if uploaded.size > limit_mb * MB:
        raise ValidationError(
            _("« %(name)s » dépasse la taille maximale de %(mb)s Mo.")
            % {"name": uploaded.name, "mb": limit_mb}
        )
    kind = content.detect(uploaded)
    if kind is None or kind not in (exercise.allowed_types or []):
        allowed = ", ".join(str(content.FILE_TYPES[k][0]) for k in exercise.allowed_types or [])
        raise ValidationError(
            _("« %(name)s » n'est pas d'un type accepté (%(allowed)s).")
            % {"name": uploaded.name, "allowed": allowed or _("aucun fichier")}
        )
    return kind, content.FILE_TYPES[kind][1]


def check_any_file(
    uploaded, allowed=("pdf", "docx", "xlsx", "pptx", "odt", "ods", "png", "jpg", "zip", "txt")
):
    """For trainers' files (annotated copy, model correction)."""
    if uploaded.size > hard_file_limit() * MB:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(mb)s Mo.") % {"mb": hard_file_limit()}
        )
    kind = content.detect(uploaded)
    if kind not in allowed:
        raise ValidationError(_("Type de fichier non reconnu."))
    return kind, content.FILE_TYPES[kind][1]


def _notify_address(exercise):
    if exercise.corrector_id and exercise.corrector.email:
        return [exercise.corrector.email]
    return [settings.ORGANISATION["email"]]


def latest(exercise, learner):
    return (
        Submission.objects.filter(exercise=exercise, learner=learner).order_by("-version").first()
    )


@transaction.atomic
def submit(exercise, learner, *, text="", files=(), now=None):
    """Record a new version of `learner`'s work; refuse after the deadline or with bad files.

    Nothing is written unless everything is valid."""
    now = now or timezone.now()
    exercise = Exercise.objects.select_for_update().select_related("activity").get(pk=exercise.pk)
    if not exercise.is_open(now):
        raise ValidationError(
            _("La date limite de remise est passée : la copie n'est plus modifiable.")
        )
    text = (text or "").strip()
    files = list(files)
    if text and not exercise.accepts_text:
        raise ValidationError(_("Cet exercice attend uniquement des fichiers."))
    if len(text) > max_text_length():
        raise ValidationError(_("La réponse dépasse %(n)s caractères.") % {"n": max_text_length()})
    if not text and not files:
        raise ValidationError(_("Écrivez une réponse ou joignez au moins un fichier."))
    if len(files) > exercise.max_files:
        raise ValidationError(
            _("Vous pouvez joindre au plus %(n)s fichier(s).") % {"n": exercise.max_files}
        )
    checked = [(f, *check_file(exercise, f)) for f in files]
    version = (
        Submission.objects.filter(exercise=exercise, learner=learner).aggregate(v=Max("version"))[
            "v"
        ]
        or 0
    ) + 1
    submission = Submission.objects.create(
        exercise=exercise, learner=learner, version=version, text=text, submitted_at=now
    )
    for uploaded, kind, content_type in checked:
        item = SubmissionFile(
            submission=submission,
            original_name=os.path.basename(uploaded.name or "fichier")[-200:],
            size=uploaded.size,
            content_type=content_type,
        )
        item.file.save("f" + content.FILE_TYPES[kind][2], uploaded, save=False)
        item.save()
    record("exercises.submitted", submission, actor=learner, to_state=f"v{version}")
    mark_completed(learner, exercise.activity, source="exercise")
    context = {"submission": submission, "exercise": exercise, "learner": learner}
    send_templated([learner.email], "exercises/email/submitted_learner", context)
    send_templated(_notify_address(exercise), "exercises/email/submitted_trainer", context)
    return submission


@transaction.atomic
def grade(submission, *, by, grade, comments="", annotated=None):
    submission = (
        Submission.objects.select_for_update()
        .select_related("exercise__activity", "learner")
        .get(pk=submission.pk)
    )
    if grade is None or grade < 0 or grade > submission.exercise.max_grade:
        raise ValidationError(
            _("La note doit être comprise entre 0 et %(max)s.")
            % {"max": submission.exercise.max_grade}
        )
    before = "graded" if submission.graded_at else "submitted"
    if annotated is not None:
        kind, content_type = check_any_file(annotated)
        submission.annotated_file.save("a" + content.FILE_TYPES[kind][2], annotated, save=False)
        submission.annotated_file_name = os.path.basename(annotated.name or "copie")[-200:]
        submission.annotated_content_type = content_type
    submission.grade = grade
    submission.comments = comments
    submission.graded_by = by
    submission.graded_at = timezone.now()
    submission.save()
    record(
        "exercises.graded",
        submission,
        actor=by,
        from_state=before,
        to_state="graded",
        grade=str(grade),
    )
    send_templated(
        [submission.learner.email],
        "exercises/email/graded",
        {"submission": submission, "exercise": submission.exercise},
    )
    return submission


@transaction.atomic
def save_correction(exercise, *, by, text, upload=None):
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    if upload is not None:
        kind, content_type = check_any_file(upload)
        exercise.correction_file.save("c" + content.FILE_TYPES[kind][2], upload, save=False)
        exercise.correction_file_name = os.path.basename(upload.name or "corrige")[-200:]
        exercise.correction_content_type = content_type
    exercise.correction_text = text
    exercise.save()
    record("exercises.correction_saved", exercise, actor=by)
    return exercise


@transaction.atomic
def release_correction(exercise, *, by):
    """The trainer decides: the model correction becomes visible to learners, who are told."""
    exercise = Exercise.objects.select_for_update().select_related("activity").get(pk=exercise.pk)
    if exercise.correction_released_at:
        return exercise
    if not (exercise.correction_text.strip() or exercise.correction_file):
        raise ValidationError(_("Ajoutez d'abord le corrigé (texte ou fichier)."))
    exercise.correction_released_at = timezone.now()
    exercise.save(update_fields=["correction_released_at", "updated_at"])
    record("exercises.correction_released", exercise, actor=by, to_state="released")
    emails = (
        Submission.objects.filter(exercise=exercise)
        .values_list("learner__email", flat=True)
        .distinct()
    )
    for email in sorted(set(emails)):
        send_templated([email], "exercises/email/correction_released", {"exercise": exercise})
    return exercise


@transaction.atomic
def withdraw_correction(exercise, *, by):
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    exercise.correction_released_at = None
    exercise.save(update_fields=["correction_released_at", "updated_at"])
    record("exercises.correction_withdrawn", exercise, actor=by, to_state="hidden")
    return exercise


def queue(corrector=None):
    """Latest versions not yet graded, oldest first (trainers' correction queue)."""
    newer = Submission.objects.filter(
        exercise=OuterRef("exercise"), learner=OuterRef("learner"), version__gt=OuterRef("version")
    )
    pending = Submission.objects.filter(graded_at__isnull=True)
    if corrector is not None:
        pending = pending.filter(exercise__corrector=corrector)
    return (
        pending.exclude(Exists(newer))
        .select_related("learner", "exercise__activity__module__programme")
        .order_by("submitted_at", "id")
    )
