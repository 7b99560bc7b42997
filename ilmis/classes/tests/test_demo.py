"""The demo adds classes to the enrolment demo's running session, and skips without it."""

import pytest

from ilmis.classes import demo, services
from ilmis.classes.models import Attendance, LiveClass
from ilmis.enrolment.testing import enrol, make_session

pytestmark = pytest.mark.django_db


def test_demo_skips_without_the_demo_session(trainer):
    demo.load_demo()
    assert LiveClass.objects.count() == 0


def test_demo_adds_upcoming_and_held_class(trainer, learner):
    session = make_session(code=demo.DEMO_SESSION)
    enrol(learner, session)
    demo.load_demo()
    demo.load_demo()  # idempotent
    assert LiveClass.objects.count() == 2
    assert [c.title for c in services.upcoming_for(learner)] == [
        "Classe virtuelle — tableaux croisés dynamiques"
    ]
    held = LiveClass.objects.get(title__contains="lancement")
    assert {a.slot for a in Attendance.objects.filter(live_class=held, learner=learner)} == {
        "am",
        "pm",
    }
