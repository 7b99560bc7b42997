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
