"""Support desk at scale (issue 6, R5.7).

Usage: .venv/bin/python bench/support_queue.py [open_incidents] [resolved_incidents]
Runs on a throw-away SQLite database: creates open (default 1,000) and resolved (default 20,000)
incidents spread over a year, then prints the cost of one SLA computation (72 working hours,
French holidays), the server time (median of 7, full middleware stack) and query count of the
desk queue and of a learner's incident page, and the time of the 12-month figures page.
Goals: sla_due < 0.5 ms; queue of 1,000 open incidents < 500 ms with constant queries;
figures over 20,000 incidents < 2 s.
"""

import os
import random
import statistics
import sys
import tempfile
import time

os.environ["ILMIS_VAR_DIR"] = tempfile.mkdtemp(prefix="ilmis-bench-")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilmis.settings")
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["ILMIS_REQUIRE_STAFF_MFA"] = "0"

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def page(client, url):
    client.get(url)
    times = []
    for _ in range(7):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000, len(queries.captured_queries)


def main(open_count, resolved_count):
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from ilmis.accounts.models import User
    from ilmis.legal import services as legal
    from ilmis.support import workcalendar
    from ilmis.support.models import Incident

    version = legal.current_version() or legal.publish(title="Conditions", body="# C")
    learner = User.objects.create(email="learner@example.test", role="learner", password="!")
    staff = User.objects.create(email="staff@example.test", role="staff", password="!")
    for user in (learner, staff):
        legal.accept(user, version)

    calendar = workcalendar.from_settings()
    now = timezone.now()
    rng = random.Random(6)
    moments = [now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60)) for _ in range(2000)]
    start = time.perf_counter()
    for moment in moments:
        workcalendar.sla_due(moment, calendar)
    per_call = (time.perf_counter() - start) / len(moments) * 1000
    print(f"sla_due (72 working hours): {per_call:.3f} ms per call")

    rows = []
    for n in range(open_count + resolved_count):
        reported = (
            now - timedelta(minutes=rng.randrange(0, 5 * 24 * 60))
            if n < open_count
            else now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        )
        due = calendar.add_working_hours(reported, 72)
        resolved = None
        if n >= open_count:
            resolved = reported + timedelta(hours=rng.randrange(1, 120))
        rows.append(
            Incident(
                reporter=learner,
                summary=f"Incident {n}",
                happened_at=reported,
                reported_at=reported,
                due_at=due,
                status="resolved" if resolved else "open",
                resolved_at=resolved,
            )
        )
    Incident.objects.bulk_create(rows, batch_size=2000)

    client = Client()
    client.force_login(staff)
    ms, queries = page(client, "/assistance/equipe/")
    print(f"desk queue, {open_count} open incidents: {ms:.0f} ms, {queries} queries")
    ms, queries = page(client, "/assistance/equipe/?filtre=at_risk")
    print(f"desk queue, at risk filter: {ms:.0f} ms, {queries} queries")
    ms, queries = page(client, "/assistance/equipe/chiffres/")
    print(
        f"monthly figures, {open_count + resolved_count} incidents: {ms:.0f} ms, {queries} queries"
    )
    learner_client = Client()
    learner_client.force_login(learner)
    incident = Incident.objects.filter(status="open").first()
    ms, queries = page(learner_client, f"/assistance/incidents/{incident.pk}/")
    print(f"learner incident page: {ms:.0f} ms, {queries} queries")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [1000, 20000][len(args) :]))
