"""Domain rules of the learning app: content editing, versions, completion, progress (R6.1, R11.1).

Other apps call `mark_completed(user, activity, source=…)` when a learner finishes one of their
activities (quiz, SCORM, exercise); it is idempotent.
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from ilmis.audit.services import record

from .models import Activity, ActivityCompletion, Module, ProgrammeVersion

MB = 1024 * 1024


def _max_bytes(name, default_mb):
    return int(getattr(settings, name, default_mb)) * MB


# --- uploads (hostile until proven otherwise) -------------------------------------------------


def check_pdf(uploaded):
    """Refuse anything that is not a readable, unencrypted PDF within the size limit."""
    limit = _max_bytes("ILMIS_LEARNING_MAX_PDF_MB", 50)
    if uploaded.size > limit:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(mb)s Mo.") % {"mb": limit // MB}
        )
    uploaded.seek(0)
    head = uploaded.read(1024)
    if b"%PDF-" not in head[:1024] or not head.lstrip().startswith(b"%PDF-"):
        raise ValidationError(_("Ce fichier n'est pas un PDF."))
    uploaded.seek(0)
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(uploaded.read()))
        if reader.is_encrypted:
            raise ValidationError(
                _("Ce PDF est protégé par un mot de passe : enregistrez-le sans protection.")
            )
        if len(reader.pages) == 0:
            raise ValidationError(_("Ce PDF ne contient aucune page."))
        from .files import stamp_pdf

        uploaded.seek(0)
        stamp_pdf(uploaded.read(), "controle")  # every download is stamped: make sure it can be
    except ValidationError:
        raise
    except Exception as error:  # pypdf raises many kinds of errors on broken files
        raise ValidationError(_("Ce PDF est illisible ou endommagé.")) from error
    finally:
        uploaded.seek(0)
    return "application/pdf"


VIDEO_SIGNATURES = (
    ("video/webm", lambda h: h.startswith(b"\x1a\x45\xdf\xa3")),
    ("video/ogg", lambda h: h.startswith(b"OggS")),
    ("video/mp4", lambda h: h[4:8] == b"ftyp"),
)


def check_video(uploaded):
    limit = _max_bytes("ILMIS_LEARNING_MAX_VIDEO_MB", 500)
    if uploaded.size > limit:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(mb)s Mo.") % {"mb": limit // MB}
        )
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    for content_type, matches in VIDEO_SIGNATURES:
        if matches(head):
            return content_type
    raise ValidationError(_("Vidéo non reconnue : déposez un fichier MP4, WebM ou Ogg."))


def check_upload(kind, uploaded):
    """The content type of an accepted upload for an activity of `kind`, or ValidationError."""
    if kind == Activity.Kind.DOCUMENT:
        return check_pdf(uploaded)
    if kind == Activity.Kind.VIDEO:
        return check_video(uploaded)
    raise ValidationError(_("Ce type d'activité ne reçoit pas de fichier."))


# --- editing --------------------------------------------------------------------------------


def _next_position(queryset):
    return (queryset.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def save_module(module, *, by):
    created = module.pk is None
    if created:
        module.position = _next_position(Module.objects.filter(programme=module.programme))
    module.save()
    record("learning.module_saved", module, actor=by, created=created)
    return module


@transaction.atomic
def save_activity(activity, *, by, upload=None):
    """Save `activity` (and its already-checked `upload`)."""
    created = activity.pk is None
    if created:
        activity.position = _next_position(Activity.objects.filter(module=activity.module))
    if upload is not None:
        old = activity.file.name if activity.file else ""
        activity.content_type = check_upload(activity.kind, upload)
        activity.file_name = (upload.name or "fichier")[-200:]
        activity.file_size = upload.size
        activity.file.save(upload.name or "fichier", upload, save=False)
        if old:
            transaction.on_commit(lambda: activity.file.storage.delete(old))
    activity.save()
    record("learning.activity_saved", activity, actor=by, created=created, kind=activity.kind)
    return activity


def was_announced(activity):
    """True once `activity` appeared in a published version: it can then only be withdrawn."""
    key = str(activity.uuid)
    versions = ProgrammeVersion.objects.filter(programme_id=activity.module.programme_id)
    return any(key in v.activity_uuids for v in versions.only("snapshot"))


@transaction.atomic
def delete_activity(activity, *, by):
    """Delete a draft activity; withdraw (archive) one that learners have seen.

    What was announced and what learners did is kept (R11.1, R11.4): an activity of a published
    version, or with learners' traces, is only marked withdrawn; the next version leaves it out.
    Returns "deleted" or "archived"."""
    if not was_announced(activity):
        name = activity.file.name if activity.file else ""
        storage = activity.file.storage
        try:
            with transaction.atomic():
                record("learning.activity_deleted", activity, actor=by, kind=activity.kind)
                activity.delete()
        except ProtectedError:
            pass
        else:
            if name:
                transaction.on_commit(lambda: storage.delete(name))
            return "deleted"
    if activity.archived_at is None:
        activity.archived_at = timezone.now()
        activity.save(update_fields=["archived_at", "updated_at"])
        record("learning.activity_archived", activity, actor=by, to_state="archived")
    return "archived"


@transaction.atomic
def restore_activity(activity, *, by):
    activity.archived_at = None
    activity.save(update_fields=["archived_at", "updated_at"])
    record("learning.activity_restored", activity, actor=by, from_state="archived")
    return activity


@transaction.atomic
def delete_module(module, *, by):
    """Delete a module whose activities can all be deleted; otherwise withdraw them."""
    outcomes = [delete_activity(a, by=by) for a in module.activities.all()]
    if "archived" in outcomes:
        return "archived"
    record("learning.module_deleted", module, actor=by)
    module.delete()
    return "deleted"


@transaction.atomic
def move(obj, direction, *, by):
    """Move a module or an activity one place up (-1) or down (+1) among its siblings."""
    if isinstance(obj, Module):
        siblings = Module.objects.select_for_update().filter(programme_id=obj.programme_id)
    else:
        siblings = Activity.objects.select_for_update().filter(module_id=obj.module_id)
    ordered = list(siblings.order_by("position", "id"))
    index = next(i for i, item in enumerate(ordered) if item.pk == obj.pk)
    target = index + (1 if direction > 0 else -1)
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            type(item).objects.filter(pk=item.pk).update(position=position)
    record("learning.moved", obj, actor=by, direction=direction)


# --- versions (R11.1) -----------------------------------------------------------------------


def build_snapshot(programme):
    modules = []
    activities = Activity.objects.filter(module__programme=programme, archived_at=None).order_by(
        "module__position", "module_id", "position", "id"
    )
    by_module = {}
    for activity in activities:
        by_module.setdefault(activity.module_id, []).append(
            {
                "uuid": str(activity.uuid),
                "title": activity.title,
                "kind": activity.kind,
                "minutes": activity.duration_minutes,
            }
        )
    for module in Module.objects.filter(programme=programme).order_by("position", "id"):
        modules.append(
            {
                "uuid": str(module.uuid),
                "title": module.title,
                "activities": by_module.get(module.pk, []),
            }
        )
    return {"modules": modules}


@transaction.atomic
def publish_version(programme, *, by, note=""):
    """Publish what learners see: the activities and their announced durations, timestamped."""
    from ilmis.catalog.models import Programme

    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    snapshot = build_snapshot(programme)
    total = sum(a["minutes"] for m in snapshot["modules"] for a in m["activities"])
    if not total:
        raise ValidationError(_("Ajoutez au moins une activité avant de publier."))
    number = (
        ProgrammeVersion.objects.filter(programme=programme).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    version = ProgrammeVersion.objects.create(
        programme=programme,
        number=number,
        snapshot=snapshot,
        total_minutes=total,
        published_at=timezone.now(),
        published_by=by,
        note=note,
    )
    record("learning.version_published", programme, actor=by, to_state=str(number), minutes=total)
    return version


def current_version(programme):
    """The latest published version (what learners see), or None; memoised on the programme."""
    cached = getattr(programme, "_learning_current_version", False)
    if cached is not False:
        return cached
    version = ProgrammeVersion.objects.filter(programme=programme).order_by("-number").first()
    programme._learning_current_version = version
    return version


# --- completion -----------------------------------------------------------------------------


def mark_completed(user, activity, *, source="learner", when=None):
    """Record that `user` completed `activity` (idempotent). Returns (completion, created)."""
    existing = ActivityCompletion.objects.filter(user=user, activity=activity).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            completion = ActivityCompletion.objects.create(
                user=user, activity=activity, completed_at=when or timezone.now(), source=source
            )
            record("learning.completed", activity, actor=user, source=source, kind=activity.kind)
    except IntegrityError:  # a concurrent request recorded it first
        return ActivityCompletion.objects.get(user=user, activity=activity), False
    return completion, True


def outline(user, programme, *, preview=False):
    """The programme as the user sees it: modules, activities, announced minutes, done flags.

    Learners see the current version: its list of activities, their order and the durations
    announced (titles and content are live); editors with `preview` see the live content.
    Three queries whatever the size of the programme."""
    live = {
        str(a.uuid): a
        for a in Activity.objects.filter(module__programme=programme).select_related("module")
    }
    if preview:
        snapshot = build_snapshot(programme)
        version = None
    else:
        version = current_version(programme)
        snapshot = version.snapshot if version else {"modules": []}
    done = set()
    if user.is_authenticated:
        done = {
            str(u)
            for u in ActivityCompletion.objects.filter(
                user=user, activity__module__programme=programme
            ).values_list("activity__uuid", flat=True)
        }
    modules, total, done_count, done_minutes, total_minutes, next_item = [], 0, 0, 0, 0, None
    for module in snapshot["modules"]:
        items = []
        for entry in module["activities"]:
            activity = live.get(entry["uuid"])
            if activity is None:
                continue
            item = {
                "activity": activity,
                "title": activity.title,  # a typo fixed needs no new version
                "kind": entry["kind"],
                "minutes": entry["minutes"],
                "done": entry["uuid"] in done,
            }
            items.append(item)
            total += 1
            total_minutes += entry["minutes"]
            if item["done"]:
                done_count += 1
                done_minutes += entry["minutes"]
            elif next_item is None:
                next_item = item
        if items:
            modules.append({"title": items[0]["activity"].module.title, "items": items})
    percent = round(100 * done_count / total) if total else 0
    return {
        "programme": programme,
        "version": version,
        "modules": modules,
        "total": total,
        "done": done_count,
        "percent": percent,
        "total_minutes": total_minutes,
        "done_minutes": done_minutes,
        "next": next_item,
    }


def announced_minutes(activity):
    """The duration announced for `activity` in its programme's current version (or live)."""
    version = current_version(activity.module.programme)
    if version:
        for module in version.snapshot["modules"]:
            for entry in module["activities"]:
                if entry["uuid"] == str(activity.uuid):
                    return entry["minutes"]
    return activity.duration_minutes


def attach(activity_id, obj):
    """Link an object of another app (a SCORM package, a quiz) to an activity, via kinds."""
    from . import kinds

    activity = Activity.objects.get(pk=activity_id)
    handler = kinds.get(activity.kind)
    if handler is None or handler.attach is None:
        raise ValidationError(
            _("Le type « %(kind)s » n'est pas encore disponible.")
            % {"kind": activity.get_kind_display()}
        )
    handler.attach(activity, obj)
    return activity


def attach_scorm_package(activity_id, package):
    """Called by `ilmis import_scorm --activity ID` (scorm app)."""
    return attach(activity_id, package)
