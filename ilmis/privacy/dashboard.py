"""Dashboard panels: staff see open requests, overdue first (R7.2); a person, their data page."""

from django.utils import timezone

from . import services


def panels(request):
    user = request.user
    if not user.is_authenticated:
        return []
    if services.is_privacy_staff(user):
        today = timezone.localdate()
        items = services.open_requests()
        return [
            {
                "template": "privacy/panel_staff.html",
                "privacy_requests": items[:8],
                "privacy_open": len(items),
                "privacy_overdue": sum(1 for r in items if r.is_overdue(today)),
                "today": today,
            }
        ]
    return [{"template": "privacy/panel_user.html"}]
