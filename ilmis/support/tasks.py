from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/15"))
def alert_desk_about_sla():
    """R5.7: email the desk when an incident becomes at risk or breached (once each)."""
    services.alert_desk()
