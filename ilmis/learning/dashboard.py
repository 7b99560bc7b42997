"""Dashboard panel: each accessible programme's progress, next activity, days left (R6.1, R5.4)."""

import math

from django.utils import timezone

from ilmis.enrolment import access as enrolment_access

from . import services
from .access import is_editor


def programme_cards(user, now=None):
    now = now or timezone.now()
    cards = []
    if is_editor(user):
        return cards
    for programme in enrolment_access.accessible_programmes(user, now=now).order_by("title"):
        data = services.outline(user, programme)
        enrolment = enrolment_access.current_enrolment(user, programme, now=now)
        days_left = None
        if enrolment:
            days_left = max(0, math.ceil((enrolment.access_end - now).total_seconds() / 86400))
        cards.append({**data, "enrolment": enrolment, "days_left": days_left})
    return cards


def panels(request):
    user = request.user
    if not user.is_authenticated:
        return []
    if is_editor(user):
        return [{"template": "learning/panel_editor.html"}]
    cards = programme_cards(user)
    if not cards:
        return []
    return [{"template": "learning/panel.html", "learning_cards": cards}]
