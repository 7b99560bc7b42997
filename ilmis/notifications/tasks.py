from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task(retries=0)
def deliver_email(email_id):
    services.deliver(email_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_emails():
    """The sweep: retries failed attempts and anything queued while the queue was down."""
    services.deliver_due()
