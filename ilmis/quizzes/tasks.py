from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task()
def run_import_task(job_id):
    services.run_import(job_id)


@db_periodic_task(crontab(minute="*"))
def close_expired_attempts_task():
    """Close attempts whose time ran out (reads and writes close them too: this only tidies)."""
    from .attempts import close_expired_attempts

    close_expired_attempts()
