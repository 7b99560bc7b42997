from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ilmis.audit.services import record

from . import services
from .forms import (
    FraudReportForm,
    LearnerForm,
    LearnerImportForm,
    ProfileForm,
    PublicFraudReportForm,
)
from .models import FraudReport, LearnerImport


def manager_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_manager or not request.user.client_id:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(
            "account.profile_updated",
            request.user,
            request=request,
            fields=sorted(form.changed_data),
        )
        messages.success(request, _("Vos informations ont été enregistrées."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def report_fraud(request):
    """R5.2 from the account: everything ends at once, then the person sets a new password."""
    form = FraudReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        services.report_fraud(
            user,
            channel=FraudReport.Channel.ACCOUNT,
            request=request,
            description=form.cleaned_data["description"],
        )
        logout(request)
        messages.warning(
            request,
            _(
                "Toutes vos sessions ont été fermées et l'équipe est prévenue. Un courriel vous "
                "permet de choisir un nouveau mot de passe."
            ),
        )
        return redirect("account_login")
    return render(request, "accounts/report_fraud.html", {"form": form})


def report_fraud_public(request):
    """R5.2 from the login page: the same answer whether or not the address is known."""
    form = PublicFraudReportForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        services.request_fraud_report_by_email(
            form.cleaned_data["email"],
            request=request,
            description=form.cleaned_data["description"],
        )
        return render(request, "accounts/report_fraud_sent.html")
    return render(request, "accounts/report_fraud_public.html", {"form": form})


def confirm_fraud(request, token):
    if request.method == "POST":
        report = services.confirm_fraud_report(token, request=request)
        if report is None:
            return render(
                request, "accounts/report_fraud_confirm.html", {"invalid": True}, status=400
            )
        if request.user.is_authenticated:
            logout(request)
        return render(request, "accounts/report_fraud_done.html")
    return render(request, "accounts/report_fraud_confirm.html", {"token": token})


@manager_required
def learners(request):
    queryset = services.learners_of(request.user).order_by("last_name", "first_name")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/learners.html", {"page": page})


@manager_required
def learner_create(request):
    form = LearnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.create_learner(request.user, **form.cleaned_data)
        messages.success(
            request,
            _("Compte créé : %(email)s a reçu un lien pour choisir son mot de passe.")
            % {"email": user.email},
        )
        return redirect("accounts:learners")
    return render(request, "accounts/learner_form.html", {"form": form})


@manager_required
def learner_edit(request, pk):
    learner = get_object_or_404(services.learners_of(request.user), pk=pk)
    form = LearnerForm(request.POST or None, instance=learner)
    if request.method == "POST" and form.is_valid():
        form.save()
        record(
            "account.learner_updated", learner, request=request, fields=sorted(form.changed_data)
        )
        messages.success(request, _("Modifications enregistrées."))
        return redirect("accounts:learners")
    return render(request, "accounts/learner_form.html", {"form": form, "learner": learner})


@manager_required
@require_POST
def learner_reinvite(request, pk):
    learner = get_object_or_404(services.learners_of(request.user), pk=pk)
    services.invite(learner, by=request.user)
    messages.success(request, _("Invitation renvoyée à %(email)s.") % {"email": learner.email})
    return redirect("accounts:learners")


@manager_required
def learner_import(request):
    form = LearnerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.start_learner_import(
            request.user,
            filename=form.cleaned_data["file"]["name"],
            text=form.cleaned_data["file"]["text"],
        )
        return redirect("accounts:learner_import_status", pk=job.pk)
    return render(request, "accounts/learner_import.html", {"form": form})


@manager_required
def learner_import_status(request, pk):
    job = get_object_or_404(LearnerImport, pk=pk, client_id=request.user.client_id)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(
            {
                "status": job.status,
                "progress": job.progress,
                "created": job.created_count,
                "errors": len(job.errors),
            }
        )
    return render(request, "accounts/learner_import_status.html", {"job": job})


@staff_member_required
def security(request):
    """R3.4, R5.2: what staff must look at — logins that look shared and fraud reports."""
    return render(
        request,
        "accounts/security.html",
        {
            "suspects": services.shared_login_suspects()[:100],
            "reports": FraudReport.objects.select_related("user")[:100],
        },
    )
