from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import WindowForm
from .models import MaintenanceWindow


def staff_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        services.require_staff(request.user)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _apply_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@staff_required
def windows(request):
    """Staff: schedule a window; see upcoming, running and past ones."""
    form = WindowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            window = services.schedule(by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Maintenance programmée ; tous les utilisateurs actifs "
                    "sont prévenus par courriel et par un bandeau."
                ),
            )
            return redirect("maintenance:detail", pk=window.pk)
    now = services.clock()
    rows = [{"window": w, "state": w.state(now)} for w in MaintenanceWindow.objects.all()[:100]]
    return render(request, "maintenance/windows.html", {"form": form, "rows": rows})


@staff_required
def detail(request, pk):
    window = get_object_or_404(MaintenanceWindow, pk=pk)
    now = services.clock()
    state = window.state(now)
    form = WindowForm(
        request.POST or None,
        initial={
            "starts_at": window.starts_at,
            "ends_at": window.ends_at,
            "affected": window.affected,
            "emergency": window.emergency,
            "emergency_reason": window.emergency_reason,
        },
    )
    if state == "active":
        form.fields["starts_at"].disabled = True
    if request.method == "POST" and state in ("scheduled", "active") and form.is_valid():
        try:
            services.update(pk, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Maintenance modifiée ; les utilisateurs sont prévenus."))
            return redirect("maintenance:detail", pk=pk)
    from ilmis.audit.services import history

    return render(
        request,
        "maintenance/detail.html",
        {
            "window": window,
            "state": state,
            "form": form,
            "history": history(window),
            "start": services.when(window.starts_at),
            "end": services.when(window.ends_at),
        },
    )


@staff_required
@require_POST
def cancel(request, pk):
    try:
        services.cancel(pk, by=request.user, request=request)
        messages.success(request, _("Maintenance annulée ; les utilisateurs sont prévenus."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("maintenance:detail", pk=pk)


@staff_required
@require_POST
def end(request, pk):
    try:
        services.end_now(pk, by=request.user, request=request)
        messages.success(request, _("Maintenance terminée : la plateforme est rouverte."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("maintenance:detail", pk=pk)


@staff_required
def report(request):
    """R5.8: downtime per month, from the recorded actual start and end."""
    return render(request, "maintenance/report.html", {"rows": services.monthly_downtime()})


def upcoming(request):
    """Public: the announced windows (the link in the notices)."""
    now = services.clock()
    windows = [
        {
            "start": services.when(w.starts_at),
            "end": services.when(w.ends_at),
            "affected": w.affected,
            "active": w.active(now),
        }
        for w in services.current_windows(now)
    ]
    return render(request, "maintenance/upcoming.html", {"windows": windows})
