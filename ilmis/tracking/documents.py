"""Certificates (R11.6), evidence files (R11.4) and the whole-session background jobs."""

import csv
import io
import os
import zipfile
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ilmis.audit.services import record
from ilmis.enrolment.models import Enrolment

from . import pdf, pdfworker, services
from .models import DocumentTemplate, Job

CHUNK = 100
KINDS = [DocumentTemplate.Kind.REALISATION, DocumentTemplate.Kind.ATTESTATION]
FILE_NAMES = {"realisation": "certificat-realisation", "attestation": "attestation-fin-formation"}


def current_template(kind):
    """The latest version; the first is seeded from document_templates/<kind>.html."""
    template = DocumentTemplate.objects.filter(kind=kind).order_by("-version").first()
    if template is None:
        try:
            with transaction.atomic():
                template = DocumentTemplate.objects.create(
                    kind=kind, version=1, body=pdf.seed_text(kind), note=_("modèle initial")
                )
        except IntegrityError:
            template = DocumentTemplate.objects.get(kind=kind, version=1)
    return template


def sample_context():
    from types import SimpleNamespace

    session = SimpleNamespace(
        start_date=date(2026, 1, 5),
        end_date=date(2026, 3, 27),
        place=_("À distance (plateforme en ligne)"),
        programme=SimpleNamespace(
            title=_("Formation exemple"),
            objectives=_("Objectifs de la formation."),
            assessment_methods=_("QCM final."),
            duration_hours=14,
        ),
    )
    learner = SimpleNamespace(
        first_name="Claire",
        last_name="Exemple",
        email="claire@example.test",
        client_id=None,
        client=None,
        get_full_name=lambda: "Claire Exemple",
    )
    enrolment = SimpleNamespace(learner=learner, session=session, preregistration=None)
    row = {
        "enrolment": enrolment,
        "planned_hours": 14,
        "hours": 10.5,
        "hours_not_done": 3.5,
        "rate": 75,
        "active_hm": "11 h 02 min",
        "status": "partial",
        "stopped_at": date(2026, 3, 1),
        "stop_reason": _("raison de santé"),
        "passed": True,
        "evaluation": _("Acquis."),
    }
    return pdf.certificate_context(row, pictures={"logo": "", "signature": "", "stamp": ""})


@transaction.atomic
def save_template(kind, body, *, by, note="", request=None):
    """A staff edit becomes a new version, kept only if it renders on a sample."""
    if kind not in DocumentTemplate.Kind.values:
        raise ValidationError(_("Document inconnu."))
    try:
        pdf.render_fragment(body, sample_context())
    except pdf.TemplateError as error:
        raise ValidationError(str(error)) from error
    last = (
        DocumentTemplate.objects.select_for_update().filter(kind=kind).order_by("-version").first()
    )
    template = DocumentTemplate.objects.create(
        kind=kind,
        version=(last.version if last else 0) + 1,
        body=body,
        note=note,
        created_by=by,
    )
    record("tracking.template_saved", template, actor=by, request=request, kind=kind)
    return template


def session_enrolments(session):
    return (
        Enrolment.objects.filter(session=session, status=Enrolment.Status.CONFIRMED)
        .select_related("learner__client", "session__programme", "preregistration")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )


def _results(row):
    from . import adapters

    enrolment = row["enrolment"]
    return [
        {"title": e["title"], "score": e["score"]}
        for e in adapters.evaluations(enrolment.learner, enrolment.session.programme)
        if e["score"] != ""
    ]


def certificate(enrolment, kind):
    """One learner's document as PDF bytes."""
    row = services.progress(enrolment)
    row["results"] = _results(row) if kind == DocumentTemplate.Kind.ATTESTATION else []
    return pdf.render_pdf(current_template(kind).body, pdf.certificate_context(row))


def file_stem(enrolment):
    learner = enrolment.learner
    name = slugify(f"{learner.last_name} {learner.first_name}") or f"apprenant-{learner.pk}"
    return f"{name}-{enrolment.pk}"


def pdf_workers():
    """Processes used to lay out a whole session's certificates (WeasyPrint is CPU-bound)."""
    default = min(os.cpu_count() or 1, 4)
    return max(1, int(getattr(settings, "ILMIS_PDF_WORKERS", default)))


def session_certificates(session, *, on_progress=None):
    """A zip with both documents for every learner of `session` (R11.6).

    The data is read here (a constant number of queries per chunk of learners); the layout of
    each chunk (one WeasyPrint pass for CHUNK learners) runs in worker processes when there is
    more than one chunk, since WeasyPrint is CPU-bound."""
    enrolments = list(session_enrolments(session))
    templates = {kind: current_template(kind).body for kind in KINDS}
    pictures = pdf.images()
    today = timezone.localdate()
    tasks = []
    for start in range(0, len(enrolments), CHUNK):
        chunk = enrolments[start : start + CHUNK]
        rows = services.progress_for(chunk)
        contexts = [pdf.certificate_context(row, pictures=pictures, today=today) for row in rows]
        for kind in KINDS:
            tasks.append((kind, [file_stem(e) for e in chunk], contexts))
    total_pages = sum(len(stems) for _kind, stems, _contexts in tasks) or 1
    buffer = io.BytesIO()
    done_pages = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:

        def store(kind, stems, pdfs):
            nonlocal done_pages
            for stem, data in zip(stems, pdfs, strict=True):
                archive.writestr(f"{stem}-{FILE_NAMES[kind]}.pdf", data)
            done_pages += len(stems)
            if on_progress:
                on_progress(round(len(enrolments) * done_pages / total_pages), len(enrolments))

        workers = min(pdf_workers(), len(tasks))
        if workers <= 1:
            for kind, stems, contexts in tasks:
                store(kind, stems, pdfworker.render_chunk(templates[kind], contexts))
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("forkserver")
            with ProcessPoolExecutor(
                workers, mp_context=context, initializer=pdfworker.init
            ) as pool:
                futures = [
                    (kind, stems, pool.submit(pdfworker.render_chunk, templates[kind], contexts))
                    for kind, stems, contexts in tasks
                ]
                for kind, stems, future in futures:
                    store(kind, stems, future.result())
    return buffer.getvalue()


def evidence_csv(data):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["section", "date", "element", "detail", "valeur"])
    for row in services.evidence_rows(data):
        writer.writerow([services.csv_safe(cell) for cell in row])
    return "\ufeff" + out.getvalue()


def evidence_zip(data, stem):
    """One learner's evidence file, CSV and PDF together (one click)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.csv", evidence_csv(data))
        archive.writestr(f"{stem}.pdf", pdf.evidence_pdf(data))
    return buffer.getvalue()


def session_evidence(session, *, on_progress=None):
    enrolments = list(session_enrolments(session))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, enrolment in enumerate(enrolments, start=1):
            data = services.evidence(enrolment)
            stem = f"dossier-{file_stem(enrolment)}"
            archive.writestr(f"{stem}.csv", evidence_csv(data))
            archive.writestr(f"{stem}.pdf", pdf.evidence_pdf(data))
            if on_progress:
                on_progress(done, len(enrolments))
    return buffer.getvalue()


def start_job(kind, session, *, by, request=None):
    from .tasks import run_job

    job = Job.objects.create(kind=kind, session=session, created_by=by)
    record("tracking.job_started", session, actor=by, request=request, kind=kind)
    transaction.on_commit(lambda: run_job(job.pk))
    return job


def run_job(job_id):
    job = Job.objects.get(pk=job_id)
    if job.status != Job.Status.PENDING:
        return job
    total = session_enrolments(job.session).count()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, total=total)

    def on_progress(done, total):
        Job.objects.filter(pk=job.pk).update(done=done, total=total)

    try:
        if job.kind == Job.Kind.CERTIFICATES:
            data = session_certificates(job.session, on_progress=on_progress)
        else:
            data = session_evidence(job.session, on_progress=on_progress)
    except Exception as error:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    job.refresh_from_db()
    job.file.save(f"{job.kind}.zip", ContentFile(data), save=False)
    job.status, job.finished_at = Job.Status.DONE, timezone.now()
    job.save(update_fields=["file", "status", "finished_at"])
    return job
