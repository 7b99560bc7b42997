"""Public catalogue (Qualiopi indicator 1): every programme's information, fast and cacheable."""

from django.db.models import Max, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition

from .models import Programme, Session


def _catalogue_modified(request):
    programmes = Programme.objects.published().aggregate(last=Max("updated_at"))["last"]
    sessions = Session.objects.filter(programme__published=True).aggregate(last=Max("updated_at"))[
        "last"
    ]
    stamps = [s for s in (programmes, sessions) if s]
    # A new day changes which sessions are upcoming: never older than today's midnight.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return max([*stamps, midnight])


def _programme_modified(request, slug):
    programme = Programme.objects.published().filter(slug=slug).values("pk", "updated_at").first()
    if not programme:
        return None
    last = Session.objects.filter(programme_id=programme["pk"]).aggregate(last=Max("updated_at"))[
        "last"
    ]
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return max(s for s in (programme["updated_at"], last, midnight) if s)


def _upcoming():
    today = timezone.localdate()
    return Prefetch(
        "sessions",
        queryset=Session.objects.filter(end_date__gte=today).order_by("start_date"),
        to_attr="upcoming",
    )


def _etag(stamp, request):
    # Pages carry the visitor's menu and language: the tag depends on them too. Browsers
    # revalidate (private, no-cache) and get a 304 while nothing has changed.
    if stamp is None:
        return None
    user = getattr(request, "user", None)
    who = user.pk if user is not None and user.is_authenticated else 0
    return f'"{stamp.timestamp():.6f}-{who}-{getattr(request, "LANGUAGE_CODE", "fr")}"'


@cache_control(private=True, no_cache=True)
@condition(etag_func=lambda request: _etag(_catalogue_modified(request), request))
def catalogue(request):
    programmes = Programme.objects.published().prefetch_related(_upcoming()).order_by("title")
    return render(request, "catalog/catalogue.html", {"programmes": programmes})


@cache_control(private=True, no_cache=True)
@condition(etag_func=lambda request, slug: _etag(_programme_modified(request, slug), request))
def programme(request, slug):
    programme = get_object_or_404(
        Programme.objects.published().prefetch_related(_upcoming()), slug=slug
    )
    return render(request, "catalog/programme.html", {"programme": programme})


# -- staff editing (indicator 1 information is kept up to date by staff) ----------------------


def _staff_only(view):
    from functools import wraps

    from django.contrib.auth.decorators import login_required
    from django.core.exceptions import PermissionDenied

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_back_office:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@_staff_only
def staff_programmes(request):
    from django.db.models import Count

    programmes = Programme.objects.annotate(session_count=Count("sessions")).order_by("title")
    return render(request, "catalog/staff/programmes.html", {"programmes": programmes})


@_staff_only
def staff_programme(request, pk=None):
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from ilmis.audit.services import record

    from .forms import ProgrammeForm

    programme = get_object_or_404(Programme, pk=pk) if pk else None
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        changed = form.changed_data
        programme = form.save()
        record("catalog.programme_saved", programme, request=request, fields=changed)
        messages.success(request, _("Programme enregistré."))
        return redirect("catalog:staff_programme", pk=programme.pk)
    sessions = programme.sessions.order_by("-start_date") if programme else []
    return render(
        request,
        "catalog/staff/programme.html",
        {"form": form, "programme": programme, "sessions": sessions},
        status=400 if form.errors else 200,
    )


@_staff_only
def staff_session(request, programme_pk, pk=None):
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from ilmis.audit.services import record

    from .forms import SessionForm

    programme = get_object_or_404(Programme, pk=programme_pk)
    session = get_object_or_404(Session, pk=pk, programme=programme) if pk else None
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        session = form.save(commit=False)
        session.programme = programme
        session.save()
        record("catalog.session_saved", session, request=request, fields=form.changed_data)
        messages.success(request, _("Session enregistrée."))
        return redirect("catalog:staff_programme", pk=programme.pk)
    return render(
        request,
        "catalog/staff/session.html",
        {"form": form, "programme": programme, "session": session},
        status=400 if form.errors else 200,
    )
