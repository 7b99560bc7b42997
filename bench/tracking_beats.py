"""Activity beats from 500 simultaneous learners against a local gunicorn (issue 8, R11.4).

Usage: .venv/bin/python bench/tracking_beats.py [learners] [beats_per_learner] [interval_s]
Defaults: 500 learners, 3 beats each at the real pace (one every 30 s, start times spread over
the first interval): about 90 s. A stress run: `... 500 4 2` (15 times the real pace).
Bounded: at most learners × beats requests, stopped after 180 s whatever happens. Loopback
only (127.0.0.1).

A throw-away SQLite database (the project's settings, DEBUG off) gets the learners, their
enrolments, accepted terms, logged-in sessions and beat tokens; gunicorn serves
ilmis.wsgi with 2 × cores + 1 sync workers. Each simulated learner is a thread with its own
session and CSRF cookies, sending its beats as the browser would (form POST, CSRF token). Prints
the number of errors, throughput, latency percentiles (p50, p95, p99, max) and checks that the
database holds exactly one row per accepted beat.
"""

import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.client import HTTPConnection
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from tracking_setup import bulk_learners, programme_with_content, setup  # noqa: E402

LIMIT_SECONDS = 180


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(n):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from ilmis.learning.models import Activity
    from ilmis.legal import services as legal
    from ilmis.legal.models import TermsAcceptance
    from ilmis.tracking import services

    programme, session = programme_with_content()
    learners = bulk_learners(n, session)
    version = legal.current_version() or legal.publish(title="Conditions", body="# Conditions")
    fields = {f.name for f in TermsAcceptance._meta.get_fields()}
    rows = []
    for user in learners:
        row = TermsAcceptance(user=user, version=version)
        if "ip" in fields:
            row.ip = "127.0.0.1"
        rows.append(row)
    TermsAcceptance.objects.bulk_create(rows)
    activity = Activity.objects.filter(module__programme=programme).first()
    clients = []
    for user in learners:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        token = services.beat_token(user, activity)
        assert token, "no beat token: enrolment or role problem"
        csrf = uuid.uuid4().hex  # 32 characters: an unmasked CSRF secret, as Django accepts
        clients.append(
            {
                "cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}; "
                f"{settings.CSRF_COOKIE_NAME}={csrf}",
                "csrf": csrf,
                "token": token,
                "tab": str(uuid.uuid4()),
            }
        )
    return clients


def learner_loop(port, client, beats, interval, deadline, results, lock):
    time.sleep(random.uniform(0, interval))
    for seq in range(1, beats + 1):
        if time.monotonic() > deadline:
            return
        started = time.monotonic()
        body = urlencode(
            {
                "csrfmiddlewaretoken": client["csrf"],
                "token": client["token"],
                "tab": client["tab"],
                "seq": seq,
            }
        )
        status, error = 0, ""
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request(
                "POST",
                "/suivi/beat/",
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": client["cookie"],
                    "Host": "127.0.0.1",
                    "Connection": "close",
                },
            )
            response = conn.getresponse()
            response.read()
            status = response.status
            conn.close()
        except OSError as exc:
            error = type(exc).__name__
        elapsed = time.monotonic() - started
        with lock:
            results.append((status, elapsed, error))
        time.sleep(max(0.0, interval - elapsed))


def main():
    learners = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    beats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 30.0
    var_dir = setup()
    clients = prepare(learners)
    from django.db import connections

    connections.close_all()

    port = free_port()
    workers = 2 * (os.cpu_count() or 1) + 1
    env = dict(
        os.environ,
        ILMIS_VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="ilmis.settings",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen(
        [
            gunicorn,
            "ilmis.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    try:
        for _ in range(100):  # wait for the server
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1.0)
        for _ in range(4 * workers):  # warm-up: each worker imports the URLs and views
            conn = HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/suivi/beat/", headers={"Cookie": clients[0]["cookie"]})
            conn.getresponse().read()
            conn.close()
        results, lock = [], threading.Lock()
        deadline = time.monotonic() + LIMIT_SECONDS
        threading.stack_size(256 * 1024)
        threads = [
            threading.Thread(
                target=learner_loop, args=(port, c, beats, interval, deadline, results, lock)
            )
            for c in clients
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=max(1.0, deadline - time.monotonic() + 65))
        wall = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    ok = [r for r in results if r[0] == 204]
    errors = [r for r in results if r[0] != 204]
    latencies = sorted(r[1] for r in results)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    from ilmis.tracking.models import Beat

    stored = Beat.objects.count()
    print(
        f"{learners} learners × {beats} beats every {interval:g} s, gunicorn {workers} workers "
        f"on {os.cpu_count()} cores"
    )
    print(f"requests: {len(results)} in {wall:.1f} s ({len(results) / wall:.0f} req/s)")
    print(
        f"errors: {len(errors)}",
        {f"{s or e}": sum(1 for r in errors if (r[0] or r[2]) == (s or e)) for s, _l, e in errors}
        if errors
        else "",
    )
    if latencies:
        print(
            f"latency ms: p50 {pct(50):.0f} · p95 {pct(95):.0f} · p99 {pct(99):.0f} · "
            f"max {latencies[-1] * 1000:.0f}"
        )
    print(
        f"beats stored: {stored} (accepted: {len(ok)})", "OK" if stored == len(ok) else "MISMATCH"
    )


if __name__ == "__main__":
    main()
