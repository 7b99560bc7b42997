"""Periodic jobs: they only notify. Deadlines are derived from timestamps, so if these stop,
nothing becomes wrong (R2.4)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="7"))
def signing_reminders():
    """Hourly: day-7 and day-13 reminders to signatories (idempotent)."""
    from .services import send_reminders

    return send_reminders()
