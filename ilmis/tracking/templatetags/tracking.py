"""{% load tracking %}{% tracking_beat activity %}: the active-time beacon for an activity page."""

from django import template
from django.middleware.csrf import get_token

from ilmis.tracking import services

register = template.Library()


@register.inclusion_tag("tracking/_beat.html", takes_context=True)
def tracking_beat(context, activity):
    request = context.get("request")
    user = getattr(request, "user", None)
    token = services.beat_token(user, activity) if request is not None else ""
    return {
        "token": token,
        "csrf": get_token(request) if token else "",
        "interval": services.beat_seconds(),
    }


@register.inclusion_tag("tracking/_bars.html")
def quality_bars(figures):
    """Small inline SVG bars: satisfied, completion and success rates (indicator 2)."""
    from django.utils.translation import gettext as _

    return {
        "bars": [
            (_("Satisfaits"), figures.get("satisfied_rate")),
            (_("Achèvement"), figures.get("completion_rate")),
            (_("Réussite"), figures.get("success_rate")),
        ]
    }
