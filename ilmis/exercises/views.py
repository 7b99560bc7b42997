"""Learner pages (exercise, own submissions and files) and trainers' pages (queue, grading)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ilmis.learning import files
from ilmis.learning.access import check, is_editor, learner_view
from ilmis.learning.models import Activity

from . import services
from .forms import ExerciseForm, GradeForm, SubmissionForm
from .models import Exercise, Submission, SubmissionFile


def _exercise_activity(uuid):
    return get_object_or_404(
        Activity.objects.select_related("module__programme"), uuid=uuid, kind="exercise"
    )


def _own_or_editor(request, submission):
    """The owner (inside their access window) or a trainer/staff; another learner gets 404."""
    if is_editor(request.user):
        return
    if submission.learner_id != request.user.pk:
        raise Http404
    check(request.user, submission.exercise.activity)


def editor_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_editor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@login_required
@learner_view
def exercise(request, uuid):
    activity = _exercise_activity(uuid)
    check(request.user, activity)
    exercise = Exercise.objects.filter(activity=activity).first()
    if exercise is None:
        if is_editor(request.user):
            return redirect("exercises:configure", uuid=uuid)
        return render(request, "exercises/not_ready.html", {"activity": activity})
    form = SubmissionForm(request.POST or None, request.FILES or None, exercise=exercise)
    if request.method == "POST":
        if is_editor(request.user):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.submit(
                    exercise,
                    request.user,
                    text=form.cleaned_data.get("text", ""),
                    files=form.cleaned_data.get("files", []),
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Copie remise. Vous recevez un accusé de réception."))
                return redirect("exercises:exercise", uuid=uuid)
    submissions = (
        Submission.objects.filter(exercise=exercise, learner=request.user)
        .prefetch_related("files")
        .order_by("-version")
    )
    return render(
        request,
        "exercises/exercise.html",
        {
            "activity": activity,
            "exercise": exercise,
            "form": form,
            "submissions": submissions,
            "open": exercise.is_open(),
            "editor": is_editor(request.user),
        },
    )


@login_required
@learner_view
def submission(request, uuid):
    submission = get_object_or_404(
        Submission.objects.select_related("exercise__activity__module__programme", "learner"),
        uuid=uuid,
    )
    _own_or_editor(request, submission)
    return render(
        request,
        "exercises/submission.html",
        {"submission": submission, "exercise": submission.exercise},
    )


@login_required
@learner_view
def submission_file(request, uuid):
    item = get_object_or_404(
        SubmissionFile.objects.select_related("submission__exercise__activity__module__programme"),
        uuid=uuid,
    )
    _own_or_editor(request, item.submission)
    return files.serve(
        request,
        item.file.path,
        content_type=item.content_type,
        filename=item.original_name,
        as_attachment=True,
    )


@login_required
@learner_view
def annotated_file(request, uuid):
    submission = get_object_or_404(
        Submission.objects.select_related("exercise__activity__module__programme"), uuid=uuid
    )
    _own_or_editor(request, submission)
    if not submission.annotated_file:
        raise Http404
    return files.serve(
        request,
        submission.annotated_file.path,
        content_type=submission.annotated_content_type,
        filename=submission.annotated_file_name or "copie-annotee",
        as_attachment=True,
    )


@login_required
@learner_view
def correction_file(request, uuid):
    activity = _exercise_activity(uuid)
    check(request.user, activity)
    exercise = get_object_or_404(Exercise, activity=activity)
    if not exercise.correction_file or not (
        exercise.correction_released or is_editor(request.user)
    ):
        raise Http404
    return files.serve(
        request,
        exercise.correction_file.path,
        content_type=exercise.correction_content_type,
        filename=exercise.correction_file_name or "corrige",
        as_attachment=True,
    )


# --- trainers and staff ---------------------------------------------------------------------


@editor_required
def queue(request):
    mine = request.GET.get("mes") == "1"
    submissions = services.queue(corrector=request.user if mine else None)
    return render(request, "exercises/queue.html", {"submissions": submissions[:200], "mine": mine})


@editor_required
def grade(request, uuid):
    submission = get_object_or_404(
        Submission.objects.select_related(
            "exercise__activity__module__programme", "learner", "graded_by"
        ).prefetch_related("files"),
        uuid=uuid,
    )
    exercise = submission.exercise
    initial = {"grade": submission.grade, "comments": submission.comments}
    form = GradeForm(
        request.POST or None, request.FILES or None, initial=initial, max_grade=exercise.max_grade
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.grade(
                submission,
                by=request.user,
                grade=form.cleaned_data["grade"],
                comments=form.cleaned_data["comments"],
                annotated=form.cleaned_data.get("annotated"),
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, _("Correction enregistrée ; l'apprenant est prévenu."))
            return redirect("exercises:queue")
    history = (
        Submission.objects.filter(exercise=exercise, learner=submission.learner)
        .exclude(pk=submission.pk)
        .prefetch_related(Prefetch("files"))
        .order_by("-version")
    )
    return render(
        request,
        "exercises/grade.html",
        {"submission": submission, "exercise": exercise, "form": form, "history": history},
    )


@editor_required
def configure(request, uuid):
    activity = _exercise_activity(uuid)
    exercise = Exercise.objects.filter(activity=activity).first() or Exercise(
        activity=activity, allowed_types=["pdf", "docx", "odt"]
    )
    form = ExerciseForm(request.POST or None, request.FILES or None, instance=exercise)
    if request.method == "POST" and "release" in request.POST and exercise.pk:
        try:
            services.release_correction(exercise, by=request.user)
            messages.success(request, _("Corrigé publié ; les apprenants sont prévenus."))
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect("exercises:configure", uuid=uuid)
    if request.method == "POST" and "withdraw" in request.POST and exercise.pk:
        services.withdraw_correction(exercise, by=request.user)
        messages.success(request, _("Corrigé masqué."))
        return redirect("exercises:configure", uuid=uuid)
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save()
            services.save_correction(
                saved,
                by=request.user,
                text=form.cleaned_data["correction_text"],
                upload=form.cleaned_data.get("correction_upload"),
            )
        except ValidationError as error:
            form.add_error("correction_upload", error)
        else:
            messages.success(request, _("Exercice enregistré."))
            return redirect("exercises:configure", uuid=uuid)
    return render(
        request,
        "exercises/configure.html",
        {"activity": activity, "exercise": exercise, "form": form},
    )
