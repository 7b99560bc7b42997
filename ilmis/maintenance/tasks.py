from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*"))
def record_maintenance_times():
    """R5.8: record actual starts and ends, tell deadline owners (the mode needs no job)."""
    services.tick()
