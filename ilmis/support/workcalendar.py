"""Working-hour arithmetic for the incident SLA (R5.7). Model-free, so it is easy to test by hand.

The rule (see docs/support.md):
- Time is counted on the wall clock of the work time zone (Europe/Paris by default), so a daylight
  saving change never adds or removes an hour of SLA.
- A working day is a day of ILMIS_WORK_DAYS (Monday to Friday) that is not a French public holiday
  (the `holidays` package; Alsace-Moselle adds Good Friday and 26 December).
- On a working day the clock runs during ILMIS_WORK_HOURS, (0, 24) by default: the whole day. So
  by default "72 working hours" is three full working days of 24 h, and whole non-working days are
  skipped. Setting (9, 17) counts only office hours (72 h = nine 8-hour days).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

ALSACE_MOSELLE_SUBDIV = "57"  # Moselle; Bas-Rhin and Haut-Rhin share the same two extra days


@dataclass(frozen=True)
class WorkCalendar:
    timezone: str = "Europe/Paris"
    work_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    work_hours: tuple[float, float] = (0, 24)
    subdiv: str | None = None
    extra_closed_days: tuple[date, ...] = field(default_factory=tuple)

    @property
    def tz(self):
        return ZoneInfo(self.timezone)

    def is_holiday(self, day: date) -> bool:
        return day in _holidays(self.subdiv, day.year) or day in self.extra_closed_days

    def holiday_name(self, day: date) -> str | None:
        return _holidays(self.subdiv, day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.work_days and not self.is_holiday(day)

    def _open_close(self, day: date) -> tuple[datetime, datetime]:
        midnight = datetime.combine(day, time(0))
        start, end = self.work_hours
        return midnight + timedelta(hours=start), midnight + timedelta(hours=end)

    def _wall(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("aware datetime expected")
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def _aware(self, wall: datetime) -> datetime:
        return wall.replace(tzinfo=self.tz)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` working hours after `start` (aware in, aware out, work time zone)."""
        remaining = timedelta(hours=hours)
        cursor = self._wall(start)
        day = cursor.date()
        for _ in range(3660):  # ten years of days: a calendar with no working day is a mistake
            if self.is_working_day(day):
                opens, closes = self._open_close(day)
                begin = max(cursor, opens)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return self._aware(begin + remaining)
                    remaining -= available
            day += timedelta(days=1)
            cursor = datetime.combine(day, time(0))
        raise ValueError("the work calendar has no working day")

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours elapsed from `start` to `end` (0 if end is not after start)."""
        a, b = self._wall(start), self._wall(end)
        if b <= a:
            return 0.0
        total = timedelta()
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                opens, closes = self._open_close(day)
                lo, hi = max(a, opens), min(b, closes)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total.total_seconds() / 3600


@lru_cache(maxsize=64)
def _holidays(subdiv, year):
    return holidays.France(years=year, subdiv=subdiv or None)


def from_settings() -> WorkCalendar:
    """The calendar configured by ILMIS_WORK_* settings."""
    subdiv = getattr(settings, "ILMIS_HOLIDAYS_SUBDIV", "") or None
    if getattr(settings, "ILMIS_ALSACE_MOSELLE", False):
        subdiv = ALSACE_MOSELLE_SUBDIV
    hours = tuple(getattr(settings, "ILMIS_WORK_HOURS", (0, 24)))
    closed = tuple(
        date.fromisoformat(d) if isinstance(d, str) else d
        for d in getattr(settings, "ILMIS_CLOSED_DAYS", ())
    )
    return WorkCalendar(
        timezone=getattr(settings, "ILMIS_WORK_TIMEZONE", settings.TIME_ZONE),
        work_days=tuple(getattr(settings, "ILMIS_WORK_DAYS", (0, 1, 2, 3, 4))),
        work_hours=(float(hours[0]), float(hours[1])),
        subdiv=subdiv,
        extra_closed_days=closed,
    )


def sla_hours() -> float:
    return float(getattr(settings, "ILMIS_SLA_WORKING_HOURS", 72))


def sla_due(reported_at: datetime, calendar: WorkCalendar | None = None) -> datetime:
    """R5.7: when an incident reported at `reported_at` must be remedied."""
    return (calendar or from_settings()).add_working_hours(reported_at, sla_hours())
