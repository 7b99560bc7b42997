"""Personal data at scale (issue 7): export, erasure (with its sweep) and the retention job.

Usage: .venv/bin/python bench/privacy_erasure.py [learners]
Runs on a throw-away SQLite database with `learners` (default 1000) learners, each with a
signed pre-registration, an enrolment, audit events, an outbox email, an incident and a
session; a quarter of the security logs are two years old. Prints: the time and query count
to build one learner's archive and its size; the time and queries of one erasure (the sweep
scans every text column of every table); the time of a retention run, then of a second run
(which must change nothing). Goals: archive < 2 s, erasure < 5 s at 1000 learners, retention
run linear in expired rows, second run 0 rows.
"""

import os
import sys
import tempfile
import time

os.environ["ILMIS_VAR_DIR"] = tempfile.mkdtemp(prefix="ilmis-bench-")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilmis.settings")
os.environ["HUEY_IMMEDIATE"] = "1"
os.environ["ILMIS_OUTBOX_PAGE"] = "0"

import django  # noqa: E402

django.setup()

import logging  # noqa: E402
from datetime import timedelta  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

logging.disable(logging.WARNING)


def timed(label, function):
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
    print(f"{label:<44} {elapsed * 1000:>9.0f} ms {len(queries):>7} queries")
    return result


def main():
    learners = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    call_command("migrate", verbosity=0)
    from django.conf import settings

    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Creating users is not what is measured: a fast hasher for the set-up.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from allauth.usersessions.models import UserSession

    from ilmis.accounts.models import User
    from ilmis.audit.models import AuditEvent
    from ilmis.core.testing import UserFactory
    from ilmis.enrolment.testing import make_session
    from ilmis.notifications.models import OutgoingEmail
    from ilmis.privacy import exporting, services
    from ilmis.privacy.models import DataExport, PrivacyRequest
    from ilmis.privacy.retention import apply_retention
    from ilmis.privacy.tests.helpers import populate

    staff = UserFactory(role="staff")
    session = make_session()
    start = time.perf_counter()
    users = []
    for n in range(learners):
        user = UserFactory(role="learner", first_name=f"Prénom{n}", last_name=f"Nom{n}")
        populate(user, session=session, ip=f"10.0.{n // 250}.{n % 250}")
        users.append(user)
    old = timezone.now() - timedelta(days=800)
    quarter = [u.pk for u in users[: learners // 4]]
    AuditEvent.objects.filter(actor_id__in=quarter).update(at=old)
    UserSession.objects.filter(user_id__in=quarter).update(last_seen_at=old)
    OutgoingEmail.objects.filter(
        pk__in=OutgoingEmail.objects.order_by("pk")[: learners // 4].values("pk")
    ).update(created_at=old)
    print(f"{learners} learners with their records in {time.perf_counter() - start:.1f} s")
    print(f"{'':<44} {'time':>12} {'queries':>7}")

    target = users[-1]
    export = DataExport.objects.create(user=target)
    export = timed("archive of one learner", lambda: exporting.build(export))
    print(f"{'  archive size':<44} {export.size / 1024:>9.1f} KB")

    request = PrivacyRequest.objects.create(
        kind="erasure", channel="account", user=target, received_on=timezone.localdate()
    )
    timed(
        "erasure of one learner (with sweep)",
        lambda: services.erase(request, by=staff, confirm_ongoing=True),
    )
    assert not User.objects.get(pk=target.pk).is_active

    first = timed("retention run", lambda: apply_retention())
    print(f"{'  rows changed':<44} {first.total:>9}")
    second = timed("retention run again", lambda: apply_retention())
    print(f"{'  rows changed (must be 0)':<44} {second.total:>9}")


if __name__ == "__main__":
    main()
