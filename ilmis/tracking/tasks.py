"""Background and periodic jobs. Periodic ones only notify; what they report is derived from
stored data, and a second run sends nothing new."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import documents, services


@db_task()
def run_job(job_id):
    documents.run_job(job_id)


@db_periodic_task(crontab(hour="7", minute="15"))
def survey_invitations():
    return services.send_survey_invitations()


@db_periodic_task(crontab(hour="7", minute="30"))
def inactivity_alerts():
    return services.check_inactivity()
