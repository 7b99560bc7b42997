"""Helpers for any app's tests: content for a programme, published for learners.

from ilmis.learning.testing import add_module, add_activity, publish, pdf_upload
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from .files import text_pdf
from .models import Activity, Module
from .services import publish_version, save_activity


def pdf_bytes(pages=3, prefix="Page"):
    return text_pdf([[f"{prefix} {n}", "Contenu de test."] for n in range(1, pages + 1)])


def pdf_upload(pages=3, name="support de cours.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(pages), content_type="application/pdf")


def video_bytes(size=1000):
    """Bytes that start like an MP4 file (ftyp box), then a predictable pattern."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    body = bytes(i % 251 for i in range(size - len(head)))
    return head + body


def add_module(programme, title="Module", **fields):
    position = Module.objects.filter(programme=programme).count() + 1
    return Module.objects.create(programme=programme, title=title, position=position, **fields)


def add_activity(module, kind="page", title=None, *, minutes=10, body="", upload=None, by=None):
    activity = Activity(
        module=module,
        kind=kind,
        title=title or f"Activité {kind}",
        duration_minutes=minutes,
        body=body or ("<p>Contenu</p>" if kind == "page" else ""),
    )
    return save_activity(activity, by=by, upload=upload)


def publish(programme, by=None):
    programme.__dict__.pop("_learning_current_version", None)
    return publish_version(programme, by=by)
