"""Scale of the enrolment back office (issue 3): 100,000 enrolments.

Usage: .venv/bin/python bench/enrolment_dashboard.py [count]
Runs on a throw-away SQLite database: creates `count` (default 100,000) learners, each with a
confirmed pre-registration and an enrolment (a share with queued or failed activation emails),
then prints the server time (median of 7 requests, after one warm-up, through Django's full
middleware stack) of the staff lists and the dashboard, with their query counts, and the time
to render an agreement PDF and to seal a signed one. Goals: pages < 300 ms, PDF < 0.5 s.
"""

import os
import statistics
import sys
import tempfile
import time

# ENROLMENT_BENCH_DIR keeps the populated database between runs (populating takes minutes).
os.environ["ILMIS_VAR_DIR"] = os.environ.get("ENROLMENT_BENCH_DIR") or tempfile.mkdtemp(
    prefix="ilmis-bench-"
)
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilmis.settings")
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["HUEY_IMMEDIATE"] = "1"

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def populate(count):
    from ilmis.accounts.models import User
    from ilmis.catalog.models import Session
    from ilmis.enrolment.models import Enrolment, PreRegistration
    from ilmis.enrolment.testing import make_programme
    from ilmis.notifications.models import OutgoingEmail

    now = timezone.now()
    today = timezone.localdate()
    sessions = []
    for index in range(20):
        programme = make_programme(title=f"Programme {index}")
        sessions.append(
            Session.objects.create(
                programme=programme,
                code=f"bench-{index}",
                start_date=today - timedelta(days=10),
                end_date=today + timedelta(days=80),
                capacity=count,
            )
        )
    batch = 5000
    for start in range(0, count, batch):
        stop = min(count, start + batch)
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(
                        email=f"learner{i}@bench.test",
                        first_name=f"P{i}",
                        last_name=f"N{i}",
                        password="!",
                        role="learner",
                    )
                    for i in range(start, stop)
                ]
            )
            emails = OutgoingEmail.objects.bulk_create(
                [
                    OutgoingEmail(
                        from_email="x@bench.test",
                        to=[u.email],
                        subject="Activation",
                        body=".",
                        status=("failed" if i % 97 == 0 else "queued" if i % 13 == 0 else "sent"),
                    )
                    for i, u in zip(range(start, stop), users, strict=True)
                ]
            )
            preregs = PreRegistration.objects.bulk_create(
                [
                    PreRegistration(
                        session=sessions[i % 20],
                        kind="person",
                        first_name=u.first_name,
                        last_name=u.last_name,
                        email=u.email,
                        phone="0600000000",
                        address="Paris",
                        funder="self",
                        status=("confirmed" if i % 10 else ("new" if i % 20 else "sent")),
                        created_at=now - timedelta(days=i % 30),
                        sent_at=now - timedelta(days=i % 30),
                        sign_deadline=now + timedelta(days=15 - i % 30),
                        confirmed_at=(now - timedelta(hours=i % 200)) if i % 10 else None,
                    )
                    for i, u in zip(range(start, stop), users, strict=True)
                ]
            )
            Enrolment.objects.bulk_create(
                [
                    Enrolment(
                        learner=u,
                        session=sessions[i % 20],
                        preregistration=p,
                        access_start=now - timedelta(days=1),
                        access_end=now + timedelta(days=90),
                        confirmed_at=now - timedelta(hours=(i % 200)),
                        invitation=e,
                    )
                    for i, u, p, e in zip(range(start, stop), users, preregs, emails, strict=True)
                ]
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed_get(client, path, runs=7):
    client.get(path)  # warm-up
    samples = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples) * 1000, len(queries)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from ilmis.core.management.commands.demo import Command

    Command().load()  # the demo accounts (other apps' demo content is not needed here)
    from ilmis.accounts.models import User
    from ilmis.enrolment.models import Enrolment

    if Enrolment.objects.count() < count:
        started = time.perf_counter()
        populate(count)
        print(f"populated {count:,} enrolments in {time.perf_counter() - started:.0f} s")
    print(f"{Enrolment.objects.count():,} enrolments")
    staff = User.objects.get(email="equipe@demo.ilmis.fr")
    from ilmis.legal import services as legal

    legal.accept(staff, legal.current_version())
    client = Client()
    client.force_login(staff)
    from django.test import RequestFactory

    from ilmis.enrolment import dashboard

    over = False
    print(f"{'page':<52} {'median ms':>10} {'queries':>8}")
    for path in [
        "/inscription/equipe/",
        "/inscription/equipe/?etat=new",
        "/inscription/equipe/?etat=lapsed",
        "/inscription/equipe/?page=1000",
        "/inscription/equipe/?q=learner99999",
        "/inscription/equipe/inscriptions/",
        "/inscription/equipe/inscriptions/?page=1500",
        "/inscription/equipe/identifiants/",
        "/formations/",
    ]:
        ms, queries = timed_get(client, path)
        over |= ms > 300
        print(f"{path:<52} {ms:>10.1f} {queries:>8}")
    request = RequestFactory().get("/")
    request.user = staff
    samples = []
    for _ in range(7):
        started = time.perf_counter()
        panels = dashboard.panels(request)
        list(panels[0]["enrolment_new"])
        samples.append(time.perf_counter() - started)
    ms = statistics.median(samples) * 1000
    over |= ms > 300
    print(f"{'dashboard panel (enrolment)':<52} {ms:>10.1f}")

    from ilmis.enrolment import pdf
    from ilmis.enrolment.demo import sample_preregistration
    from ilmis.enrolment.services import current_template

    pdf.ensure_demo_certificate()  # generated once, on first use
    prereg = sample_preregistration()
    prereg.funding_amount = Decimal("890")
    for kind, prereg.kind in (("convention", "company"), ("contract", "person")):
        body = current_template(kind).body
        pdf.render_agreement(body, pdf.agreement_context(prereg))  # fonts warm-up
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            data = pdf.render_agreement(body, pdf.agreement_context(prereg))
            samples.append(time.perf_counter() - started)
        render = statistics.median(samples)
        pdf.seal(data, reason="bench")  # pyHanko's imports and key loading warm-up
        seals = []
        for _ in range(3):
            started = time.perf_counter()
            pdf.seal(data, reason="bench")
            seals.append(time.perf_counter() - started)
        seal = statistics.median(seals)
        over |= render > 0.5
        print(
            f"agreement PDF ({kind}): render {render * 1000:.0f} ms, seal {seal * 1000:.0f} ms,"
            f" {len(data) // 1024} KB"
        )
    print("OVER BUDGET" if over else "all within budget (pages < 300 ms, PDF < 500 ms)")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
