"""Panels on /tableau-de-bord/: staff see what needs them; learners and managers their files."""

from django.utils import timezone

from .models import Enrolment, PreRegistration
from .services import credentials_board, staff_counts


def panels(request):
    user = request.user
    if not user.is_authenticated:
        return []
    now = timezone.now()
    if user.is_back_office:
        board = credentials_board(now)
        delivery = {"failed": 0, "overdue": 0, "at_risk": 0}
        for state in board.filter(delivery__in=list(delivery)).values_list("delivery", flat=True)[
            :1000
        ]:
            delivery[state] += 1
        return [
            {
                "template": "enrolment/panel_staff.html",
                "enrolment_counts": staff_counts(now),
                "enrolment_delivery": delivery,
                "enrolment_new": PreRegistration.objects.filter(status="new")
                .select_related("session__programme")
                .order_by("-created_at")[:5],
            }
        ]
    enrolments = list(
        Enrolment.objects.visible_to(user)
        .filter(status=Enrolment.Status.CONFIRMED)
        .select_related("session__programme", "learner")
        .order_by("-access_end")[:10]
    )
    preregs = list(
        PreRegistration.objects.visible_to(user)
        .filter(status__in=["new", "sent", "scan_submitted"])
        .select_related("session__programme")
        .order_by("-created_at")[:5]
    )
    if not (enrolments or preregs):
        return []
    return [
        {
            "template": "enrolment/panel_learner.html",
            "enrolment_list": enrolments,
            "enrolment_pending": preregs,
            "enrolment_now": now,
        }
    ]
