"""Certificates for a session of 1,000 learners (issue 8, R11.6). Target: < 60 s.

Usage: .venv/bin/python bench/tracking_certificates.py [learners]
A throw-away SQLite database; one session of `learners` (default 1000), each with part of the
20 activities completed and an hour of beats. Runs the same job the staff button starts
(documents.run_job: certificat de réalisation and attestation for every learner, in a zip) and
prints the time, the zip size and a spot check of one certificate read back with pypdf.
"""

import io
import logging
import os
import sys
import time
import uuid
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tracking_setup import bulk_learners, programme_with_content, setup


def main():
    setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    from datetime import timedelta

    from django.utils import timezone
    from pypdf import PdfReader

    from ilmis.learning.models import Activity, ActivityCompletion
    from ilmis.tracking import documents
    from ilmis.tracking.models import Beat, Job

    N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    programme, session = programme_with_content()
    learners = bulk_learners(N, session)
    activities = list(Activity.objects.filter(module__programme=programme))
    now = timezone.now()
    ActivityCompletion.objects.bulk_create(
        [
            ActivityCompletion(user=u, activity=a, completed_at=now - timedelta(days=3))
            for i, u in enumerate(learners)
            for a in activities[: 5 + i % 16]
        ],
        batch_size=5000,
    )
    beats = []
    for u in learners:
        tab = uuid.uuid4()
        start = now - timedelta(days=2)
        beats += [
            Beat(
                learner=u,
                activity=activities[0],
                tab=tab,
                seq=n,
                at=start + timedelta(seconds=30 * n),
            )
            for n in range(120)
        ]
    Beat.objects.bulk_create(beats, batch_size=10000)
    staff = type(learners[0]).objects.create(email="staff@bench.test", role="staff")
    print(f"{N} learners, {len(beats)} beats")

    job = Job.objects.create(kind=Job.Kind.CERTIFICATES, session=session, created_by=staff)
    start = time.perf_counter()
    documents.run_job(job.pk)
    elapsed = time.perf_counter() - start
    job.refresh_from_db()
    archive = zipfile.ZipFile(job.file.path)
    names = archive.namelist()
    sample = next(n for n in names if "realisation" in n)
    text = " ".join(PdfReader(io.BytesIO(archive.read(sample))).pages[0].extract_text().split())
    print(
        f"job {job.status}: {len(names)} PDFs in {elapsed:.1f} s "
        f"({elapsed / max(N, 1) * 1000:.0f} ms per learner), "
        f"zip {os.path.getsize(job.file.path) // 1024} KB"
    )
    print(
        "spot check:", sample, "—", "OK" if "CERTIFICAT DE RÉALISATION" in text else "MISSING TEXT"
    )
    print("target < 60 s:", "OK" if elapsed < 60 else "MISSED")
    # The machine is shared: also measure the CPU cost of one chunk, in this process, to tell
    # what an idle machine with the same cores would take.
    from ilmis.tracking import pdf, services

    chunk = list(documents.session_enrolments(session)[: documents.CHUNK])
    contexts = [pdf.certificate_context(row) for row in services.progress_for(chunk)]
    cpu = time.process_time()
    for kind in documents.KINDS:
        pdf.render_many(documents.current_template(kind).body, contexts)
    per_doc = (time.process_time() - cpu) / (2 * len(chunk))
    workers = documents.pdf_workers()
    print(
        f"CPU per document: {per_doc * 1000:.0f} ms → {2 * N * per_doc / workers:.0f} s "
        f"on {workers} idle cores; load average now {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
