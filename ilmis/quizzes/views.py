import mimetypes

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import render as rendering
from . import services
from .forms import ExportForm, ImportForm
from .models import Category, ImportJob, Question, QuestionFile


def bank_required(view):
    """The question bank is for trainers and staff (services.can_manage_bank)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not services.can_manage_bank(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@bank_required
def bank(request):
    """R6.3: browse the bank by category."""
    categories = list(services.category_tree())
    selected = None
    page = None
    if request.GET.get("category", "").isdigit():
        selected = get_object_or_404(Category, pk=request.GET["category"])
        questions = (
            selected.questions.annotate(answer_count=Count("answers"))
            .only("id", "name", "qtype", "category_id")
            .order_by("id")
        )
        page = Paginator(questions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "quizzes/bank.html",
        {
            "categories": categories,
            "selected": selected,
            "page": page,
            "jobs": ImportJob.objects.filter(created_by=request.user)[:5],
        },
    )


@bank_required
def question_detail(request, pk):
    question = get_object_or_404(
        Question.objects.select_related("category").prefetch_related("answers", "hints", "files"),
        pk=pk,
    )
    urls = rendering.file_urls(question)

    def html(text, fmt):
        return rendering.to_html(text, fmt, file_urls=urls)

    return render(
        request,
        "quizzes/question.html",
        {
            "question": question,
            "text": html(question.text, question.text_format),
            "general_feedback": html(question.general_feedback, question.general_feedback_format),
            "answers": [
                {
                    "answer": a,
                    "text": html(a.text, a.text_format),
                    "feedback": html(a.feedback, a.feedback_format),
                    "percent": float(a.fraction) * 100,
                }
                for a in question.answers.all()
            ],
            "hints": [html(h.text, h.text_format) for h in question.hints.all()],
        },
    )


@require_POST
@bank_required
def question_delete(request, pk):
    from django.contrib import messages

    question = get_object_or_404(Question, pk=pk)
    category_id = question.category_id
    try:
        services.delete_question(question, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("quizzes:question", pk=pk)
    messages.success(request, _("Question supprimée."))
    return redirect(reverse("quizzes:bank") + f"?category={category_id}")


@login_required
def question_file(request, pk, name):
    """An embedded image, never public: served only after the access check (R6.2)."""
    stored = get_object_or_404(QuestionFile.objects.select_related("question"), pk=pk, name=name)
    if not services.can_see_question(request.user, stored.question):
        raise PermissionDenied
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    inline = content_type in ("image/png", "image/jpeg", "image/gif", "image/webp")
    response = FileResponse(
        stored.file.open("rb"),
        content_type=content_type,
        as_attachment=not inline,
        filename=stored.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@bank_required
def import_upload(request):
    """R6.3: upload a GIFT or Moodle XML file; the import runs as a job with a progress bar."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload:
            name, data, fmt = upload.name, upload.read(), form.cleaned_data["format"]
        else:
            name, data, fmt = _("texte GIFT"), form.cleaned_data["text"].encode(), "gift"
        job = services.start_import(
            request.user,
            filename=name,
            data=data,
            fmt=fmt,
            category=form.cleaned_data["category"],
        )
        return redirect("quizzes:import_status", pk=job.pk)
    return render(request, "quizzes/import.html", {"form": form})


@bank_required
def import_status(request, pk):
    job = get_object_or_404(ImportJob, pk=pk)
    if job.created_by_id != request.user.pk and not request.user.is_back_office:
        raise PermissionDenied
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "status": job.status,
                "progress": job.progress,
                "counts": job.counts,
                "errors": len(job.errors),
            }
        )
    labels = dict(Question.Type.choices)
    counts = [(labels.get(k, k), v) for k, v in job.counts.items()]
    return render(request, "quizzes/import_status.html", {"job": job, "counts": counts})


@require_GET
@bank_required
def export(request):
    """R6.3: download a category (and below), or the whole bank, as GIFT or Moodle XML."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponse(status=400)
    category = None
    if form.cleaned_data["category"]:
        category = get_object_or_404(Category, pk=form.cleaned_data["category"])
    fmt = form.cleaned_data["format"]
    data = services.export_questions(category, fmt=fmt, by=request.user)
    stem = slugify(category.path if category else "banque") or "questions"
    response = HttpResponse(
        data, content_type="application/xml" if fmt == "xml" else "text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{stem}.{"xml" if fmt == "xml" else "gift.txt"}"'
    )
    return response


@bank_required
def results(request, pk):
    """R11.3: every attempt of a quiz (identity, session, time, score), per session if asked,
    and the success rate per question."""
    from django.db.models import Avg, Count, OuterRef, Subquery

    from ilmis.catalog.models import Session
    from ilmis.enrolment.models import Enrolment

    from .models import Attempt, AttemptQuestion, Quiz

    quiz = get_object_or_404(Quiz.objects.select_related("activity__module"), pk=pk)
    sessions = Session.objects.none()
    attempts = Attempt.objects.filter(quiz=quiz).select_related("user")
    selected = None
    if quiz.activity_id:
        programme_id = quiz.activity.module.programme_id
        sessions = Session.objects.filter(programme_id=programme_id).order_by("-start_date")
        enrolment = Enrolment.objects.filter(
            learner=OuterRef("user"), session__programme_id=programme_id
        ).order_by("-access_end")
        attempts = attempts.annotate(
            session_id=Subquery(enrolment.values("session_id")[:1]),
            session_code=Subquery(enrolment.values("session__code")[:1]),
        )
        if request.GET.get("session", "").isdigit():
            selected = get_object_or_404(sessions, pk=request.GET["session"])
            attempts = attempts.filter(session_id=selected.pk)
    attempts = attempts.order_by("user__last_name", "user__first_name", "number")
    items = AttemptQuestion.objects.filter(
        attempt__in=attempts.values("pk"), attempt__status=Attempt.Status.FINISHED
    )
    per_question = (
        items.values("question_id", "question__name", "question__qtype")
        .annotate(count=Count("id"), average=Avg("fraction"))
        .order_by("question__name")
    )
    return render(
        request,
        "quizzes/results.html",
        {
            "quiz": quiz,
            "attempts": attempts,
            "per_question": per_question,
            "sessions": sessions,
            "selected": selected,
        },
    )


@bank_required
def quiz_list(request):
    """Trainers and staff: every quiz, its activity, its attempts, links to results and settings."""
    from .models import Quiz

    quizzes = (
        Quiz.objects.select_related("activity__module__programme")
        .annotate(attempt_count=Count("attempts"))
        .order_by("title")
    )
    return render(request, "quizzes/quiz_list.html", {"quizzes": quizzes})


@bank_required
def quiz_edit(request, pk=None):
    """Quiz settings (R6.3) and its questions: fixed ones from a category, or random draws.
    `?activity=<id>` creates the quiz of a learning activity (from the programme editor)."""
    from django.contrib import messages
    from django.utils.translation import gettext as _

    from .forms import QuizForm, SlotForm
    from .models import Quiz, QuizSlot

    quiz = get_object_or_404(Quiz, pk=pk) if pk else None
    activity = None
    if quiz is None and request.GET.get("activity", "").isdigit():
        from ilmis.learning.models import Activity

        activity = get_object_or_404(Activity, pk=request.GET["activity"], kind="quiz")
        existing = Quiz.objects.filter(activity=activity).first()
        if existing:
            return redirect("quizzes:quiz_edit", pk=existing.pk)
    initial = {"title": activity.title} if activity else None
    form = QuizForm(
        request.POST if request.POST.get("action") == "settings" else None,
        instance=quiz,
        initial=initial,
        prefix="quiz",
    )
    slot_form = SlotForm(
        request.POST if request.POST.get("action") == "slots" else None, prefix="slot"
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "settings" and form.is_valid():
            quiz = services.save_quiz(form, by=request.user, activity=activity)
            messages.success(request, _("Réglages enregistrés."))
            return redirect("quizzes:quiz_edit", pk=quiz.pk)
        if quiz and action == "slots" and slot_form.is_valid():
            data = slot_form.cleaned_data
            try:
                added = services.add_slots(
                    quiz,
                    category=data["category"],
                    mode=data["mode"],
                    count=data.get("count"),
                    mark=data.get("mark"),
                    by=request.user,
                )
            except ValidationError as error:
                slot_form.add_error(None, error)
            else:
                messages.success(request, _("%(n)s place(s) ajoutée(s).") % {"n": added})
                return redirect("quizzes:quiz_edit", pk=quiz.pk)
        if quiz and action == "remove" and request.POST.get("slot", "").isdigit():
            slot = get_object_or_404(QuizSlot, pk=request.POST["slot"], quiz=quiz)
            services.remove_slot(slot, by=request.user)
            return redirect("quizzes:quiz_edit", pk=quiz.pk)
    slots = quiz.slots.select_related("question", "draw_category") if quiz else []
    return render(
        request,
        "quizzes/quiz_edit.html",
        {
            "quiz": quiz,
            "form": form,
            "slot_form": slot_form,
            "slots": slots,
            "activity": activity or (quiz.activity if quiz else None),
        },
    )
