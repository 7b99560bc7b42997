from datetime import timedelta

import pytest
from django.utils import timezone

from ilmis.audit.models import AuditEvent
from ilmis.enrolment import services
from ilmis.enrolment.models import Enrolment, PreRegistration
from ilmis.enrolment.testing import enrol, make_programme
from ilmis.maintenance.signals import outage_ended

from .helpers import new_request


@pytest.fixture(autouse=True)
def _var(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


class FakeWindow:
    class _meta:  # noqa: N801 - mimics a model's _meta
        label_lower = "maintenance.maintenancewindow"

    pk = 7


@pytest.mark.django_db
def test_outage_extends_overlapping_windows_and_deadlines_once(make_user, staff):
    """R5.8 → R5.4, R2.3: an outage extends access windows and signing deadlines that overlap
    it, by its duration, once, audited; others are untouched."""
    now = timezone.now()
    start, end = now - timedelta(hours=3), now - timedelta(hours=1)
    programme = make_programme()
    hit = enrol(
        make_user(role="learner"),
        programme,
        start=now - timedelta(days=5),
        end=now + timedelta(days=5),
    )
    past = enrol(
        make_user(role="learner"),
        programme,
        start=now - timedelta(days=50),
        end=now - timedelta(days=10),
    )
    prereg = new_request()
    services.accept(prereg, by=staff, now=now - timedelta(days=2))
    prereg.refresh_from_db()
    deadline = prereg.sign_deadline
    old_end = hit.access_end
    outage_ended.send(sender=None, window=FakeWindow(), start=start, end=end, duration=end - start)
    outage_ended.send(
        sender=None, window=FakeWindow(), start=start, end=end, duration=end - start
    )  # sent twice: applied once
    hit.refresh_from_db()
    past.refresh_from_db()
    prereg.refresh_from_db()
    assert hit.access_end == old_end + timedelta(hours=2)
    assert past.access_end == now - timedelta(days=10)
    assert prereg.sign_deadline == deadline + timedelta(hours=2)
    assert AuditEvent.objects.filter(action="enrolment.outage_extended").count() == 2
    assert AuditEvent.objects.filter(action="enrolment.outage_applied").count() == 1


@pytest.mark.django_db
def test_load_demo_is_idempotent(terms):
    """Demo: a programme with two sessions, three confirmed learners, one pending request."""
    from ilmis.core.management.commands.demo import Command
    from ilmis.enrolment.demo import load_demo

    Command().load()  # the demo accounts only (other apps' demo content is theirs)
    load_demo()
    load_demo()
    assert Enrolment.objects.filter(status="confirmed").count() == 3
    emails = set(Enrolment.objects.values_list("learner__email", flat=True))
    assert emails == {"apprenant@demo.ilmis.fr", "salarie1@demo.ilmis.fr", "salarie2@demo.ilmis.fr"}
    assert PreRegistration.objects.filter(status="new").count() == 1
    from ilmis.accounts.models import User
    from ilmis.enrolment.access import accessible_programmes

    learner = User.objects.get(email="apprenant@demo.ilmis.fr")
    assert accessible_programmes(learner).count() == 1
