from huey.contrib.djhuey import db_task

from . import services


@db_task()
def run_learner_import(job_id):
    services.run_learner_import(job_id)
