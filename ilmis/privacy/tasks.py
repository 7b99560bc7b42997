"""Background jobs: build an archive, apply retention periods, scrub delivered notices."""

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

logger = logging.getLogger(__name__)


@db_task(retries=1, retry_delay=60)
def build_export_task(export_id):
    from . import exporting, services
    from .models import DataExport

    export = DataExport.objects.filter(pk=export_id).select_related("user").first()
    if export is None or export.status == DataExport.Status.READY:
        return
    export = exporting.build(export)
    if export.status == DataExport.Status.READY:
        services.export_ready(export)


def _retention_hour():
    return str(getattr(settings, "ILMIS_RETENTION_HOUR", 3))


@db_periodic_task(crontab(minute="17", hour=_retention_hour()))
def apply_retention_task():
    """Every night: anonymise or delete what has expired (R11.9); safe to run twice."""
    from .retention import apply_retention

    run = apply_retention()
    logger.info("retention run %s: %s row(s)", run.pk, run.total)


@db_periodic_task(crontab(minute="*/10"))
def scrub_notices_task():
    from .services import scrub_delivered_notices

    scrub_delivered_notices()
