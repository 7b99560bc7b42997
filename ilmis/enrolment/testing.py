"""Helpers for any app's tests: a programme, a session, an enrolment with an access window.

from ilmis.enrolment.testing import make_programme, make_session, enrol
enrolment = enrol(learner, programme)            # open now, for 90 days
enrol(learner, programme, start=..., end=...)    # any window
"""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

_counter = itertools.count(1)


def make_programme(**fields):
    from ilmis.catalog.models import Programme

    n = next(_counter)
    defaults = {
        "title": f"Programme de test {n}",
        "objectives": "Savoir faire des tests.",
        "content": "Module 1 : les tests.\nModule 2 : encore des tests.",
        "prerequisites": "Aucun",
        "duration_hours": Decimal("14"),
        "modalities": "100 % à distance, à son rythme, avec un tuteur.",
        "teaching_methods": "Vidéos, documents, QCM, exercices corrigés.",
        "assessment_methods": "QCM de positionnement, QCM final, exercice corrigé.",
        "trainers": "Alice Formatrice, 10 ans d'expérience.",
        "price": Decimal("1200.00"),
        "published": True,
    }
    return Programme.objects.create(**(defaults | fields))


def make_session(programme=None, **fields):
    from ilmis.catalog.models import Session

    programme = programme or make_programme()
    today = timezone.localdate()
    n = next(_counter)
    defaults = {
        "code": f"s-{programme.pk}-{n}",
        "start_date": today + timedelta(days=7),
        "end_date": today + timedelta(days=60),
        "capacity": 12,
        "access_duration_days": 90,
    }
    return Session.objects.create(programme=programme, **(defaults | fields))


def enrol(user, programme_or_session=None, *, start=None, end=None, status="confirmed"):
    """A confirmed enrolment of `user` whose window is [start, end) (default: open now, 90 days)."""
    from ilmis.catalog.models import Session

    from .models import Enrolment

    if isinstance(programme_or_session, Session):
        session = programme_or_session
    else:
        session = make_session(programme_or_session)
    now = timezone.now()
    start = start or now - timedelta(days=1)
    end = end or start + timedelta(days=90)
    return Enrolment.objects.create(
        learner=user, session=session, status=status, access_start=start, access_end=end
    )
