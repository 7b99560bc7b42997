"""Pages: the person's own data (export, rectification, erasure) and the staff's requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ilmis.audit.services import history, record

from . import services
from .forms import (
    ApplyRectificationForm,
    CloseForm,
    EraseForm,
    ErasureForm,
    ExtendForm,
    LinkForm,
    RectificationForm,
    StaffRequestForm,
)
from .models import DataExport, PrivacyRequest, RetentionRun
from .retention import KINDS, apply_retention


def staff_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        services.check_staff(request.user)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def _errors(error):
    return error.messages if hasattr(error, "messages") else [str(error)]


# -- the person ---------------------------------------------------------------------------------


@login_required
def home(request):
    user = request.user
    return render(
        request,
        "privacy/home.html",
        {
            "exports": DataExport.objects.filter(user=user)[:5],
            "requests": PrivacyRequest.objects.filter(user=user).order_by("-received_on", "-id")[
                :10
            ],
            "kinds": [(key, kind) for key, kind in KINDS.items()],
        },
    )


@login_required
@require_POST
def export_start(request):
    export = services.start_export(request.user, request=request)
    return redirect("privacy:export_status", pk=export.pk)


@login_required
def export_status(request, pk):
    export = services.export_of(request.user, pk)
    if export is None:
        raise Http404
    ready = export.status == DataExport.Status.READY and not export.is_expired()
    url = services.download_url(export) if ready else ""
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": export.status,
                "label": export.get_status_display(),
                "progress": export.progress,
                "url": url,
            }
        )
    return render(
        request, "privacy/export_status.html", {"export": export, "url": url, "ready": ready}
    )


@login_required
def export_download(request, token):
    try:
        export = services.export_for_download(token, request.user)
    except PermissionDenied as error:
        record("privacy.export_refused", request.user, request=request, reason=str(error))
        return render(request, "privacy/refused.html", {"reason": str(error)}, status=403)
    export.downloaded_at = timezone.now()
    export.save(update_fields=["downloaded_at"])
    record("privacy.export_downloaded", export, request=request)
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"mes-donnees-{timezone.localdate(export.created_at):%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def rectification(request):
    form = RectificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        privacy_request = services.create_request(
            kind=PrivacyRequest.Kind.RECTIFICATION,
            channel=PrivacyRequest.Channel.ACCOUNT,
            user=request.user,
            details=form.cleaned_data["details"],
            changes=form.changes(),
            by=request.user,
            request=request,
        )
        messages.success(
            request,
            _("Demande %(ref)s envoyée : l'équipe y répond avant le %(date)s.")
            % {
                "ref": privacy_request.reference,
                "date": privacy_request.deadline.strftime("%d/%m/%Y"),
            },
        )
        return redirect("privacy:home")
    return render(
        request,
        "privacy/rectification.html",
        {"form": form, "signed": services.signed_identity(request.user)},
    )


@login_required
def erasure(request):
    user = request.user
    if user.is_back_office:
        messages.error(request, _("Un compte de l'équipe est supprimé par un administrateur."))
        return redirect("privacy:home")
    ongoing = services.ongoing_trainings(user)
    pending = PrivacyRequest.objects.filter(
        user=user, kind=PrivacyRequest.Kind.ERASURE, status=PrivacyRequest.Status.RECEIVED
    ).first()
    form = ErasureForm(request.POST or None, ongoing=ongoing)
    if request.method == "POST" and pending is None and form.is_valid():
        details = form.cleaned_data["details"]
        if ongoing:
            details = (
                _("[Formation en cours : la personne accepte la fin de son accès.]")
                + "\n"
                + details
            ).strip()
        privacy_request = services.create_request(
            kind=PrivacyRequest.Kind.ERASURE,
            channel=PrivacyRequest.Channel.ACCOUNT,
            user=user,
            details=details,
            by=user,
            request=request,
        )
        messages.success(
            request,
            _("Demande %(ref)s envoyée : l'équipe y répond avant le %(date)s.")
            % {
                "ref": privacy_request.reference,
                "date": privacy_request.deadline.strftime("%d/%m/%Y"),
            },
        )
        return redirect("privacy:home")
    return render(
        request,
        "privacy/erasure.html",
        {
            "form": form,
            "ongoing": ongoing,
            "pending": pending,
            "plan": services.erasure_plan(user),
        },
    )


def erased(request, token):
    """The page the erasure notice links to: what was done, what is kept and until when."""
    privacy_request = services.erased_request(token)
    if privacy_request is None:
        raise Http404
    return render(
        request,
        "privacy/erased.html",
        {
            "req": privacy_request,
            "plan": privacy_request.outcome.get("plan", []),
            "kinds": KINDS.values(),
        },
    )


# -- staff --------------------------------------------------------------------------------------


@staff_required
def staff_list(request):
    closed = PrivacyRequest.objects.exclude(status=PrivacyRequest.Status.RECEIVED).order_by(
        "-closed_at"
    )[:50]
    return render(
        request,
        "privacy/staff_list.html",
        {"open": services.open_requests(), "closed": closed, "today": timezone.localdate()},
    )


@staff_required
def staff_new(request):
    form = StaffRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            privacy_request = services.create_request(
                kind=data["kind"],
                channel=data["channel"],
                user=form.account(),
                requester_name=data["requester_name"],
                requester_email=data["requester_email"],
                received_on=data["received_on"],
                details=data["details"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("Demande %s enregistrée.") % privacy_request.reference)
            return redirect("privacy:staff_detail", pk=privacy_request.pk)
    return render(request, "privacy/staff_new.html", {"form": form})


@staff_required
def staff_detail(request, pk):
    privacy_request = get_object_or_404(PrivacyRequest.objects.select_related("user"), pk=pk)
    user = privacy_request.user
    ongoing = services.ongoing_trainings(user) if user else []
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        "extend": ExtendForm(request.POST if action == "extend" else None),
        "close": CloseForm(request.POST if action == "close" else None),
        "link": LinkForm(request.POST if action == "link" else None),
        "rectify": ApplyRectificationForm(
            request.POST if action == "rectify" else None, initial=privacy_request.changes
        ),
        "erase": EraseForm(request.POST if action == "erase" else None, ongoing=ongoing),
    }
    if action in forms and forms[action].is_valid():
        data = forms[action].cleaned_data
        try:
            if action == "link":
                services.link_account(
                    privacy_request, email=data["email"], by=request.user, request=request
                )
                messages.success(request, _("Demande rattachée au compte."))
            elif action == "extend":
                services.extend(
                    privacy_request, reason=data["reason"], by=request.user, request=request
                )
                messages.success(request, _("Délai prolongé ; la personne est prévenue."))
            elif action == "close":
                services.close(
                    privacy_request,
                    status=data["status"],
                    answer=data["answer"],
                    by=request.user,
                    request=request,
                )
                messages.success(request, _("Demande close ; la personne est prévenue."))
            elif action == "rectify":
                services.apply_rectification(
                    privacy_request, values=data, by=request.user, request=request
                )
                messages.success(request, _("Correction appliquée et tracée."))
            elif action == "erase":
                services.erase(
                    privacy_request,
                    by=request.user,
                    confirm_ongoing=data.get("confirm_ongoing", False),
                    request=request,
                )
                messages.success(request, _("Données anonymisées ; la personne est prévenue."))
            return redirect("privacy:staff_detail", pk=privacy_request.pk)
        except ValidationError as error:
            for message in _errors(error):
                forms[action].add_error(None, message)
    elif action == "export" and user is not None:
        services.start_export(
            user, by=request.user, privacy_request=privacy_request, request=request
        )
        messages.success(request, _("Archive en préparation ; la personne reçoit le lien."))
        return redirect("privacy:staff_detail", pk=privacy_request.pk)
    privacy_request.refresh_from_db()
    return render(
        request,
        "privacy/staff_detail.html",
        {
            "req": privacy_request,
            "changes": [
                (services.RECTIFIABLE.get(key, key), value)
                for key, value in privacy_request.changes.items()
            ],
            "forms": forms,
            "ongoing": ongoing,
            "plan": services.erasure_plan(user) if user and user.is_active else [],
            "signed": services.signed_identity(user) if user else {},
            "history": history(privacy_request),
            "exports": DataExport.objects.filter(request=privacy_request),
            "today": timezone.localdate(),
        },
    )


@staff_required
def staff_retention(request):
    if request.method == "POST":
        run = apply_retention(dry_run=True)
        messages.info(request, _("Simulation : %s ligne(s) seraient traitées.") % run.total)
        return redirect("privacy:staff_retention")
    return render(
        request,
        "privacy/staff_retention.html",
        {"runs": RetentionRun.objects.all()[:20], "kinds": KINDS.items()},
    )
