"""Shared set-up of the tracking benches: a throw-away SQLite database under a temp var/ dir."""

import os
import tempfile


def setup():
    os.environ["ILMIS_VAR_DIR"] = os.environ.get("ILMIS_BENCH_VAR") or tempfile.mkdtemp(
        prefix="ilmis-bench-"
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilmis.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    return os.environ["ILMIS_VAR_DIR"]


def programme_with_content(activities=20):
    from ilmis.enrolment.testing import make_programme, make_session
    from ilmis.learning.testing import add_activity, add_module, publish

    programme = make_programme(title="Management d'équipe à distance")
    for m in range(4):
        module = add_module(programme, f"Module {m + 1}")
        for a in range(activities // 4):
            add_activity(module, "page", f"Activité {m + 1}.{a + 1}", minutes=15 + 5 * a)
    publish(programme)
    return programme, make_session(programme)


def bulk_learners(n, session, prefix="learner", client=None):
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from ilmis.enrolment.models import Enrolment

    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [
            user_model(
                email=f"{prefix}{i}@bench.test",
                first_name=f"Prénom{i}",
                last_name=f"Nom{i:05d}",
                role="learner",
                client=client,
                password="!",
            )
            for i in range(n)
        ]
    )
    users = list(user_model.objects.filter(email__startswith=prefix).order_by("pk"))
    now = timezone.now()
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                learner=u,
                session=session,
                access_start=now - timedelta(days=365),
                access_end=now + timedelta(days=30),
            )
            for u in users
        ]
    )
    return users
