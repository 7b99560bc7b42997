from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_periodic_task(crontab(minute="*"))
def record_maintenance_times():
    """R5.8: record actual starts and ends, tell deadline owners (the mode needs no job)."""
    services.tick()


@db_task(retries=3, retry_delay=30)
def send_maintenance_notice(notice_id):
    """R5.8: one email per active user, in batches that keep their place."""
    services.send_notice(notice_id)
