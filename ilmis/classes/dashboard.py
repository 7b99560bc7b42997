"""Dashboard panel: the user's upcoming live classes (R10.1)."""

from . import access, services


def panels(request):
    user = request.user
    if not user.is_authenticated:
        return []
    upcoming = services.upcoming_for(user, limit=5)
    if not upcoming and not (user.is_learner or access.is_manager(user)):
        return []
    return [
        {
            "template": "classes/panel.html",
            "classes_upcoming": upcoming,
            "classes_can_schedule": access.is_manager(user),
        }
    ]
