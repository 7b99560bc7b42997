from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _


def banners(request):
    """R5.8: every announced window, on every page, with its dates in Paris time."""
    from . import services

    now = services.clock()
    try:
        windows = getattr(request, "maintenance_windows", None)
        if windows is None:
            windows = services.current_windows(now)
    except Exception:  # a banner must never break a page (e.g. before migrations ran)
        return {"site_banners": []}
    user = getattr(request, "user", None)
    staff = bool(user is not None and user.is_authenticated and user.is_back_office)
    messages = []
    for window in windows:
        dates = {
            "start": services.when(window.starts_at),
            "end": services.when(window.ends_at),
            "affected": window.affected,
        }
        if window.active(now):
            text = (
                _(
                    "Maintenance en cours jusqu'au %(end)s (heure de Paris) : %(affected)s. "
                    "Seule l'équipe a accès à la plateforme."
                )
                % dates
            )
            if staff:
                messages.append(
                    format_html(
                        '{} <a href="{}">{}</a>',
                        text,
                        reverse("maintenance:detail", args=[window.id]),
                        _("Terminer ou prolonger"),
                    )
                )
            else:
                messages.append(text)
        else:
            messages.append(
                _(
                    "Maintenance prévue du %(start)s au %(end)s (heure de Paris) : %(affected)s. "
                    "La plateforme sera indisponible pendant ce temps."
                )
                % dates
            )
    return {"site_banners": messages}
