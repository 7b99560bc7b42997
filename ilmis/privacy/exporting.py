"""The archive of a person's data (R7.2, access and portability): JSON and CSV per kind of
record, their own files, a manifest and a French README, in one zip."""

import csv
import hashlib
import io
import json
import logging
import os
import tempfile
import zipfile

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import registry

logger = logging.getLogger(__name__)

# Never exported whatever the declarations say: secrets.
SECRET_WORDS = ("password", "token", "secret", "otp", "session_key")


def _is_secret(name):
    return any(word in name for word in SECRET_WORDS)


def file_entry(declaration, obj, field_name):
    value = getattr(obj, field_name)
    if not value:
        return ""
    base = os.path.basename(value.name)
    return f"fichiers/{declaration.model.lower()}/{obj.pk}-{field_name}-{base}"


def export_row(declaration, obj, user):
    """One record as the person may see it: their data, ids for links, nothing of others."""
    if declaration.row is not None:
        return declaration.row(obj, user)
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    skip = set(declaration.hidden) | set(declaration.others)
    row = {}
    for model_field in obj._meta.concrete_fields:
        name = model_field.name
        if name in skip or _is_secret(name):
            continue
        if model_field.is_relation:
            value = getattr(obj, model_field.attname)
            if model_field.related_model is user_model:
                if value == user.pk:
                    row[name] = "vous"
                continue
            row[model_field.attname] = value
            continue
        if isinstance(model_field, models.FileField):
            row[name] = file_entry(declaration, obj, name)
            continue
        row[name] = getattr(obj, model_field.attname)
    return row


def _csv_text(rows):
    buffer = io.StringIO()
    columns = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        cells = []
        for key in columns:
            value = row.get(key)
            if value is None:
                cells.append("")
            elif isinstance(value, dict | list):
                cells.append(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))
            elif hasattr(value, "isoformat"):
                cells.append(value.isoformat())
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return "\ufeff" + buffer.getvalue()  # BOM: spreadsheet software reads UTF-8


def collect(user, on_step=None):
    """[(declaration, rows, files)] for every declaration: what the archive holds."""
    collected = []
    for index, declaration in enumerate(registry.declarations(), start=1):
        objects = list(declaration.records_of(user).order_by("pk"))
        rows = [export_row(declaration, obj, user) for obj in objects]
        files = []
        for obj in objects:
            for name in declaration.files:
                if name in declaration.hidden:
                    continue
                entry = file_entry(declaration, obj, name)
                if entry:
                    files.append((entry, getattr(obj, name)))
        collected.append((declaration, rows, files))
        if on_step:
            on_step(index)
    return collected


def write_zip(user, target, on_step=None):
    """Write the archive of `user` into the open binary file `target`; return the manifest."""
    now = timezone.now()
    manifest = {
        "generated_at": now.isoformat(),
        "organisation": settings.ORGANISATION["legal_name"],
        "user_id": user.pk,
        "kinds": [],
        "missing_files": [],
    }
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for declaration, rows, files in collect(user, on_step):
            stem = f"donnees/{declaration.model.lower()}"
            archive.writestr(
                f"{stem}.json",
                json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
            )
            archive.writestr(f"{stem}.csv", _csv_text(rows))
            written = 0
            for entry, field_file in files:
                try:
                    with field_file.open("rb") as handle:
                        archive.writestr(entry, handle.read())
                    written += 1
                except (FileNotFoundError, OSError):
                    manifest["missing_files"].append(entry)
            with translation.override(settings.LANGUAGE_CODE):
                manifest["kinds"].append(
                    {
                        "model": declaration.model,
                        "label": str(declaration.verbose_name),
                        "count": len(rows),
                        "files": written,
                        "json": f"{stem}.json",
                        "csv": f"{stem}.csv",
                        "legal_basis": str(declaration.legal_basis),
                        "on_erasure": declaration.on_erasure,
                    }
                )
        archive.writestr(
            "manifest.json",
            json.dumps(manifest, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
        )
        with translation.override(user.language or settings.LANGUAGE_CODE):
            archive.writestr(
                "LISEZMOI.txt",
                render_to_string(
                    "privacy/export_readme.txt",
                    {"manifest": manifest, "organisation": settings.ORGANISATION, "now": now},
                ),
            )
    return manifest


def build(export):
    """Build the archive of `export` (run by the queue); progress is saved as it goes."""
    from .models import DataExport

    export.status = DataExport.Status.RUNNING
    export.steps_total = len(registry.declarations())
    export.steps_done = 0
    export.save(update_fields=["status", "steps_total", "steps_done"])

    def on_step(done):
        DataExport.objects.filter(pk=export.pk).update(steps_done=done)

    try:
        with tempfile.TemporaryFile() as handle:
            manifest = write_zip(export.user, handle, on_step)
            handle.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: handle.read(65536), b""):
                digest.update(chunk)
            size = handle.tell()
            handle.seek(0)
            export.file.save("export.zip", File(handle), save=False)
    except Exception as error:  # the person sees a failure, staff see why in the log
        logger.exception("Export %s failed", export.pk)
        export.status = DataExport.Status.FAILED
        export.error = f"{type(error).__name__}: {error}"[:2000]
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        return export
    export.status = DataExport.Status.READY
    export.size = size
    export.sha256 = digest.hexdigest()
    export.manifest = manifest
    export.steps_done = export.steps_total
    export.finished_at = timezone.now()
    export.save(
        update_fields=[
            "status",
            "size",
            "sha256",
            "manifest",
            "steps_done",
            "finished_at",
            "file",
        ]
    )
    return export
