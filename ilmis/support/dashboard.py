"""Dashboard panels: the user's incidents; the desk's queue counts (R5.7, R11.8)."""

from . import services
from .models import Complaint, Incident


def panels(request):
    user = request.user
    if services.is_desk(user):
        return [
            {
                "template": "support/panel_desk.html",
                "support_counts": services.counts(),
                "complaints_open": Complaint.objects.exclude(
                    status=Complaint.Status.CLOSED
                ).count(),
            }
        ]
    incidents = services.annotate_sla(
        list(
            Incident.objects.filter(
                reporter=user, status__in=[Incident.Status.OPEN, Incident.Status.IN_PROGRESS]
            ).order_by("due_at")[:5]
        )
    )
    return [{"template": "support/panel_user.html", "support_incidents": incidents}]
