"""R5.8: access windows and deadlines that overlap an outage are extended by its length.

`extend_if_overlapping` is model-free: the enrolment and exercise apps call it from their
`outage_ended` receivers. The last test plays such a receiver end to end.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from ilmis.maintenance import services
from ilmis.maintenance.models import MaintenanceWindow
from ilmis.maintenance.services import Outage, extend_if_overlapping, overlaps
from ilmis.maintenance.signals import outage_ended

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db  # the shared autouse fixture clears the database cache


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


OUTAGE = Outage(paris(2027, 3, 10, 22, 0), paris(2027, 3, 11, 2, 0))  # 4 hours


def test_an_access_window_running_during_the_outage_ends_4_hours_later():
    """R5.8: access 1–31 March, outage 10 March 22:00 → 11 March 02:00 (4 h):
    the end moves from 31 March 23:59 to 1 April 03:59."""
    end = paris(2027, 3, 31, 23, 59)
    assert extend_if_overlapping(end, OUTAGE, period_start=paris(2027, 3, 1)) == paris(
        2027, 4, 1, 3, 59
    )


def test_a_deadline_falling_inside_the_outage_is_extended():
    """A signing deadline of 10 March 23:00 (in the outage): 11 March 03:00."""
    assert extend_if_overlapping(paris(2027, 3, 10, 23, 0), OUTAGE) == paris(2027, 3, 11, 3, 0)


def test_what_did_not_overlap_is_left_alone():
    # Deadline already past when the outage began.
    assert extend_if_overlapping(paris(2027, 3, 10, 21, 0), OUTAGE) == paris(2027, 3, 10, 21, 0)
    # A period that only starts after the outage.
    end = paris(2027, 4, 30)
    assert extend_if_overlapping(end, OUTAGE, period_start=paris(2027, 3, 11, 2, 0)) == end
    assert extend_if_overlapping(None, OUTAGE) is None
    assert not overlaps(paris(2027, 3, 11, 3), paris(2027, 3, 20), OUTAGE)


def test_outage_can_be_a_tuple_or_a_window():
    assert extend_if_overlapping(paris(2027, 3, 10, 23), (OUTAGE.start, OUTAGE.end)) == paris(
        2027, 3, 11, 3
    )
    window = MaintenanceWindow(
        starts_at=OUTAGE.start,
        ends_at=OUTAGE.end + timedelta(hours=5),
        actual_start=OUTAGE.start,
        actual_end=OUTAGE.end,
    )
    assert extend_if_overlapping(paris(2027, 3, 10, 23), window) == paris(2027, 3, 11, 3)


@dataclass
class AccessWindow:
    learner: str
    start: datetime
    end: datetime


def test_ending_a_window_extends_overlapping_access_windows(staff):
    """R5.8 end to end: a receiver of outage_ended (as the enrolment app will write it)
    extends the access windows that overlap the recorded outage, and only those."""
    now = timezone.now()
    window = MaintenanceWindow.objects.create(
        starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=1), affected="Tout"
    )
    running = AccessWindow("a", now - timedelta(days=10), now + timedelta(days=20))
    finished = AccessWindow("b", now - timedelta(days=30), now - timedelta(days=3))
    future = AccessWindow("c", now + timedelta(days=1), now + timedelta(days=30))
    access_windows = [running, finished, future]
    before = {a.learner: a.end for a in access_windows}

    def extend_access(sender, window, start, end, duration, **kwargs):
        for access in access_windows:
            access.end = extend_if_overlapping(access.end, (start, end), period_start=access.start)

    outage_ended.connect(extend_access)
    try:
        services.end_now(window.pk, by=staff, now=now)
    finally:
        outage_ended.disconnect(extend_access)
    assert running.end == before["a"] + timedelta(hours=2)
    assert finished.end == before["b"]
    assert future.end == before["c"]
