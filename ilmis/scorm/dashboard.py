"""Dashboard panel for staff: the SCORM packages and recent run-time errors (R6.5)."""

from datetime import timedelta

from django.utils import timezone

from .access import can_manage
from .models import ApiCall, ScormPackage


def panels(request):
    if not can_manage(request.user):
        return []
    since = timezone.now() - timedelta(days=7)
    return [
        {
            "template": "scorm/panel.html",
            "scorm_packages": ScormPackage.objects.count(),
            "scorm_refused": ApiCall.objects.filter(
                at__gte=since, server_error__isnull=False
            ).count(),
        }
    ]
