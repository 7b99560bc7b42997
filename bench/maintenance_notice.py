"""Maintenance at scale (issue 6, R5.8).

Usage: .venv/bin/python bench/maintenance_notice.py [users]
Runs on a throw-away SQLite database with the real settings (database cache shared by the
processes): creates `users` (default 5,000) active learners, then prints:
- the time and queries of scheduling a window (the staff request: window and notice rows);
- the time of the notice job (one email per active user written to the outbox in batches of
  500, each with its delivery task queued);
- the server time (median of 15, full middleware stack) and queries of a page with no window,
  with an announced window (banner), and of the 503 page during a window.
Goals: the staff request < 100 ms whatever the number of users; the notice job for 5,000
users < 60 s; the maintenance check adds one cache read per request; the 503 page < 20 ms.
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

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def page(client, url, status):
    client.get(url)
    times = []
    for _ in range(15):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == status, (url, response.status_code)
    return statistics.median(times) * 1000, len(queries.captured_queries)


def main(count):
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from ilmis.accounts.models import User
    from ilmis.legal import services as legal
    from ilmis.maintenance import services
    from ilmis.maintenance.models import MaintenanceWindow
    from ilmis.notifications.models import OutgoingEmail

    version = legal.current_version() or legal.publish(title="Conditions", body="# C")
    User.objects.bulk_create(
        User(
            email=f"bench{n}@example.test",
            role="learner",
            password="!",
            language="en" if n % 10 == 0 else "fr",
        )
        for n in range(count)
    )
    staff = User.objects.create(email="staff@example.test", role="staff", password="!")
    learner = User.objects.get(email="bench1@example.test")
    legal.accept(learner, version)

    client = Client()
    client.force_login(learner)
    ms, queries = page(client, "/", 200)
    print(f"home, no window: {ms:.1f} ms, {queries} queries")

    now = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        window = services.schedule(
            by=staff,
            starts_at=now + timedelta(hours=73),
            ends_at=now + timedelta(hours=75),
            affected="Mise à jour",
        )
        elapsed = time.perf_counter() - start
    print(
        f"schedule (the staff request's work), {count + 1} active users: "
        f"{elapsed * 1000:.0f} ms, {len(captured.captured_queries)} queries"
    )
    from ilmis.maintenance.models import MaintenanceNotice

    notice = MaintenanceNotice.objects.get(window=window)
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        services.send_notice(notice.pk)
        elapsed = time.perf_counter() - start
    emails = OutgoingEmail.objects.count()
    print(
        f"notice job (outbox rows + delivery tasks queued): {elapsed:.2f} s, "
        f"{len(captured.captured_queries)} queries, {emails} emails in the outbox"
    )

    ms, queries = page(client, "/", 200)
    print(f"home, announced window (banner): {ms:.1f} ms, {queries} queries")

    MaintenanceWindow.objects.filter(pk=window.pk).update(
        starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1)
    )
    services.invalidate()
    ms, queries = page(client, "/", 503)
    print(f"maintenance page (503): {ms:.1f} ms, {queries} queries")

    start = time.perf_counter()
    for _ in range(1000):
        services.active_window()
    print(
        f"active_window() through the database cache: "
        f"{(time.perf_counter() - start):.3f} ms per call"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
