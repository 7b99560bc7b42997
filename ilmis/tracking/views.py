import csv
from datetime import date

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ilmis.catalog.models import Programme, Session
from ilmis.enrolment import access as enrolment_access
from ilmis.enrolment.models import Enrolment
from ilmis.learning.models import Activity

from . import access, documents, forms, pdf, services
from .models import AccessibilityNeed, DocumentTemplate, Job, Survey, Thread


def _errors(error):
    return " ".join(error.messages) if hasattr(error, "messages") else str(error)


# -- beats (R11.4) -------------------------------------------------------------------------------


@require_POST
def beat(request):
    """The beat endpoint: one INSERT per beat (CSRF-checked by the middleware)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "login"}, status=403)
    try:
        fresh = services.record_beat(
            request.user,
            request.POST.get("token", ""),
            request.POST.get("tab"),
            request.POST.get("seq"),
        )
    except services.BeatRefused as refused:
        return JsonResponse({"error": refused.reason}, status=refused.status)
    if fresh:
        return JsonResponse({"token": fresh})
    return HttpResponse(status=204)


# -- active time (R11.4) -------------------------------------------------------------------------


@login_required
def home(request):
    user = request.user
    if user.is_learner:
        return learner(request, user.pk)
    learners = (
        access.visible_learners(user)
        .select_related("client")
        .annotate(enrolments_count=Count("enrolments"))
        .order_by("last_name", "first_name")
    )
    query = request.GET.get("q", "").strip()
    if query:
        learners = learners.filter(
            Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(email__icontains=query)
        )
    return render(
        request,
        "tracking/home.html",
        {"learners": learners[:200], "query": query, "back_office": user.is_back_office},
    )


@login_required
def learner(request, pk):
    person = get_object_or_404(get_user_model(), pk=pk)
    access.require_learner(request.user, person)
    enrolments = list(
        Enrolment.objects.filter(learner=person)
        .select_related("session__programme", "preregistration", "learner__client")
        .order_by("-access_start")
    )
    times = services.active_time([person.pk])  # read once for the whole page
    rows = [services.progress(enrolment, times=times) for enrolment in enrolments]
    time = services.learner_time(person, times=times)
    return render(
        request,
        "tracking/learner.html",
        {
            "person": person,
            "rows": rows,
            "time": time,
            "total_hm": services.hm(time["total"]),
            "days": [(d, services.hm(s)) for d, s in list(time["days"].items())[-31:]],
            "is_self": person.pk == request.user.pk,
            "back_office": access.is_back_office(request.user),
        },
    )


def _enrolment(request, pk):
    enrolment = get_object_or_404(
        Enrolment.objects.select_related(
            "learner__client", "session__programme", "preregistration"
        ),
        pk=pk,
    )
    access.require_learner(request.user, enrolment.learner)
    return enrolment


def _download(data, filename, content_type):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def evidence_file(request, pk, fmt):
    if fmt not in ("csv", "pdf", "zip"):
        raise Http404
    enrolment = _enrolment(request, pk)
    data = services.evidence(enrolment)
    stem = f"dossier-{documents.file_stem(enrolment)}"
    if fmt == "csv":
        return _download(documents.evidence_csv(data), f"{stem}.csv", "text/csv; charset=utf-8")
    if fmt == "zip":  # one click, both files
        return _download(documents.evidence_zip(data, stem), f"{stem}.zip", "application/zip")
    return _download(pdf.evidence_pdf(data), f"{stem}.pdf", "application/pdf")


@login_required
def certificate(request, pk, kind):
    enrolment = _enrolment(request, pk)
    if kind not in DocumentTemplate.Kind.values:
        raise PermissionDenied
    try:
        data = documents.certificate(enrolment, kind)
    except pdf.TemplateError as error:
        return render(request, "tracking/error.html", {"error": str(error)}, status=500)
    return _download(
        data,
        f"{documents.file_stem(enrolment)}-{documents.FILE_NAMES[kind]}.pdf",
        "application/pdf",
    )


@login_required
def outcome(request, pk):
    """Staff record a stop (R11.5) or the evaluation result."""
    access.require_back_office(request.user)
    enrolment = _enrolment(request, pk)
    current = getattr(enrolment, "tracking_outcome", None)
    stop_form = forms.StopForm(
        request.POST if request.POST.get("action") == "stop" else None,
        initial={
            "stopped_at": current.stopped_at if current else None,
            "reason": current.stop_reason if current else "",
        },
        prefix="stop",
    )
    eval_form = forms.EvaluationForm(
        request.POST if request.POST.get("action") == "evaluation" else None,
        initial={
            "passed": {True: "1", False: "0"}.get(current.passed if current else None, ""),
            "evaluation": current.evaluation if current else "",
        },
        prefix="eval",
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "stop" and stop_form.is_valid():
                services.record_stop(
                    enrolment,
                    stopped_at=stop_form.cleaned_data["stopped_at"],
                    reason=stop_form.cleaned_data["reason"],
                    by=request.user,
                    request=request,
                )
                messages.success(request, _("Arrêt enregistré."))
                return redirect("tracking:learner", enrolment.learner_id)
            if request.POST.get("action") == "evaluation" and eval_form.is_valid():
                services.record_evaluation(
                    enrolment,
                    passed=eval_form.cleaned_data["passed"],
                    evaluation=eval_form.cleaned_data["evaluation"],
                    by=request.user,
                    request=request,
                )
                messages.success(request, _("Évaluation enregistrée."))
                return redirect("tracking:learner", enrolment.learner_id)
        except ValidationError as error:
            messages.error(request, _errors(error))
    return render(
        request,
        "tracking/outcome.html",
        {
            "enrolment": enrolment,
            "stop_form": stop_form,
            "eval_form": eval_form,
            "row": services.progress(enrolment, with_time=False),
        },
    )


# -- sessions: certificates, evidence, tutors ----------------------------------------------------


def _session_allowed(user, session):
    if access.is_back_office(user):
        return True
    return user.is_trainer and access.tutored_sessions(user).filter(session_id=session.pk).exists()


@login_required
def sessions(request):
    if not access.is_staff_or_trainer(request.user):
        raise PermissionDenied
    rows = Session.objects.select_related("programme").annotate(
        learners=Count("enrolments", filter=Q(enrolments__status="confirmed"))
    )
    if not request.user.is_back_office:
        rows = rows.filter(pk__in=access.tutored_sessions(request.user))
    return render(
        request, "tracking/sessions.html", {"sessions": rows.order_by("-start_date")[:200]}
    )


@login_required
def session(request, pk):
    session = get_object_or_404(Session.objects.select_related("programme"), pk=pk)
    if not _session_allowed(request.user, session):
        raise PermissionDenied
    back_office = access.is_back_office(request.user)
    tutors_form = None
    if back_office:
        from .models import SessionTutor

        current = SessionTutor.objects.filter(session=session).values_list("trainer_id", flat=True)
        tutors_form = forms.TutorsForm(
            request.POST if request.POST.get("action") == "tutors" else None,
            initial={"trainers": list(current)},
        )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "tutors" and tutors_form is not None and tutors_form.is_valid():
            services.set_tutors(
                session, tutors_form.cleaned_data["trainers"], by=request.user, request=request
            )
            messages.success(request, _("Tuteurs enregistrés."))
            return redirect("tracking:session", session.pk)
        if action in Job.Kind.values and back_office:
            job = documents.start_job(action, session, by=request.user, request=request)
            return redirect("tracking:job", job.pk)
        if action not in ("tutors",):
            raise PermissionDenied
    enrolments = list(documents.session_enrolments(session)[:2000])
    rows = services.progress_for(enrolments, with_time=len(enrolments) <= 300)
    return render(
        request,
        "tracking/session.html",
        {
            "session": session,
            "rows": rows,
            "tutors_form": tutors_form,
            "back_office": back_office,
            "jobs": Job.objects.filter(session=session)[:5],
            "with_time": len(enrolments) <= 300,
        },
    )


@login_required
def job(request, pk):
    job = get_object_or_404(Job.objects.select_related("session"), pk=pk)
    if not (access.is_back_office(request.user) or job.created_by_id == request.user.pk):
        raise PermissionDenied
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(
            {"status": job.status, "progress": job.progress, "done": job.done, "total": job.total}
        )
    return render(request, "tracking/job.html", {"job": job})


@login_required
def job_download(request, pk):
    job = get_object_or_404(Job, pk=pk, status=Job.Status.DONE)
    if not (access.is_back_office(request.user) or job.created_by_id == request.user.pk):
        raise PermissionDenied
    name = f"{job.kind}-{job.session.code}.zip"
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


# -- templates (R11.6) ---------------------------------------------------------------------------


@login_required
def templates(request):
    access.require_back_office(request.user)
    rows = [documents.current_template(kind) for kind in documents.KINDS]
    return render(request, "tracking/templates.html", {"templates": rows})


@login_required
def template_edit(request, kind):
    access.require_back_office(request.user)
    if kind not in DocumentTemplate.Kind.values:
        raise PermissionDenied
    current = documents.current_template(kind)
    form = forms.TemplateForm(request.POST or None, initial={"body": current.body})
    if request.method == "POST" and form.is_valid():
        try:
            documents.save_template(
                kind,
                form.cleaned_data["body"],
                by=request.user,
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, _("Nouvelle version du modèle enregistrée."))
            return redirect("tracking:templates")
    return render(
        request,
        "tracking/template_edit.html",
        {
            "form": form,
            "current": current,
            "kind_label": DocumentTemplate.Kind(kind).label,
            "versions": DocumentTemplate.objects.filter(kind=kind)[:20],
        },
    )


# -- tutor exchanges (R11.2) ---------------------------------------------------------------------


@login_required
def threads(request):
    rows = (
        Thread.objects.filter(access.threads_q(request.user))
        .select_related("learner", "programme")
        .annotate(count=Count("messages"))
    )
    programmes = []
    if request.user.is_learner:
        programmes = enrolment_access.accessible_programmes(request.user)
    return render(
        request,
        "tracking/threads.html",
        {
            "threads": rows[:300],
            "programmes": programmes,
            "back_office": request.user.is_back_office,
        },
    )


@login_required
def write(request, activity_uuid=None, slug=None):
    """A learner writes to their tutor, from an activity (or the programme)."""
    activity = None
    if activity_uuid:
        activity = get_object_or_404(
            Activity.objects.select_related("module__programme"), uuid=activity_uuid
        )
        programme = activity.module.programme
    else:
        programme = get_object_or_404(Programme, slug=slug)
    if not request.user.is_learner:
        raise PermissionDenied
    reason = enrolment_access.denial_reason(request.user, programme)
    if reason:
        return render(request, "tracking/error.html", {"error": reason}, status=403)
    form = forms.MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.write_to_tutor(
                request.user,
                programme,
                form.cleaned_data["body"],
                activity=activity,
                request=request,
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, _("Message envoyé à votre tuteur."))
            return redirect("tracking:thread", message.thread_id)
    thread = Thread.objects.filter(learner=request.user, programme=programme).first()
    return render(
        request,
        "tracking/write.html",
        {"form": form, "activity": activity, "programme": programme, "thread": thread},
    )


@login_required
def thread(request, pk):
    thread = get_object_or_404(
        Thread.objects.filter(access.threads_q(request.user)).select_related(
            "learner", "programme"
        ),
        pk=pk,
    )
    can_answer = access.can_answer(request.user, thread)
    is_learner = thread.learner_id == request.user.pk
    form = forms.MessageForm(request.POST or None) if (can_answer or is_learner) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                if is_learner:
                    services.write_to_tutor(
                        request.user, thread.programme, form.cleaned_data["body"], request=request
                    )
                else:
                    services.answer(
                        thread, request.user, form.cleaned_data["body"], request=request
                    )
            except ValidationError as error:
                form.add_error("body", error)
            else:
                messages.success(request, _("Message envoyé."))
                return redirect("tracking:thread", thread.pk)
    return render(
        request,
        "tracking/thread.html",
        {
            "thread": thread,
            "messages_list": thread.messages.select_related("author", "activity"),
            "form": form,
            "is_learner": is_learner,
        },
    )


_THREAD_COLUMNS = [
    "thread",
    "learner",
    "learner_email",
    "programme",
    "activity",
    "sent_at",
    "author",
    "role",
    "response_hours",
    "body",
]


@login_required
def threads_export(request, pk=None):
    rows = Thread.objects.filter(access.threads_q(request.user))
    if pk is not None:
        rows = rows.filter(pk=pk)
        if not rows.exists():
            raise PermissionDenied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="echanges-tuteur.csv"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")
    writer = csv.DictWriter(response, fieldnames=_THREAD_COLUMNS, delimiter=";")
    writer.writeheader()
    for row in services.thread_rows(rows):
        writer.writerow(row)
    return response


@login_required
def response_times(request):
    access.require_back_office(request.user)
    stats, pending = services.response_times()
    return render(request, "tracking/response_times.html", {"stats": stats, "pending": pending})


# -- surveys (R11.8) -----------------------------------------------------------------------------


@login_required
def surveys(request):
    rows = Survey.objects.filter(enrolment__learner=request.user, invited_at__isnull=False)
    return render(
        request,
        "tracking/surveys.html",
        {"surveys": rows.select_related("enrolment__session__programme")},
    )


@login_required
def survey(request, pk):
    survey = get_object_or_404(
        Survey.objects.select_related("enrolment__session__programme"),
        pk=pk,
        enrolment__learner=request.user,
        invited_at__isnull=False,
    )
    form = forms.SurveyForm(request.POST or None)
    if request.method == "POST" and not survey.answered_at and form.is_valid():
        try:
            services.answer_survey(survey, request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("Merci pour votre réponse."))
            return redirect("tracking:surveys")
    return render(request, "tracking/survey.html", {"survey": survey, "form": form})


# -- quality (indicator 2) -----------------------------------------------------------------------


def _period(request):
    def parse(name):
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    today = timezone.localdate()
    start = parse("du") or date(today.year - 1, today.month, 1)
    end = parse("au") or today
    return start, end


def _quality_rows(request):
    start, end = _period(request)
    session_rows = services.rates(
        Session.objects.filter(end_date__gte=start, end_date__lte=end)
        .select_related("programme")
        .order_by("programme__title", "start_date")
    )
    programmes = {}
    for row in session_rows:
        programmes.setdefault(row["session"].programme, []).append(row)
    return (
        start,
        end,
        [
            {"programme": p, "total": services.combine(rows), "sessions": rows}
            for p, rows in programmes.items()
        ],
    )


@login_required
def quality(request):
    if not access.is_staff_or_trainer(request.user):
        raise PermissionDenied
    start, end, programmes = _quality_rows(request)
    return render(
        request,
        "tracking/quality.html",
        {"start": start, "end": end, "programmes": programmes},
    )


@login_required
def quality_export(request):
    if not access.is_staff_or_trainer(request.user):
        raise PermissionDenied
    start, end, programmes = _quality_rows(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="indicateur-2-{start}-{end}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            "programme",
            "session",
            "periode_du",
            "periode_au",
            "inscrits",
            "reponses_enquete",
            "satisfaction_sur_5",
            "satisfaits_pct",
            "achevement_pct",
            "evalues",
            "reussite_pct",
        ]
    )
    for p in programmes:
        for label, row in [("", p["total"])] + [(r["session"].code, r) for r in p["sessions"]]:
            writer.writerow(
                [
                    p["programme"].title,
                    label or _("toutes sessions"),
                    start,
                    end,
                    row["enrolled"],
                    row["responses"],
                    row["satisfaction"] or "",
                    row["satisfied_rate"] if row["satisfied_rate"] is not None else "",
                    row["completion_rate"] if row["completion_rate"] is not None else "",
                    row["evaluated"],
                    row["success_rate"] if row["success_rate"] is not None else "",
                ]
            )
    return response


# -- inactivity alerts (indicator 12) ------------------------------------------------------------


@login_required
def alerts(request):
    if not access.is_staff_or_trainer(request.user):
        raise PermissionDenied
    rows = services.alerts_for(request.user)
    if request.GET.get("tous") != "1":
        rows = rows.filter(followed_up_at__isnull=True)
    return render(
        request,
        "tracking/alerts.html",
        {"alerts": rows[:300], "form": forms.FollowUpForm(), "all": request.GET.get("tous") == "1"},
    )


@login_required
@require_POST
def alert_follow_up(request, pk):
    if not access.is_staff_or_trainer(request.user):
        raise PermissionDenied
    alert = get_object_or_404(services.alerts_for(request.user), pk=pk)
    form = forms.FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up(
                alert, by=request.user, text=form.cleaned_data["text"], request=request
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("Suivi enregistré."))
    else:
        messages.error(request, _("Décrivez l'action menée (appel, message, rendez-vous…)."))
    return redirect("tracking:alerts")


# -- accessibility (indicator 26) ----------------------------------------------------------------


@login_required
def accessibility(request):
    programmes = enrolment_access.accessible_programmes(request.user)
    if request.user.is_learner:
        programmes = Programme.objects.filter(
            pk__in=Enrolment.objects.filter(learner=request.user).values("session__programme_id")
        )
    form = forms.NeedsForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_needs(
                request.user,
                form.cleaned_data["needs"],
                programme=form.cleaned_data["programme"],
                request=request,
            )
        except ValidationError as error:
            form.add_error("needs", error)
        else:
            messages.success(request, _("Votre demande a été transmise à notre référent handicap."))
            return redirect("tracking:accessibility")
    return render(
        request,
        "tracking/accessibility.html",
        {
            "form": form,
            "mine": AccessibilityNeed.objects.filter(learner=request.user),
            "contact": access.is_disability_contact(request.user),
        },
    )


@login_required
def accessibility_register(request):
    if not access.is_disability_contact(request.user):
        raise PermissionDenied
    rows = AccessibilityNeed.objects.select_related("learner", "programme", "handled_by")
    return render(
        request,
        "tracking/accessibility_register.html",
        {"needs": rows[:500], "form": forms.AdaptationsForm()},
    )


@login_required
@require_POST
def accessibility_adapt(request, pk):
    if not access.is_disability_contact(request.user):
        raise PermissionDenied
    need = get_object_or_404(AccessibilityNeed, pk=pk)
    form = forms.AdaptationsForm(request.POST)
    if form.is_valid():
        try:
            services.record_adaptations(
                need, by=request.user, adaptations=form.cleaned_data["adaptations"], request=request
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("Adaptations enregistrées ; l'apprenant est prévenu."))
    else:
        messages.error(request, _("Décrivez les adaptations mises en place."))
    return redirect(reverse("tracking:accessibility_register"))
