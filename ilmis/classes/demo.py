"""Demo live classes for `ilmis demo`: one upcoming, one held yesterday with its signatures.

Needs the enrolment demo's running session ("excel-demo-en-cours"); without it, does nothing.
Idempotent. Rows are written directly (no Graph call, no invitation email) so a demo never
creates a real Teams meeting even where Graph is configured.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

DEMO_SESSION = "excel-demo-en-cours"
DEMO_LINK = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_DEMO%40thread.v2/0"


def _paris(day, hour, minute=0):
    from .models import PARIS

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


@transaction.atomic
def load_demo():
    from ilmis.accounts.models import User
    from ilmis.catalog.models import Session

    from . import services
    from .models import Attendance, LiveClass, TrainerSignature

    session = Session.objects.filter(code=DEMO_SESSION).first()
    if session is None or LiveClass.objects.filter(session=session).exists():
        return
    trainer = (
        User.objects.filter(email="formateur@demo.ilmis.fr", role=User.Role.TRAINER).first()
        or User.objects.filter(role=User.Role.TRAINER, is_active=True).first()
    )
    if trainer is None:
        return
    today = timezone.localdate()
    LiveClass.objects.create(
        session=session,
        title="Classe virtuelle — tableaux croisés dynamiques",
        start=_paris(today + timedelta(days=2), 10),
        end=_paris(today + timedelta(days=2), 11, 30),
        trainer=trainer,
        join_url=DEMO_LINK,
        created_by=trainer,
    )
    yesterday = today - timedelta(days=1)
    held = LiveClass.objects.create(
        session=session,
        title="Classe virtuelle — lancement de la formation",
        start=_paris(yesterday, 11),
        end=_paris(yesterday, 14, 30),
        trainer=trainer,
        join_url=DEMO_LINK,
        created_by=trainer,
        created_at=timezone.now() - timedelta(days=3),
    )
    learners = services.learners_of(session)
    for index, learner in enumerate(learners):
        for slot, start, _end in held.slots():
            signed = index != 1 or slot == "am"  # the second learner missed the afternoon
            Attendance.objects.create(
                live_class=held,
                learner=learner,
                slot=slot,
                signed_at=start + timedelta(minutes=3 + index) if signed else None,
                signed_ip="192.0.2.10" if signed else None,
                status=Attendance.Status.PRESENT if signed else Attendance.Status.ABSENT,
                confirmed_at=held.end + timedelta(minutes=5),
                confirmed_by=trainer,
            )
    for slot, _start, end in held.slots():
        TrainerSignature.objects.create(
            live_class=held, slot=slot, trainer=trainer, signed_at=end, signed_ip="192.0.2.20"
        )
