from huey.contrib.djhuey import db_task

from . import services


@db_task()
def run_import_task(job_id):
    services.run_import(job_id)
