import json
import os

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ilmis.core.http import client_ip, user_agent

from . import services
from .forms import (
    AssignForm,
    ComplaintStepForm,
    IncidentForm,
    MessageForm,
    StaffComplaintForm,
    StatusForm,
    UserComplaintForm,
)
from .models import CompatibilityReport, Complaint, Incident


def desk_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        services.require_desk(request.user)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _errors(error: ValidationError):
    return " ".join(error.messages)


# --- compatibility check (R4.1) ---------------------------------------------------------------


def compat(request):
    """Public page: the browser checks itself with compat.js and says what is fine."""
    open_incidents = []
    if request.user.is_authenticated:
        open_incidents = Incident.objects.filter(
            reporter=request.user,
            status__in=[Incident.Status.OPEN, Incident.Status.IN_PROGRESS],
        ).order_by("-reported_at")[:20]
    checks = [{"key": key, **check} for key, check in services.COMPAT_CHECKS.items()]
    return render(
        request,
        "support/compat.html",
        {
            "checks": checks,
            "open_incidents": open_incidents,
            "min_rate": services.min_rate_mbps(),
            "max_bytes": _speed_max_bytes(),
        },
    )


def _speed_max_bytes():
    return int(getattr(settings, "ILMIS_SPEEDTEST_MAX_BYTES", 4 * 1024 * 1024))


@never_cache
def speed(request):
    """N bytes of incompressible data from our own server, for the download-rate measure."""
    try:
        size = int(request.GET.get("octets", 262144))
    except ValueError:
        size = 262144
    size = max(1024, min(size, _speed_max_bytes()))
    key = f"support:speed:{client_ip(request)}"
    cache.add(key, 0, 600)
    try:
        used = cache.incr(key)
    except ValueError:
        used = 1
    if used > int(getattr(settings, "ILMIS_SPEEDTEST_PER_10_MIN", 60)):
        return HttpResponse(
            _("Trop de mesures. Réessayez dans quelques minutes."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )

    def chunks(remaining=size, step=64 * 1024):
        while remaining > 0:
            n = min(step, remaining)
            remaining -= n
            yield os.urandom(n)

    response = StreamingHttpResponse(chunks(), content_type="application/octet-stream")
    response["Content-Length"] = str(size)
    response["Cache-Control"] = "no-store"
    response["Content-Encoding"] = "identity"
    return response


@login_required
@require_POST
def compat_save(request):
    """Keep the result and attach it to a new or an existing incident of the user."""
    try:
        data = json.loads(request.POST.get("results") or "{}")
        report = services.save_compat_report(
            request.user, data, user_agent=user_agent(request), request=request
        )
    except (ValueError, ValidationError):
        messages.error(request, _("Le résultat du test est illisible : relancez le test."))
        return redirect("support:compat")
    target = request.POST.get("incident", "new")
    if target == "new" or not target.isdigit():
        return redirect(f"{_url('support:report')}?compat={report.pk}")
    try:
        services.attach_compat(report.pk, int(target), by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("support:compat")
    messages.success(request, _("Le résultat du test a été joint à l'incident."))
    return redirect("support:incident", pk=int(target))


def _url(name, **kwargs):
    from django.urls import reverse

    return reverse(name, kwargs=kwargs or None)


# --- incidents (R5.6, R5.7) -------------------------------------------------------------------


@login_required
def home(request):
    incidents = services.annotate_sla(
        list(Incident.objects.filter(reporter=request.user).order_by("-reported_at")[:50])
    )
    complaints = Complaint.objects.filter(user=request.user).order_by("-received_at")[:50]
    return render(request, "support/home.html", {"incidents": incidents, "complaints": complaints})


@login_required
def report(request):
    """R5.6: from any page (`?page=` or the referring page); the activity is linked from the URL."""
    compat_id = request.GET.get("compat") or request.POST.get("compat")
    compat_report = None
    if compat_id and str(compat_id).isdigit():
        compat_report = CompatibilityReport.objects.filter(
            pk=int(compat_id), user=request.user, incident__isnull=True
        ).first()
    initial = {
        "page_url": services.local_path(
            request.GET.get("page") or request.META.get("HTTP_REFERER", "")
        ),
        "activity": request.GET.get("activite", "")[:200],
        "compat": compat_report.pk if compat_report else None,
    }
    form = IncidentForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.report_incident(
                request.user,
                summary=data["summary"],
                description=data["description"],
                happened_at=data["happened_at"],
                page_url=data["page_url"],
                activity_ref=data["activity"],
                screenshot=data["screenshot"],
                user_agent=user_agent(request),
                compat_report=compat_report,
                request=request,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request, _("Votre signalement est enregistré. Nous vous répondons par courriel.")
            )
            return redirect("support:incident", pk=incident.pk)
    return render(
        request,
        "support/report.html",
        {
            "form": form,
            "compat_report": compat_report,
            "compat_lines": services.compat_summary(compat_report.results) if compat_report else [],
        },
    )


@login_required
def incident(request, pk):
    incident = services.incident_for(request.user, pk)
    services.annotate_sla([incident])
    desk = services.is_desk(request.user)
    context = {
        "incident": incident,
        "events": services.timeline(incident, request.user),
        "desk": desk,
        "message_form": MessageForm(),
        "compat_reports": [
            {"report": r, "lines": services.compat_summary(r.results)}
            for r in incident.compat_reports.all()
        ],
    }
    if desk:
        context |= {
            "status_form": StatusForm(
                initial={
                    "status": next(iter(services.TRANSITIONS[incident.status]), incident.status)
                }
            ),
            "allowed_status": [
                (s, Incident.Status(s).label) for s in services.TRANSITIONS[incident.status]
            ],
            "assign_form": AssignForm(initial={"assignee": incident.assigned_to_id}),
        }
    return render(request, "support/incident.html", context)


@login_required
def screenshot(request, pk):
    incident = services.incident_for(request.user, pk)
    if not incident.screenshot:
        raise Http404
    extension = incident.screenshot.name.rsplit(".", 1)[-1]
    content_type = {
        "png": "image/png",
        "jpg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
    }.get(extension, "application/octet-stream")
    response = FileResponse(incident.screenshot.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def incident_action(request, pk, action):
    """POST targets of the incident page: message (reporter); status, assign, reply, note (desk)."""
    try:
        if action == "message":
            form = MessageForm(request.POST)
            if form.is_valid():
                services.add_message(
                    pk, form.cleaned_data["body"], by=request.user, request=request
                )
                messages.success(request, _("Votre message a été envoyé à l'équipe."))
            else:
                messages.error(request, _("Le message est vide."))
        elif action in ("reply", "note"):
            form = MessageForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Le message est vide."))
            function = services.reply if action == "reply" else services.add_note
            function(pk, form.cleaned_data["body"], by=request.user, request=request)
            messages.success(
                request,
                _("Réponse envoyée.") if action == "reply" else _("Note interne enregistrée."),
            )
        elif action == "status":
            form = StatusForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choisissez un état."))
            services.change_status(
                pk,
                form.cleaned_data["status"],
                by=request.user,
                message=form.cleaned_data["message"],
                request=request,
            )
            messages.success(request, _("État modifié ; l'utilisateur est prévenu par courriel."))
        elif action == "assign":
            form = AssignForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choisissez un membre de l'équipe."))
            services.assign(pk, form.cleaned_data["assignee"], by=request.user, request=request)
            messages.success(request, _("Prise en charge enregistrée."))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("support:incident", pk=pk)


@desk_required
def desk_queue(request):
    """R5.7: the desk queue, sorted by due time, with at-risk and breached incidents."""
    current = request.GET.get("filtre", "open")
    if current not in ("open", "at_risk", "breached", "mine", "unassigned", "all"):
        current = "open"
    return render(
        request,
        "support/queue.html",
        {
            "incidents": services.queue(current, user=request.user),
            "current": current,
            "counts": services.counts(),
            "filters": [
                ("open", _("Ouverts")),
                ("at_risk", _("Bientôt en retard")),
                ("breached", _("Délai dépassé")),
                ("mine", _("Les miens")),
                ("unassigned", _("Non attribués")),
                ("all", _("Tous")),
            ],
        },
    )


@desk_required
def figures(request):
    return render(request, "support/figures.html", {"rows": services.monthly_figures()})


# --- complaints register (R11.8) --------------------------------------------------------------


SOURCE_FOR_ROLE = {"learner": "learner", "manager": "company", "trainer": "trainer"}


@login_required
def complaint_new(request):
    """A user files a complaint or difficulty from their account (channel: form)."""
    form = UserComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        try:
            services.record_complaint(
                by=user,
                request=request,
                kind=form.cleaned_data["kind"],
                source=SOURCE_FOR_ROLE.get(user.role, "other"),
                channel=Complaint.Channel.FORM,
                user=user,
                name=user.get_full_name() or user.email,
                organisation=str(user.client) if user.client_id else "",
                email=user.email,
                phone=user.phone,
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Votre réclamation est enregistrée ; vous recevrez un accusé de réception."),
            )
            return redirect("support:home")
    return render(request, "support/complaint_form.html", {"form": form, "staff": False})


@desk_required
def complaints(request):
    qs = Complaint.objects.select_related("handled_by")
    status = request.GET.get("etat", "")
    if status in Complaint.Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("format") == "csv":
        response = HttpResponse(services.complaints_csv(qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="registre-reclamations.csv"'
        from ilmis.audit.services import record

        record("support.complaints_exported", None, request=request, rows=qs.count())
        return response
    return render(
        request,
        "support/complaints.html",
        {
            "complaints": qs[:500],
            "status": status,
            "statuses": Complaint.Status.choices,
        },
    )


@desk_required
def complaint_record(request):
    form = StaffComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.record_complaint(
                by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Réclamation enregistrée."))
            return redirect("support:complaint", pk=complaint.pk)
    return render(request, "support/complaint_form.html", {"form": form, "staff": True})


@desk_required
def complaint(request, pk):
    complaint = get_object_or_404(Complaint, pk=pk)
    if request.method == "POST":
        form = ComplaintStepForm(request.POST)
        if form.is_valid():
            try:
                services.advance_complaint(
                    pk,
                    form.cleaned_data["step"],
                    by=request.user,
                    text=form.cleaned_data["text"],
                    request=request,
                )
                messages.success(request, _("Réclamation mise à jour."))
            except ValidationError as error:
                messages.error(request, _errors(error))
        return redirect("support:complaint", pk=pk)
    from ilmis.audit.services import history

    next_step = {
        Complaint.Status.RECEIVED: "acknowledge",
        Complaint.Status.ACKNOWLEDGED: "answer",
        Complaint.Status.ANSWERED: "close",
    }.get(complaint.status)
    return render(
        request,
        "support/complaint.html",
        {
            "complaint": complaint,
            "next_step": next_step,
            "history": history(complaint),
        },
    )
