"""Dashboard panel: time and exchanges for learners; follow-up work for tutors and staff."""

from django.db.models import Q

from . import access, services
from .models import Thread


def panels(request):
    user = request.user
    if not user.is_authenticated:
        return []
    if user.is_learner:
        return [
            {
                "template": "tracking/panel.html",
                "tracking_surveys": list(services.pending_surveys(user)[:5]),
            }
        ]
    if user.is_manager:
        return [{"template": "tracking/panel.html"}]
    if not access.is_staff_or_trainer(user):
        return []
    return [
        {
            "template": "tracking/panel.html",
            "tracking_waiting": Thread.objects.filter(access.threads_q(user))
            .filter(awaiting_answer=True)
            .count(),
            "tracking_alerts": services.alerts_for(user)
            .filter(Q(followed_up_at__isnull=True))
            .count(),
        }
    ]
