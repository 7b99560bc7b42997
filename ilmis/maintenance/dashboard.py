"""Staff dashboard panel: upcoming and running maintenance (R5.8)."""

from . import services


def panels(request):
    if not services.is_staff_user(request.user):
        return []
    now = services.clock()
    windows = [
        {
            "id": w.id,
            "start": services.when(w.starts_at),
            "end": services.when(w.ends_at),
            "active": w.active(now),
        }
        for w in services.current_windows(now)
    ]
    return [{"template": "maintenance/panel.html", "windows": windows}]
