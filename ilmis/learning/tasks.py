from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .files import purge_stamped


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_stamped_copies():
    """Stamped PDFs are a per-day cache: remove yesterday's copies."""
    return purge_stamped(older_than_days=2)
