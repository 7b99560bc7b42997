"""Scale of live classes (issue 9): a session of many learners.

Usage: .venv/bin/python bench/classes_scale.py [learners]
Runs on a throw-away SQLite database: one session with `learners` (default 200) confirmed
learners, then prints: the time and query count to schedule a class (one email with its .ics per
learner, written to the outbox in the same transaction) and to update it; the server time
(median of 7, through the full middleware stack) and query count of the trainer's attendance
sheet page, the learner's class page and the calendar feed (50 classes); the PDF sheet render
time. Goals: scheduling 200 learners < 3 s, pages < 300 ms with constant queries, PDF < 2 s.
"""

import os
import statistics
import sys
import tempfile
import time

os.environ["ILMIS_VAR_DIR"] = tempfile.mkdtemp(prefix="ilmis-bench-")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilmis.settings")
os.environ["ALLOWED_HOSTS"] = "testserver"
for name in ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET", "ORGANIZER"):
    os.environ.pop(f"ILMIS_GRAPH_{name}", None)

import django  # noqa: E402

django.setup()

from datetime import datetime, timedelta  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_bench%40thread.v2/0"


def timed(fn):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    return result, elapsed, len(queries.captured_queries)


def page(client, url):
    client.get(url)
    times = []
    for _ in range(7):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(queries.captured_queries)


def main(count):
    import logging

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from ilmis.accounts.models import User
    from ilmis.classes import pdf, services
    from ilmis.classes.models import PARIS, Attendance
    from ilmis.enrolment.models import Enrolment
    from ilmis.enrolment.testing import make_session
    from ilmis.legal import services as legal

    version = legal.current_version() or legal.publish(title="Conditions", body="# C")
    session = make_session(title="Session de mesure")
    now = timezone.now()
    users = User.objects.bulk_create(
        User(
            email=f"bench{n}@example.test",
            first_name=f"Prénom{n}",
            last_name=f"Nom{n}",
            role="learner",
            password="!",
        )
        for n in range(count)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            learner=u,
            session=session,
            access_start=now - timedelta(days=1),
            access_end=now + timedelta(days=90),
        )
        for u in users
    )
    trainer = User.objects.create(
        email="formateur@example.test",
        first_name="Claire",
        last_name="Fournier",
        role="trainer",
        password="!",
    )
    for user in (trainer, users[0]):
        legal.accept(user, version)

    day = timezone.localdate() + timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=PARIS)
    live_class, elapsed, queries = timed(
        lambda: services.schedule(
            session=session,
            title="Classe de mesure",
            start=start,
            end=start + timedelta(hours=5),
            trainer=trainer,
            join_url=TEAMS,
            by=trainer,
        )
    )
    print(
        f"schedule, {count} learners: {elapsed * 1000:.0f} ms, {queries} queries "
        f"({count + 1} emails with .ics)"
    )
    _r, elapsed, queries = timed(
        lambda: services.update(
            live_class,
            title="Classe de mesure (modifiée)",
            start=start,
            end=start + timedelta(hours=6),
            trainer=trainer,
            join_url=TEAMS,
            by=trainer,
        )
    )
    live_class.refresh_from_db()
    print(f"update, {count} learners: {elapsed * 1000:.0f} ms, {queries} queries")
    from ilmis.classes import ics

    size = len(ics.invitation(live_class, attendee=users[0]))
    print(f".ics size: {size} bytes")

    Attendance.objects.bulk_create(
        Attendance(
            live_class=live_class, learner=u, slot=slot, signed_at=start, signed_ip="192.0.2.1"
        )
        for u in users
        for slot in ("am", "pm")
    )
    for n in range(49):
        other = start + timedelta(days=n + 2)
        services.schedule(
            session=make_session(),
            title=f"Autre {n}",
            start=other,
            end=other + timedelta(hours=1),
            trainer=trainer,
            join_url=TEAMS,
            by=trainer,
        )
    client = Client()
    client.force_login(trainer)
    ms, q = page(client, f"/classes/{live_class.pk}/emargement/")
    print(f"attendance sheet page, {count} learners: {ms * 1000:.0f} ms, {q} queries")
    client.force_login(users[0])
    ms, q = page(client, f"/classes/{live_class.pk}/")
    print(f"learner class page: {ms * 1000:.0f} ms, {q} queries")
    feed = services.regenerate_feed(trainer)
    client.logout()
    ms, q = page(client, f"/classes/calendrier/{feed.token}.ics")
    print(f"calendar feed, 50 classes: {ms * 1000:.0f} ms, {q} queries")
    data, elapsed, q = timed(lambda: pdf.attendance_sheet(live_class))
    print(f"PDF sheet, {count} learners: {elapsed * 1000:.0f} ms, {len(data) // 1024} KB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
