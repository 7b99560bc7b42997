"""SCORM pages (R6.5, R6.2): staff import and diagnostics, the player, files, the API endpoint."""

import json
import mimetypes
import posixpath
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST, require_safe

from ilmis.core.files import serve

from . import services
from .access import can_diagnose, can_manage, can_play
from .forms import PackageForm, ProgrammeForm
from .models import ApiCall, Sco, ScormAttempt, ScormPackage
from .package import PackageError

CONTENT_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".webm": "video/webm",
    ".ogg": "audio/ogg",
    ".vtt": "text/vtt",
    ".wasm": "application/wasm",
    ".xml": "application/xml",
    ".xsd": "application/xml",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
    ".swf": "application/x-shockwave-flash",
}


def _staff(request):
    if not can_manage(request.user):
        raise PermissionDenied


# --- staff: import, list, detail ---------------------------------------------------------------


@login_required
def packages(request):
    _staff(request)
    form = PackageForm(request.POST or None, request.FILES or None)
    problems = []
    checked = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        path = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload
        try:
            if "check" in request.POST:  # check only: show what would be imported
                checked = services.check_package(path)
            else:
                package = services.import_package(
                    path,
                    by=request.user,
                    programme=form.cleaned_data["programme"],
                    title=form.cleaned_data["title"],
                )
                messages.success(
                    request,
                    _("Paquet « %(title)s » importé (%(version)s, %(n)d élément(s)).")
                    % {
                        "title": package.title,
                        "version": package.version_label,
                        "n": package.scos.count(),
                    },
                )
                return redirect("scorm:package", uuid=package.uuid)
        except PackageError as error:
            problems = error.problems
    page = Paginator(
        ScormPackage.objects.select_related("programme")
        .annotate(sco_count=Count("scos", distinct=True))
        .order_by("-uploaded_at", "-pk"),
        25,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "scorm/packages.html",
        {"form": form, "problems": problems, "page": page, "checked": checked},
    )


@login_required
def package(request, uuid):
    if not can_diagnose(request.user):
        raise PermissionDenied
    package = get_object_or_404(ScormPackage.objects.select_related("programme"), uuid=uuid)
    form = ProgrammeForm(request.POST or None, instance=package)
    if request.method == "POST":
        _staff(request)
        if form.is_valid():
            form.save()
            from ilmis.audit.services import record

            record(
                "scorm.package_programme",
                package,
                request=request,
                to_state=str(package.programme or ""),
            )
            messages.success(request, _("Programme enregistré."))
            return redirect("scorm:package", uuid=package.uuid)
    learner = request.GET.get("apprenant", "").strip()
    attempts = ScormAttempt.objects.filter(sco__package=package).select_related("learner", "sco")
    if learner:
        attempts = attempts.filter(
            Q(learner__email__icontains=learner) | Q(learner__last_name__icontains=learner)
        )
    page = Paginator(
        attempts.order_by("learner__last_name", "learner_id", "sco__position", "-number"), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "scorm/package.html",
        {
            "package": package,
            "form": form,
            "scos": package.scos.all(),
            "page": page,
            "learner": learner,
            "can_manage": can_manage(request.user),
        },
    )


@login_required
@require_POST
def delete(request, uuid):
    _staff(request)
    package = get_object_or_404(ScormPackage, uuid=uuid)
    if ScormAttempt.objects.filter(sco__package=package).exists():
        messages.error(request, _("Ce paquet a des tentatives d'apprenants : il est conservé."))
        return redirect("scorm:package", uuid=package.uuid)
    services.delete_package(package, by=request.user)
    messages.success(request, _("Paquet supprimé."))
    return redirect("scorm:packages")


@login_required
def attempt(request, pk):
    """Diagnostics: one attempt's run-time data and every API call, in order."""
    if not can_diagnose(request.user):
        raise PermissionDenied
    attempt = get_object_or_404(
        ScormAttempt.objects.select_related("learner", "sco__package"), pk=pk
    )
    calls = Paginator(ApiCall.objects.filter(attempt=attempt).order_by("seq"), 200).get_page(
        request.GET.get("page")
    )
    data = sorted(attempt.data.items())
    return render(
        request,
        "scorm/attempt.html",
        {
            "attempt": attempt,
            "calls": calls,
            "data": data,
            "errors": _error_table(attempt.sco.package),
        },
    )


def _error_table(package):
    from .runtime import ERRORS_12, ERRORS_2004

    return ERRORS_12 if package.is_12 else ERRORS_2004


# --- the player ---------------------------------------------------------------------------------


FILE_ACCESS_SECONDS = 60


def _playable(request, uuid, *, cached=False):
    """The package if the user may play it, else 404 (no hint that it exists, R6.2).

    A SCO loads dozens of files: with `cached`, a positive answer is remembered for a minute
    (per user and package), so the enrolment check runs once, not once per file."""
    key = f"scorm:play:{request.user.pk}:{uuid}"
    if cached:
        package_id = cache.get(key)
        if package_id is not None:
            return get_object_or_404(ScormPackage, pk=package_id)
    package = get_object_or_404(ScormPackage.objects.select_related("programme"), uuid=uuid)
    if not can_play(request.user, package):
        raise Http404
    cache.set(key, package.pk, FILE_ACCESS_SECONDS)
    return package


@login_required
@never_cache
@xframe_options_sameorigin
@require_GET
def player(request, uuid):
    package = _playable(request, uuid)
    scos = list(package.scos.all())
    if not scos:
        raise Http404
    latest = {}
    for item in ScormAttempt.objects.filter(learner=request.user, sco__package=package).order_by(
        "sco_id", "-number"
    ):
        latest.setdefault(item.sco_id, item)
    best = services.package_result(request.user, package)["attempts"]  # for the badges
    wanted = request.GET.get("sco")
    start = next((s for s in scos if s.identifier == wanted), None)
    if start is None:  # where the learner was, else the first not completed
        recent = max(latest.values(), key=lambda a: a.updated_at, default=None)
        if recent is not None and not recent.is_completed:
            start = next(s for s in scos if s.pk == recent.sco_id)
        else:
            start = next(
                (s for s in scos if not (s.pk in best and best[s.pk].is_completed)), scos[0]
            )
    back_url = None
    if package.activity_id:
        try:
            back_url = reverse("learning:activity", args=[package.activity.uuid])
        except NoReverseMatch:
            back_url = None
    elif can_manage(request.user):
        back_url = reverse("scorm:package", args=[package.uuid])
    entries = [
        {
            "sco": s,
            "attempt": best.get(s.pk),
            "launch_url": reverse("scorm:launch", args=[package.uuid, s.pk]),
        }
        for s in scos
    ]
    return render(
        request,
        "scorm/player.html",
        {
            "package": package,
            "entries": entries,
            "start": start,
            "back_url": back_url,
        },
    )


@login_required
@require_POST
def launch(request, uuid, sco_id):
    package = _playable(request, uuid)
    sco = get_object_or_404(Sco, pk=sco_id, package=package)
    attempt = services.launch(request.user, sco)
    payload = services.client_payload(attempt)
    payload["commit_url"] = reverse("scorm:calls", args=[attempt.pk])
    payload["launch"] = reverse("scorm:file", args=[package.uuid, sco.launch]) + sco.parameters
    payload["identifier"] = sco.identifier
    payload["kind"] = sco.kind
    return JsonResponse(payload)


@login_required
@require_POST
def calls(request, pk):
    """The API calls of a session, in batches (fetch) or from sendBeacon (same body)."""
    attempt = get_object_or_404(
        ScormAttempt.objects.select_related("sco__package__programme"),
        pk=pk,
        learner=request.user,
    )
    if not can_play(request.user, attempt.sco.package):
        raise Http404
    try:
        batch = json.loads(request.POST.get("calls", "[]"))
        session = int(request.POST.get("session", ""))
    except (ValueError, TypeError):
        return JsonResponse({"error": _("Requête invalide.")}, status=400)
    if not isinstance(batch, list) or not all(isinstance(c, dict) for c in batch):
        return JsonResponse({"error": _("Requête invalide.")}, status=400)
    try:
        last = services.record_calls(
            attempt.pk, request.user, session, batch, first=request.POST.get("first")
        )
    except services.SequenceGap as gap:
        return JsonResponse({"last_seq": gap.last_seq}, status=409)
    except IntegrityError:  # the same calls, in two requests at once: the other one won
        attempt.refresh_from_db(fields=["last_seq"])
        return JsonResponse({"last_seq": attempt.last_seq}, status=409)
    except services.StaleSession:
        return JsonResponse({"error": _("Cette session a été rouverte ailleurs.")}, status=410)
    return JsonResponse({"last_seq": last})


# --- files --------------------------------------------------------------------------------------


def _content_type(path):
    # No charset is added: old packages declare theirs in <meta> (often ISO-8859-1).
    suffix = Path(path).suffix.lower()
    return (
        CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or ("application/octet-stream")
    )


@login_required
@xframe_options_sameorigin
@require_safe
def file(request, uuid, path):
    """A package file, to allowed users only, same origin (R6.2)."""
    package = _playable(request, uuid, cached=True)
    clean = posixpath.normpath(path)
    if (
        "\\" in path
        or "\x00" in path
        or clean.startswith(("..", "/"))
        or clean in (".", "")
        or ".." in clean.split("/")
    ):
        raise Http404
    root = package.root.resolve()
    target = (root / clean).resolve()
    if root not in target.parents or not target.is_file():
        raise Http404
    response = serve(
        request,
        target,
        content_type=_content_type(clean),
        filename=target.name,
        cache="private, max-age=3600",
    )
    response["Referrer-Policy"] = "same-origin"
    return response
