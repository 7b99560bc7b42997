"""R5.8 "correct on every process without a restart", with real separate processes.

A long-lived Django process (the "server", with its own memory) answers requests; another
process writes the window into the shared database. The server switches to 503 at the stored
start and back at the stored end by itself, with no restart and no call from the writer.
"""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db  # the shared autouse fixture clears the database cache

SERVER = textwrap.dedent("""
    import sys
    import django
    django.setup()
    from django.test import Client
    from ilmis.accounts.models import User

    learner = User.objects.create_user("learner@example.test", role="learner")
    staff = User.objects.create_user("staff@example.test", role="staff")
    clients = {"learner": Client(), "staff": Client()}
    clients["learner"].force_login(learner)
    clients["staff"].force_login(staff)
    print("ready", flush=True)
    for line in sys.stdin:
        who, path = line.split()
        response = clients[who].get(path)
        print(response.status_code, response.get("Retry-After", "-"), flush=True)
""")

WRITER = textwrap.dedent("""
    import sys
    from datetime import UTC, datetime
    import django
    django.setup()
    from ilmis.maintenance.models import MaintenanceWindow

    MaintenanceWindow.objects.create(
        starts_at=datetime.fromtimestamp(float(sys.argv[1]), UTC),
        ends_at=datetime.fromtimestamp(float(sys.argv[2]), UTC),
        affected="Test à deux processus")
""")


@pytest.fixture
def shared_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        # The real settings: the cache is the database's (shared by processes), as deployed
        # without Redis; with Redis it is Redis. (The test settings use local memory.)
        "DJANGO_SETTINGS_MODULE": "ilmis.settings",
        "HUEY_IMMEDIATE": "1",
        "ALLOWED_HOSTS": "testserver",
        "SITE_URL": "http://testserver",
        "ILMIS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "ILMIS_REQUIRE_STAFF_MFA": "0",
    }
    ilmis = [sys.executable, "-m", "ilmis"]
    for command in (["migrate", "-v0"], ["createcachetable", "-v0"]):
        subprocess.run(ilmis + command, env=env, check=True, cwd=Path(__file__).parents[3])
    return env


def test_second_process_switches_on_and_off_from_stored_times(shared_env, tmp_path):
    """R5.8: learners get 503 + Retry-After in the other process at the stored start, staff do
    not, and the process reopens at the stored end by itself."""
    (tmp_path / "server.py").write_text(SERVER)
    (tmp_path / "writer.py").write_text(WRITER)
    server = subprocess.Popen(
        [sys.executable, str(tmp_path / "server.py")],
        env=shared_env,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )

    def get(who, path="/"):
        server.stdin.write(f"{who} {path}\n")
        server.stdin.flush()
        status, retry_after = server.stdout.readline().split()
        return int(status), retry_after

    try:
        assert server.stdout.readline().strip() == "ready"
        assert get("learner")[0] == 200  # the server has now read (and cached) the windows
        start = time.time() + 5  # the writer needs a second or two to start Django
        subprocess.run(
            [sys.executable, str(tmp_path / "writer.py"), str(start), str(start + 5)],
            env=shared_env,
            check=True,
        )
        assert time.time() < start
        assert get("learner")[0] == 200  # scheduled, not started
        time.sleep(max(0, start + 0.5 - time.time()))
        status, retry_after = get("learner")
        assert status == 503
        assert 1 <= int(retry_after) <= 5
        assert get("staff", "/maintenance/")[0] == 200
        time.sleep(max(0, start + 5.5 - time.time()))
        assert get("learner")[0] == 200
    finally:
        server.stdin.close()
        server.wait(timeout=10)
