"""Evidence file of a learner with a year of activity (issue 8, R11.4). Target: < 2 s.

Usage: .venv/bin/python bench/tracking_evidence.py
A throw-away SQLite database; one learner with a year of work: ~250 days × 1.5 h of beats
(every 30 s), a login and a logout per day, 20 completed activities, 60 tutor messages. Prints the
time of the data gathering, the CSV and the PDF (median of 3) and the PDF's page count.
"""

import os
import statistics
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tracking_setup import bulk_learners, programme_with_content, setup  # noqa: E402

setup()

import logging  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

from datetime import timedelta  # noqa: E402

from django.utils import timezone  # noqa: E402

from ilmis.learning.models import Activity, ActivityCompletion  # noqa: E402
from ilmis.tracking import documents, pdf, services  # noqa: E402
from ilmis.tracking.models import Beat, Connection, Message, Thread  # noqa: E402

programme, session = programme_with_content()
[learner] = bulk_learners(1, session)
enrolment = learner.enrolments.get()
activities = list(Activity.objects.filter(module__programme=programme))
start = timezone.now() - timedelta(days=365)
beats, connections = [], []
for day in range(365):
    if day % 7 in (5, 6) and day % 3:  # most weekends off: ~250 working days
        continue
    morning = start + timedelta(days=day, hours=9)
    tab = uuid.uuid4()
    activity = activities[day % len(activities)]
    connections.append(Connection(user=learner, kind="login", at=morning, ip="192.0.2.10"))
    for n in range(180):  # 1.5 h of beats every 30 s
        beats.append(
            Beat(
                learner=learner,
                activity=activity,
                tab=tab,
                seq=n,
                at=morning + timedelta(seconds=30 * n),
            )
        )
    connections.append(
        Connection(user=learner, kind="logout", at=morning + timedelta(hours=2), ip="192.0.2.10")
    )
Beat.objects.bulk_create(beats, batch_size=5000)
Connection.objects.bulk_create(connections)
ActivityCompletion.objects.bulk_create(
    [
        ActivityCompletion(user=learner, activity=a, completed_at=start + timedelta(days=15 * i))
        for i, a in enumerate(activities)
    ]
)
thread = Thread.objects.create(learner=learner, programme=programme)
Message.objects.bulk_create(
    [
        Message(
            thread=thread,
            author=learner,
            from_learner=True,
            body=f"Question {i}",
            created_at=start + timedelta(days=6 * i),
        )
        for i in range(60)
    ]
)
print(f"beats: {len(beats)}, connections: {len(connections)}, activities: {len(activities)}")


def timed(fn):
    times, result = [], None
    for _ in range(3):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return result, statistics.median(times)


data, t_data = timed(lambda: services.evidence(enrolment))
_csv, t_csv = timed(lambda: documents.evidence_csv(services.evidence(enrolment)))
pdf_bytes, t_pdf = timed(lambda: pdf.evidence_pdf(services.evidence(enrolment)))
import io  # noqa: E402

from pypdf import PdfReader  # noqa: E402

pages = len(PdfReader(io.BytesIO(pdf_bytes)).pages)
print(f"active time: {data['progress']['active_hm']} over {len(data['days'])} days")
print(
    f"data: {t_data * 1000:.0f} ms · CSV (incl. data): {t_csv * 1000:.0f} ms · "
    f"PDF (incl. data): {t_pdf * 1000:.0f} ms, {pages} pages, {len(pdf_bytes) // 1024} KB"
)
print("target < 2 s per format:", "OK" if max(t_csv, t_pdf) < 2 else "MISSED")
