"""R1.2, R6.1, R6.4: weight and query counts of the learning and exercises pages.

Usage: .venv/bin/python bench/learning_pages.py
Runs on a throw-away SQLite database with the demo accounts and the demo programme's content;
prints, for each learner and trainer page, the brotli-compressed bytes of a first visit (HTML and
its CSS/JS) and the SQL queries; then the same pages after the programme has grown to 60
activities and 40 learners (query counts must not change); then the time to stamp a 20-page PDF.
Exit 1 if a learner page is over the 150 KB budget.
"""

import os
import re
import sys
import tempfile
import time

os.environ["ILMIS_VAR_DIR"] = tempfile.mkdtemp(prefix="ilmis-bench-")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilmis.settings")
os.environ["ALLOWED_HOSTS"] = "testserver"

import brotli  # noqa: E402
import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

BUDGET = 150 * 1024
ASSET = re.compile(r'(?:href|src)="(/static/[^"?#]+)"')


def compressed(data: bytes) -> int:
    return len(brotli.compress(data, quality=11))


def setup():
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from ilmis.core.management.commands.demo import Command
    from ilmis.enrolment import demo as enrolment_demo
    from ilmis.learning import demo as learning_demo

    Command().load()  # accounts and terms only: other apps' demos are not needed here
    enrolment_demo.load_demo()
    learning_demo.load_demo()


def login(email):
    from ilmis.accounts.models import User
    from ilmis.legal import services as legal

    user = User.objects.get(email=email)
    legal.accept(user, legal.current_version())
    client = Client()
    client.force_login(user)
    client.get("/")  # the first request records the session (not part of a page's cost)
    return client, user


def pages():
    from ilmis.catalog.models import Programme
    from ilmis.enrolment.demo import DEMO_SLUG
    from ilmis.exercises.models import Submission
    from ilmis.learning.models import Activity

    programme = Programme.objects.get(slug=DEMO_SLUG)
    activities = {
        a.kind: a for a in Activity.objects.filter(module__programme=programme).order_by("-id")
    }
    submission = Submission.objects.order_by("-id").first()
    learner = [
        ("/apprendre/", reverse("learning:home")),
        ("programme", reverse("learning:programme", args=[programme.slug])),
        ("page activity", reverse("learning:activity", args=[activities["page"].uuid])),
        ("document activity", reverse("learning:activity", args=[activities["document"].uuid])),
        ("exercise", reverse("exercises:exercise", args=[activities["exercise"].uuid])),
    ]
    trainer = [
        ("correction queue", reverse("exercises:queue")),
        ("content editor", reverse("learning:staff_programme", args=[programme.slug])),
    ]
    if submission:
        trainer.append(("grading page", reverse("exercises:grade", args=[submission.uuid])))
    return learner, trainer


def measure(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    html = response.content
    assets = 0
    for url in sorted(set(ASSET.findall(html.decode()))):
        found = finders.find(url.removeprefix("/static/"))
        if found:
            with open(found, "rb") as handle:
                assets += compressed(handle.read())
    return response.status_code, compressed(html), assets, len(queries)


def table(title, rows, budget=True):
    over = False
    print(f"\n{title}")
    print(f"{'page':<20} {'status':>6} {'html':>7} {'assets':>7} {'total':>7} {'queries':>8}")
    for name, (status, html, assets, queries) in rows:
        total = html + assets
        flag = "  OVER BUDGET" if budget and total > BUDGET else ""
        over |= bool(flag)
        print(f"{name:<20} {status:>6} {html:>7} {assets:>7} {total:>7} {queries:>8}{flag}")
    return over


def grow(activities=60, learners=40):
    from django.utils import timezone

    from ilmis.accounts.models import User
    from ilmis.catalog.models import Programme
    from ilmis.enrolment.demo import DEMO_SLUG
    from ilmis.enrolment.testing import enrol
    from ilmis.exercises import services as exercises
    from ilmis.exercises.models import Exercise
    from ilmis.learning import services
    from ilmis.learning.models import Activity, ActivityCompletion, Module

    programme = Programme.objects.get(slug=DEMO_SLUG)
    staff = User.objects.get(email="equipe@demo.ilmis.fr")
    added = []
    for m in range(activities // 10):
        module = services.save_module(
            Module(programme=programme, title=f"Module {m + 3}"), by=staff
        )
        for a in range(10):
            added.append(
                services.save_activity(
                    Activity(module=module, kind="page", title=f"Page {m}.{a}", body="<p>x</p>"),
                    by=staff,
                )
            )
    services.publish_version(programme, by=staff)
    exercise = Exercise.objects.get(activity__module__programme=programme)
    for n in range(learners):
        user = User.objects.create(
            email=f"bench{n}@example.test", role="learner", first_name="Bench", last_name=str(n)
        )
        enrol(user, programme)
        ActivityCompletion.objects.bulk_create(
            ActivityCompletion(user=user, activity=a, completed_at=timezone.now()) for a in added
        )
        exercises.submit(exercise, user, text=f"Copie {n}")


def main():
    setup()
    from ilmis.accounts.models import User
    from ilmis.exercises import services as exercises
    from ilmis.exercises.models import Exercise

    learner_client, learner = login("apprenant@demo.ilmis.fr")
    trainer_client, _trainer = login("formateur@demo.ilmis.fr")
    exercises.submit(Exercise.objects.get(), learner, text="Ma formule : =RECHERCHEX(...)")
    learner_pages, trainer_pages = pages()
    over = table(
        "Learner pages, demo programme (4 activities); bytes brotli, first visit",
        [(n, measure(learner_client, p)) for n, p in learner_pages],
    )
    table("Trainer pages", [(n, measure(trainer_client, p)) for n, p in trainer_pages], False)

    grow()
    over |= table(
        "Learner pages after growth (64 activities, 40 more learners with completions)",
        [(n, measure(learner_client, p)) for n, p in learner_pages],
    )
    table(
        "Trainer pages after growth (41 copies in the queue)",
        [(n, measure(trainer_client, p)) for n, p in trainer_pages],
        False,
    )

    from ilmis.learning.files import stamp_lines, stamp_pdf, text_pdf

    data = text_pdf([[f"Page {n}", "Contenu"] for n in range(20)])
    start = time.perf_counter()
    stamped = stamp_pdf(
        data,
        stamp_lines(User.objects.get(email="apprenant@demo.ilmis.fr"), django.utils.timezone.now()),
    )
    elapsed = (time.perf_counter() - start) * 1000
    print(
        f"\nstamping a 20-page PDF: {elapsed:.0f} ms ({len(data)} -> {len(stamped)} bytes); "
        "cached per learner, document version and day"
    )
    print(f"budget: {BUDGET} bytes per learner page on first visit")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
