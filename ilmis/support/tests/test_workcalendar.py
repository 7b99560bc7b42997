"""R5.7: the 72-working-hour SLA clock, checked by hand.

Rule (docs/support.md): wall-clock time in Europe/Paris; on a working day (Monday–Friday, not a
French public holiday) the whole day counts (ILMIS_WORK_HOURS = (0, 24)); non-working days are
skipped whole. So 72 working hours = three working days of 24 h.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ilmis.support import workcalendar
from ilmis.support.workcalendar import WorkCalendar

PARIS = ZoneInfo("Europe/Paris")
# The shared autouse fixture clears the (database) cache, hence the database mark.
pytestmark = pytest.mark.django_db


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def metropole(settings):
    settings.ILMIS_WORK_HOURS = (0, 24)
    settings.ILMIS_ALSACE_MOSELLE = False
    settings.ILMIS_HOLIDAYS_SUBDIV = ""
    return settings


@pytest.fixture
def alsace(settings):
    settings.ILMIS_WORK_HOURS = (0, 24)
    settings.ILMIS_ALSACE_MOSELLE = True
    return settings


def test_friday_17h_before_easter_monday(metropole):
    """R5.7. Reported Friday 26 March 2027 17:00 (Easter is Sunday 28 March 2027).
    Fri 26: 17:00→24:00 = 7 h (Good Friday is not a holiday outside Alsace-Moselle)  total 7
    Sat 27, Sun 28: weekend; Mon 29: Easter Monday (public holiday)                  skipped
    Tue 30: 24 h → 31; Wed 31: 24 h → 55; Thu 1 April: 17 h more → 72 at 17:00.
    The clocks go forward on 28 March: wall-clock counting ignores it (17:00 CET → 17:00 CEST).
    """
    due = workcalendar.sla_due(paris(2027, 3, 26, 17, 0))
    assert due == paris(2027, 4, 1, 17, 0)
    assert due.astimezone(ZoneInfo("UTC")) == datetime(2027, 4, 1, 15, 0, tzinfo=ZoneInfo("UTC"))


def test_friday_17h_before_easter_in_alsace_moselle(alsace):
    """R5.7, Alsace-Moselle: Friday 26 March 2027 is Good Friday, a public holiday there.
    Fri 26 (Good Friday), Sat 27, Sun 28, Mon 29 (Easter Monday): skipped, the clock starts
    Tue 30 at 00:00. Tue 24 → 24, Wed 31 24 → 48, Thu 1 April 24 → 72 at 24:00,
    i.e. due Friday 2 April 2027 00:00.
    """
    assert workcalendar.sla_due(paris(2027, 3, 26, 17, 0)) == paris(2027, 4, 2, 0, 0)


def test_24_december(metropole):
    """R5.7. Reported Thursday 24 December 2026 10:00.
    Thu 24: 10:00→24:00 = 14 h                                  total 14
    Fri 25: Christmas; Sat 26, Sun 27: weekend                  skipped
    Mon 28: 24 → 38; Tue 29: 24 → 62; Wed 30: 10 h more → 72 at 10:00.
    """
    assert workcalendar.sla_due(paris(2026, 12, 24, 10, 0)) == paris(2026, 12, 30, 10, 0)


def test_26_december_in_and_out_of_alsace_moselle(settings):
    """R5.7. Reported Wednesday 24 December 2025 10:00.
    Everywhere: Wed 24: 14 h; Thu 25 Christmas skipped.
    Metropole: Fri 26 counts 24 → 38; Sat/Sun skipped; Mon 29 24 → 62; Tue 30 +10 → 10:00.
    Alsace-Moselle: Fri 26 (Saint-Étienne) skipped too; Mon 29 → 38; Tue 30 → 62;
    Wed 31 +10 → Wednesday 31 December 2025 10:00.
    """
    settings.ILMIS_WORK_HOURS = (0, 24)
    settings.ILMIS_ALSACE_MOSELLE = False
    assert workcalendar.sla_due(paris(2025, 12, 24, 10, 0)) == paris(2025, 12, 30, 10, 0)
    settings.ILMIS_ALSACE_MOSELLE = True
    assert workcalendar.sla_due(paris(2025, 12, 24, 10, 0)) == paris(2025, 12, 31, 10, 0)


def test_14_july(metropole):
    """R5.7. Reported Tuesday 13 July 2027 15:00.
    Tue 13: 15:00→24:00 = 9 h                                   total 9
    Wed 14: Fête nationale                                      skipped
    Thu 15: 24 → 33; Fri 16: 24 → 57; Sat 17, Sun 18 skipped; Mon 19: 15 h more → 15:00.
    """
    assert workcalendar.sla_due(paris(2027, 7, 13, 15, 0)) == paris(2027, 7, 19, 15, 0)


def test_reported_on_14_july_itself(metropole):
    """R5.7. Reported on the holiday, Wednesday 14 July 2027 at 11:00: the clock starts
    Thursday 15 at 00:00; Thu 24, Fri 24 → 48, weekend skipped, Mon 19 24 → 72 at 24:00,
    i.e. due Tuesday 20 July 2027 00:00."""
    assert workcalendar.sla_due(paris(2027, 7, 14, 11, 0)) == paris(2027, 7, 20, 0, 0)


def test_across_a_weekend(metropole):
    """R5.7. Reported Thursday 10 June 2027 09:30.
    Thu 10: 09:30→24:00 = 14.5 h; Fri 11: 24 → 38.5; Sat 12, Sun 13 skipped;
    Mon 14: 24 → 62.5; Tue 15: 9.5 h more → 09:30.
    """
    assert workcalendar.sla_due(paris(2027, 6, 10, 9, 30)) == paris(2027, 6, 15, 9, 30)


def test_reported_on_a_saturday(metropole):
    """R5.7. Reported Saturday 12 June 2027 11:00: the clock starts Monday 14 at 00:00;
    Mon, Tue, Wed = 72 h → due Thursday 17 June 2027 00:00."""
    assert workcalendar.sla_due(paris(2027, 6, 12, 11, 0)) == paris(2027, 6, 17, 0, 0)


def test_office_hours_calendar(settings):
    """R5.7 with ILMIS_WORK_HOURS = (9, 17): 8 h a day, so 72 h = 9 working days.
    Friday 26 March 2027 17:00 is closing time: 0 h. Sat, Sun, Easter Monday skipped.
    Tue 30, Wed 31, Thu 1, Fri 2 (4 days = 32 h), Mon 5, Tue 6, Wed 7, Thu 8 (64 h),
    Fri 9 April: 8 h more → 72 at 17:00.
    """
    settings.ILMIS_WORK_HOURS = (9, 17)
    settings.ILMIS_ALSACE_MOSELLE = False
    assert workcalendar.sla_due(paris(2027, 3, 26, 17, 0)) == paris(2027, 4, 9, 17, 0)


def test_working_hours_between_is_the_inverse():
    """R5.7: the figures (time to fix) use the same calendar."""
    calendar = WorkCalendar()
    start = paris(2027, 3, 26, 17, 0)
    assert calendar.working_hours_between(start, paris(2027, 4, 1, 17, 0)) == 72
    # The Easter weekend and Easter Monday count nothing.
    assert calendar.working_hours_between(start, paris(2027, 3, 30, 0, 0)) == 7
    assert calendar.working_hours_between(paris(2027, 4, 1), start) == 0


def test_extra_closed_days_and_configured_days(settings):
    """R5.7: the work calendar is configuration (closing days of the organisation)."""
    settings.ILMIS_WORK_HOURS = (0, 24)
    settings.ILMIS_ALSACE_MOSELLE = False
    settings.ILMIS_CLOSED_DAYS = ["2027-06-15"]
    # As in test_across_a_weekend, but Tuesday 15 is closed: Wed 16 09:30 instead.
    assert workcalendar.sla_due(paris(2027, 6, 10, 9, 30)) == paris(2027, 6, 16, 9, 30)
    assert workcalendar.from_settings().is_working_day(date(2027, 6, 15)) is False


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        WorkCalendar().add_working_hours(datetime(2027, 1, 4, 10), 72)
