"""Quiz autosave under load (issue 4): N learners (default 200) answering at the same time,
against gunicorn, each answer written with its sequence number as the browser does.

Usage: .venv/bin/python bench/quizzes_autosave.py [learners] [answers_per_learner]
Uses DATABASE_URL when it is set (PostgreSQL: the goal's setting), otherwise a throw-away
SQLite database (printed). Starts gunicorn (2 × cores + 1 sync workers, or BENCH_WORKERS) on a
free port, logs every learner in, starts their attempts, then each learner thread sends its
answers with 0–1 s of thinking between them and retries a write that failed (like autosave.js).
Prints: requests, errors, retries, latency p50 / p95 / p99 / max, throughput, and checks in the
database that every last answer was saved (nothing lost).
"""

import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

os.environ["ILMIS_VAR_DIR"] = tempfile.mkdtemp(prefix="ilmis-bench-")
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilmis.settings")
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
os.environ["HUEY_IMMEDIATE"] = "1"
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
os.environ.setdefault("ILMIS_REQUIRE_STAFF_MFA", "0")
os.environ["ILMIS_MAX_SESSIONS_PER_USER"] = "0"

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from ilmis.accounts.models import User  # noqa: E402
from ilmis.core.testing import accept_current_terms  # noqa: E402
from ilmis.legal import services as legal  # noqa: E402
from ilmis.quizzes import attempts, services  # noqa: E402
from ilmis.quizzes.models import AttemptQuestion, Question, Quiz, QuizSlot  # noqa: E402

QUESTIONS = "\n\n".join(
    [f"::TF{i}:: Vrai ou faux {i} ? {{T}}" for i in range(4)]
    + [f"::SC{i}:: Choix {i} ? {{=a ~b ~c ~d}}" for i in range(4)]
    + [f"::SA{i}:: Mot {i} ? {{=mot}}" for i in range(4)]
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(learners):
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    legal.publish(title="Conditions", body="Bench.")
    run = os.urandom(4).hex()  # a DATABASE_URL database may hold earlier runs
    services.import_questions(QUESTIONS.encode(), category=f"Bench {run}")
    from ilmis.enrolment.testing import enrol, make_programme
    from ilmis.learning.testing import add_activity, add_module

    programme = make_programme()
    activity = add_activity(add_module(programme), kind="quiz", title="Bench")
    quiz = Quiz.objects.create(
        title="Bench", time_limit_minutes=60, attempts_allowed=0, activity=activity
    )
    questions = Question.objects.filter(category__path__startswith=f"Bench {run}")
    for position, question in enumerate(questions.order_by("id")):
        QuizSlot.objects.create(quiz=quiz, position=position, question=question)
    users = []
    for n in range(learners):
        user = User.objects.create_user(
            email=f"bench{n}-{run}@example.test",
            password=None,
            first_name="B",
            last_name=str(n),
            role="learner",
        )
        accept_current_terms(user)
        enrol(user, programme)
        users.append(user)
    sessions = []
    for user in users:
        client = Client()
        client.force_login(user)
        attempt = attempts.start_attempt(quiz, user)
        sessions.append((user, attempt, client.cookies["sessionid"].value))
    return quiz, sessions


def response_for(item):
    qtype, layout = item["qtype"], item["layout"]
    if qtype == "truefalse":
        return random.choice([True, False])
    if qtype == "single":
        return random.choice(layout["order"])
    return random.choice(["mot", "Mot", "autre"])


def learner(base, attempt, items, cookie, answers, results, lock):
    """One learner's browser: no database access here (only HTTP), like the real one."""
    http = requests.Session()
    http.cookies.set("sessionid", cookie)
    page = http.get(f"{base}/qcm/tentative/{attempt.pk}/", timeout=60)
    if "csrfmiddlewaretoken" not in page.text:
        print(page.status_code, page.url, page.text[:300])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    sequences = {}
    latencies, errors, retries, last = [], 0, 0, {}
    for _n in range(answers):
        time.sleep(random.random())
        item = random.choice(items)
        sequences[item["question"]] = sequences.get(item["question"], 0) + 1
        body = {
            "question": item["question"],
            "sequence": sequences[item["question"]],
            "response": response_for(item),
        }
        for _try in range(5):
            start = time.perf_counter()
            try:
                reply = http.post(
                    f"{base}/qcm/tentative/{attempt.pk}/reponse/",
                    json=body,
                    headers={"X-CSRFToken": token},
                    timeout=60,
                )
                ok = reply.status_code == 200
            except requests.RequestException:
                ok = False
            latencies.append(time.perf_counter() - start)
            if ok:
                last[item["question"]] = body
                break
            errors += 1
            retries += 1
            time.sleep(1)
    with lock:
        results["latencies"].extend(latencies)
        results["errors"] += errors
        results["retries"] += retries
        results["last"].append((attempt.pk, last))


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    answers = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    print(f"database: {connection.vendor}; {count} learners, {answers} answers each")
    _quiz, sessions = setup(count)
    plans = [
        (
            attempt,
            [
                {"question": i.question_id, "qtype": i.question.qtype, "layout": i.layout}
                for i in attempt.items.select_related("question")
            ],
            cookie,
        )
        for _user, attempt, cookie in sessions
    ]
    connection.close()
    port = free_port()
    workers = os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
    access_log = os.path.join(os.environ["ILMIS_VAR_DIR"], "access.log")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ilmis.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            workers,
            "--log-level",
            "warning",
            "--timeout",
            "120",
            "--access-logfile",
            access_log,
            "--access-logformat",
            "%(M)s %(s)s %(U)s",
        ],
        env=os.environ.copy(),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        results = {"latencies": [], "errors": 0, "retries": 0, "last": []}
        lock = threading.Lock()
        threads = [
            threading.Thread(target=learner, args=(base, a, items, c, answers, results, lock))
            for a, items, c in plans
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    lat = sorted(results["latencies"])

    def pct(p):
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000

    server_times = []
    with open(access_log) as handle:
        for line in handle:
            millis, status, path = line.split()
            if path.endswith("/reponse/"):
                server_times.append(int(millis))
    server_times.sort()
    if server_times:
        n = len(server_times)
        print(
            f"server time per answer (gunicorn, ms): p50 {server_times[n // 2]}, "
            f"p95 {server_times[int(n * 0.95)]}, max {server_times[-1]}"
        )
    print(
        f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
        "(the machine is shared: client threads and other work compete with the server)"
    )
    print(
        f"gunicorn workers: {workers}; requests: {len(lat)} in {elapsed:.1f} s "
        f"({len(lat) / elapsed:.0f}/s)"
    )
    print(f"failed writes (then retried): {results['errors']}")
    print(
        f"latency ms: p50 {pct(0.5):.0f}, p95 {pct(0.95):.0f}, p99 {pct(0.99):.0f}, "
        f"max {lat[-1] * 1000:.0f}, mean {statistics.mean(lat) * 1000:.0f}"
    )
    lost = 0
    for attempt_id, last in results["last"]:
        for question_id, body in last.items():
            item = AttemptQuestion.objects.get(attempt_id=attempt_id, question_id=question_id)
            if item.sequence != body["sequence"]:
                lost += 1
    print(f"answers lost: {lost} (every last write checked in the database)")


if __name__ == "__main__":
    main()
