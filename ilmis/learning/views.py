"""Learner pages (programme, activity, files, completion) and trainers' content editor."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ilmis.catalog.models import Programme
from ilmis.enrolment import access as enrolment_access

from . import files, kinds, services
from .access import check, check_programme, is_editor, learner_view
from .forms import ActivityForm, ModuleForm, PublishForm
from .models import Activity, ActivityCompletion, Module, ProgrammeVersion
from .sanitize import safe_html


def _activity(uuid):
    return get_object_or_404(Activity.objects.select_related("module__programme"), uuid=uuid)


# --- learners -------------------------------------------------------------------------------


@login_required
def home(request):
    from .dashboard import programme_cards

    return render(request, "learning/home.html", {"cards": programme_cards(request.user)})


@login_required
@learner_view
def programme(request, slug):
    programme = get_object_or_404(Programme, slug=slug)
    check_programme(request.user, programme)
    preview = is_editor(request.user) and request.GET.get("apercu") == "1"
    data = services.outline(request.user, programme, preview=preview)
    enrolment = enrolment_access.current_enrolment(request.user, programme)
    return render(
        request,
        "learning/programme.html",
        {**data, "enrolment": enrolment, "preview": preview, "editor": is_editor(request.user)},
    )


@login_required
@learner_view
def activity(request, uuid):
    activity = _activity(uuid)
    check(request.user, activity)
    done = ActivityCompletion.objects.filter(user=request.user, activity=activity).exists()
    handler = kinds.get(activity.kind)
    if handler and handler.is_completed and not done and not is_editor(request.user):
        if handler.is_completed(request.user, activity):
            services.mark_completed(request.user, activity, source=activity.kind)
            done = True
    launch_url = handler.launch_url(activity) if handler else None
    items = [
        item
        for module in services.outline(
            request.user, activity.module.programme, preview=is_editor(request.user)
        )["modules"]
        for item in module["items"]
    ]
    index = next((i for i, item in enumerate(items) if item["activity"].pk == activity.pk), None)
    previous_item = items[index - 1] if index else None
    next_item = items[index + 1] if index is not None and index + 1 < len(items) else None
    context = {
        "activity": activity,
        "programme": activity.module.programme,
        "minutes": services.announced_minutes(activity),
        "done": done,
        "manual": activity.kind in Activity.MANUAL_KINDS,
        "launch_url": launch_url,
        "available": activity.kind in {"document", "page", "video"} or bool(launch_url),
        "previous": previous_item,
        "next": next_item,
    }
    if activity.kind == Activity.Kind.PAGE:
        context["body"] = safe_html(activity.body)
    return render(request, "learning/activity.html", context)


@login_required
@learner_view
def activity_file(request, uuid):
    activity = _activity(uuid)
    check(request.user, activity)
    if activity.kind not in Activity.FILE_KINDS or not activity.file:
        raise Http404
    if activity.kind == Activity.Kind.DOCUMENT:
        path = files.stamped_copy(activity, request.user)
        return files.serve(
            request,
            path,
            content_type="application/pdf",
            filename=activity.file_name or f"{activity.title}.pdf",
            as_attachment=request.GET.get("telecharger") == "1",
        )
    return files.serve(
        request,
        activity.file.path,
        content_type=activity.content_type or "video/mp4",
        filename=activity.file_name or activity.title,
        cache="private, max-age=3600",
    )


@require_POST
@login_required
@learner_view
def complete(request, uuid):
    activity = _activity(uuid)
    check(request.user, activity)
    allowed = activity.kind in Activity.MANUAL_KINDS or activity.kind == Activity.Kind.VIDEO
    if not allowed:
        raise PermissionDenied
    _completion, created = services.mark_completed(
        request.user, activity, source="video" if activity.kind == "video" else "learner"
    )
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"completed": True, "created": created})
    messages.success(request, _("Activité marquée comme terminée."))
    data = services.outline(request.user, activity.module.programme)
    if data["next"]:
        return redirect("learning:activity", uuid=data["next"]["activity"].uuid)
    return redirect("learning:programme", slug=activity.module.programme.slug)


# --- trainers and staff ---------------------------------------------------------------------


def editor_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_editor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@editor_required
def staff_programmes(request):
    programmes = Programme.objects.annotate(
        module_count=Count("modules", distinct=True),
        activity_count=Count("modules__activities", distinct=True),
    ).order_by("title")
    return render(request, "learning/staff/programmes.html", {"programmes": programmes})


@editor_required
def staff_programme(request, slug):
    programme = get_object_or_404(Programme, slug=slug)
    modules = list(
        Module.objects.filter(programme=programme)
        .prefetch_related("activities")
        .order_by("position", "id")
    )
    versions = ProgrammeVersion.objects.filter(programme=programme).select_related("published_by")[
        :10
    ]
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.publish_version(
                programme, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("Version %(n)s publiée : les apprenants la voient.") % {"n": version.number},
            )
        return redirect("learning:staff_programme", slug=slug)
    return render(
        request,
        "learning/staff/programme.html",
        {
            "programme": programme,
            "modules": modules,
            "versions": versions,
            "form": form,
            "kinds": kinds,
        },
    )


@editor_required
def staff_module(request, slug=None, uuid=None):
    if uuid:
        module = get_object_or_404(Module.objects.select_related("programme"), uuid=uuid)
    else:
        module = Module(programme=get_object_or_404(Programme, slug=slug))
    form = ModuleForm(request.POST or None, instance=module)
    if request.method == "POST" and form.is_valid():
        services.save_module(form.save(commit=False), by=request.user)
        messages.success(request, _("Module enregistré."))
        return redirect("learning:staff_programme", slug=module.programme.slug)
    return render(
        request,
        "learning/staff/form.html",
        {"form": form, "programme": module.programme, "object": module, "what": "module"},
    )


@editor_required
def staff_activity(request, module_uuid=None, uuid=None):
    if uuid:
        activity = get_object_or_404(
            Activity.objects.select_related("module__programme"), uuid=uuid
        )
    else:
        module = get_object_or_404(Module.objects.select_related("programme"), uuid=module_uuid)
        activity = Activity(module=module, kind=request.GET.get("type") or Activity.Kind.PAGE)
    form = ActivityForm(request.POST or None, request.FILES or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_activity(
                form.save(commit=False), by=request.user, upload=form.cleaned_data.get("upload")
            )
        except ValidationError as error:
            form.add_error("upload", error)
        else:
            messages.success(request, _("Activité enregistrée."))
            return redirect("learning:staff_programme", slug=activity.module.programme.slug)
    handler = kinds.get(activity.kind) if activity.pk else None
    return render(
        request,
        "learning/staff/form.html",
        {
            "form": form,
            "programme": activity.module.programme,
            "object": activity,
            "what": "activity",
            "multipart": True,
            "staff_url": handler.staff_url(activity) if handler and handler.staff_url else None,
        },
    )


@require_POST
@editor_required
def staff_move(request, what, uuid, direction):
    model = Module if what == "module" else Activity
    obj = get_object_or_404(model, uuid=uuid)
    services.move(obj, 1 if direction == "bas" else -1, by=request.user)
    programme = obj.programme if isinstance(obj, Module) else obj.module.programme
    return redirect("learning:staff_programme", slug=programme.slug)


@require_POST
@editor_required
def staff_delete(request, what, uuid):
    if what == "module":
        obj = get_object_or_404(Module.objects.select_related("programme"), uuid=uuid)
        slug = obj.programme.slug
        outcome = services.delete_module(obj, by=request.user)
    else:
        obj = get_object_or_404(Activity.objects.select_related("module__programme"), uuid=uuid)
        slug = obj.module.programme.slug
        outcome = services.delete_activity(obj, by=request.user)
    if outcome == "deleted":
        messages.success(request, _("Supprimé."))
    else:
        messages.warning(
            request,
            _(
                "Déjà publié aux apprenants : retiré du parcours à la prochaine version (publiez "
                "pour l'appliquer). Les durées annoncées et les traces des apprenants sont "
                "conservées."
            ),
        )
    return redirect("learning:staff_programme", slug=slug)


@require_POST
@editor_required
def staff_restore(request, uuid):
    activity = get_object_or_404(Activity.objects.select_related("module__programme"), uuid=uuid)
    services.restore_activity(activity, by=request.user)
    messages.success(request, _("Activité rétablie ; publiez une version pour l'appliquer."))
    return redirect("learning:staff_programme", slug=activity.module.programme.slug)
