"""Thin views over services: schedule, invitations, feed, attendance sheet (R10.1, R10.2, R11.7)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ilmis.core.http import client_ip, user_agent

from . import access, graph, ics, pdf, services
from .forms import CancelForm, LiveClassForm
from .models import Attendance, LiveClass, Slot


def _errors(error):
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _refused(request, reason):
    return render(request, "classes/refused.html", {"reason": reason}, status=403)


def _get_class(pk):
    return get_object_or_404(
        LiveClass.objects.select_related("session__programme", "trainer"), pk=pk
    )


@login_required
@never_cache
def index(request):
    user = request.user
    now = services.clock()
    classes = services.visible_classes(user)
    if user.is_trainer and not user.is_back_office:
        classes = classes.filter(trainer=user)
    upcoming = list(classes.upcoming(now)[:50])
    past = list(classes.filter(end__lte=now).order_by("-start")[:20])
    cancelled = list(classes.filter(cancelled_at__isnull=False, end__gt=now)[:20])
    return render(
        request,
        "classes/index.html",
        {
            "upcoming": upcoming,
            "past": past,
            "cancelled": cancelled,
            "can_schedule": access.is_manager(user),
            "graph_configured": graph.is_configured(),
        },
    )


@login_required
@never_cache
def detail(request, pk):
    live_class = _get_class(pk)
    user = request.user
    now = services.clock()
    reason = access.denial_reason(user, live_class, now)
    if reason:
        return _refused(request, reason)
    is_learner = access.learner_denial(user, live_class, now) is None
    mine = {}
    if is_learner:
        mine = {a.slot: a for a in Attendance.objects.filter(live_class=live_class, learner=user)}
    slot_now = services.current_slot(live_class, now)
    slots = [
        {
            "key": key,
            "label": Slot(key).label,
            "start": start,
            "end": end,
            "attendance": mine.get(key),
            "open": key == slot_now,
        }
        for key, start, end in live_class.slots()
    ]
    return render(
        request,
        "classes/detail.html",
        {
            "live_class": live_class,
            "slots": slots,
            "is_learner": is_learner,
            "can_sign": is_learner and slot_now is not None and not live_class.is_cancelled,
            "can_edit": access.can_edit(user, live_class),
            "ended": live_class.end <= now,
            "microsoft_terms": ics.MICROSOFT_TERMS,
        },
    )


@login_required
@require_POST
def sign(request, pk):
    live_class = _get_class(pk)
    try:
        _attendance, created = services.sign_in(
            live_class,
            request.user,
            ip=client_ip(request),
            user_agent=user_agent(request),
            request=request,
        )
    except PermissionDenied as error:
        return _refused(request, str(error))
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        if created:
            messages.success(request, _("Votre présence est enregistrée. Bonne classe !"))
        else:
            messages.info(request, _("Vous avez déjà signé cette demi-journée."))
    return redirect("classes:detail", pk=live_class.pk)


def _save_form(request, form, live_class=None):
    data = form.cleaned_data
    fields = {
        "title": data["title"],
        "start": data["start"],
        "end": data["end"],
        "trainer": data["trainer"],
        "join_url": data.get("join_url", ""),
        "by": request.user,
        "request": request,
    }
    try:
        if live_class is None:
            return services.schedule(session=data["session"], **fields), None
        return services.update(live_class, **fields)[0], None
    except graph.GraphError as error:
        form.add_error(None, str(error))
    except ValidationError as error:
        form.add_error(None, _errors(error))
    return None, form


@login_required
@never_cache
def schedule(request):
    if not access.is_manager(request.user):
        return _refused(request, _("Seuls les formateurs et l'équipe planifient des classes."))
    initial = {}
    if request.GET.get("session", "").isdigit():
        initial["session"] = int(request.GET["session"])
    form = LiveClassForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        live_class, form = _save_form(request, form)
        if live_class:
            messages.success(
                request,
                _(
                    "Classe planifiée ; les apprenants de la session reçoivent "
                    "l'invitation par courriel."
                ),
            )
            return redirect("classes:detail", pk=live_class.pk)
    return render(request, "classes/form.html", {"form": form, "creating": True})


@login_required
@never_cache
def edit(request, pk):
    live_class = _get_class(pk)
    if not access.can_edit(request.user, live_class):
        return _refused(request, _("Seuls le formateur de la classe et l'équipe la modifient."))
    form = LiveClassForm(request.POST or None, live_class=live_class, user=request.user)
    if request.method == "POST" and form.is_valid():
        updated, form = _save_form(request, form, live_class)
        if updated:
            messages.success(
                request, _("Classe modifiée ; les apprenants reçoivent l'invitation mise à jour.")
            )
            return redirect("classes:detail", pk=live_class.pk)
    return render(
        request, "classes/form.html", {"form": form, "creating": False, "live_class": live_class}
    )


@login_required
@never_cache
def cancel(request, pk):
    live_class = _get_class(pk)
    if not access.can_edit(request.user, live_class):
        return _refused(request, _("Seuls le formateur de la classe et l'équipe l'annulent."))
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel(
                live_class, by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except graph.GraphError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Classe annulée ; les apprenants sont prévenus."))
            return redirect("classes:detail", pk=live_class.pk)
    return render(request, "classes/cancel.html", {"form": form, "live_class": live_class})


@login_required
@never_cache
def attendance(request, pk):
    live_class = _get_class(pk)
    if not access.can_edit(request.user, live_class):
        return _refused(
            request,
            _("La feuille d'émargement est réservée au formateur de la classe et à l'équipe."),
        )
    context = services.sheet(live_class)
    if request.method == "POST":
        decisions = {}
        for row in context["rows"]:
            for cell in row["cells"]:
                name = f"a-{row['learner'].pk}-{cell['slot']}"
                if name in request.POST:
                    decisions[(row["learner"].pk, cell["slot"])] = request.POST[name]
        try:
            changed = services.confirm(live_class, decisions, by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(
                request,
                _("Présences enregistrées (%(count)s modification(s)).") % {"count": changed},
            )
        return redirect("classes:attendance", pk=live_class.pk)
    context |= {
        "is_trainer": request.user.pk == live_class.trainer_id,
        "graph_meeting": live_class.provider == LiveClass.Provider.GRAPH and graph.is_configured(),
        "teams_lines": list(live_class.teams_attendance.select_related("learner")),
        "now": services.clock(),
    }
    return render(request, "classes/attendance.html", context)


@login_required
@require_POST
def trainer_sign(request, pk, slot):
    live_class = _get_class(pk)
    try:
        services.trainer_sign(
            live_class, slot, request.user, ip=client_ip(request), request=request
        )
    except PermissionDenied as error:
        return _refused(request, str(error))
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("Feuille signée."))
    return redirect("classes:attendance", pk=live_class.pk)


@login_required
@require_POST
def import_teams(request, pk):
    live_class = _get_class(pk)
    try:
        count = services.import_teams_attendance(live_class, by=request.user, request=request)
    except PermissionDenied as error:
        return _refused(request, str(error))
    except (ValidationError, graph.GraphError) as error:
        messages.error(request, _errors(error))
    else:
        messages.success(
            request, _("Rapport Teams importé : %(count)s participant(s).") % {"count": count}
        )
    return redirect("classes:attendance", pk=live_class.pk)


@login_required
@require_GET
def attendance_pdf(request, pk):
    live_class = _get_class(pk)
    if not access.can_edit(request.user, live_class):
        return _refused(
            request,
            _("La feuille d'émargement est réservée au formateur de la classe et à l'équipe."),
        )
    response = HttpResponse(pdf.attendance_sheet(live_class), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(live_class)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def invitation(request, pk):
    live_class = _get_class(pk)
    reason = access.denial_reason(request.user, live_class)
    if reason:
        return _refused(request, reason)
    response = HttpResponse(
        ics.invitation(live_class, attendee=request.user),
        content_type=f"text/calendar; charset=utf-8; method={ics.method_of(live_class)}",
    )
    response["Content-Disposition"] = 'attachment; filename="classe.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@never_cache
def calendar(request):
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            services.revoke_feed(user, request=request)
            messages.success(request, _("Lien d'abonnement supprimé : il ne fonctionne plus."))
        elif action == "regenerate":
            services.regenerate_feed(user, request=request)
            messages.success(
                request, _("Nouveau lien d'abonnement créé ; l'ancien ne fonctionne plus.")
            )
        return redirect("classes:calendar")
    feed = services.feed_of(user)
    url = ""
    if feed:
        url = settings.SITE_URL + reverse("classes:feed", kwargs={"token": feed.token})
    return render(request, "classes/calendar.html", {"feed": feed, "feed_url": url})


@require_GET
def feed(request, token):
    data = services.feed_calendar(token)
    if data is None:
        raise Http404(_("Ce lien d'abonnement n'existe pas ou a été supprimé."))
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
