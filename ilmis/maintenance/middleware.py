from django.http import HttpResponse
from django.template.loader import render_to_string


class MaintenanceMiddleware:
    """R5.8: during a window, everyone but staff gets the maintenance page (503, Retry-After).

    No in-process state: each request reads the stored windows (through a short shared cache)
    and compares their times with the clock, so every process switches on and off by itself at
    the stored times, without a restart.
    """

    # Staff must be able to log in (with MFA) to work during the window; a load balancer's
    # health check and the static files stay reachable.
    EXEMPT_PREFIXES = (
        "/static/",
        "/healthz",
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/2fa/",
        "/i18n/",
        "/jsi18n/",
        "/favicon.ico",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(self.EXEMPT_PREFIXES):
            from . import services

            now = services.clock()
            windows = services.current_windows(now)
            request.maintenance_windows = windows  # the banner reuses them: one cache read
            window = next((w for w in windows if w.active(now)), None)
            if window is not None:
                user = getattr(request, "user", None)
                if not (user is not None and user.is_authenticated and user.is_back_office):
                    return maintenance_response(request, window)
        return self.get_response(request)


def maintenance_response(request, window):
    from . import services

    html = render_to_string(
        "maintenance/maintenance.html",
        {
            "window": window,
            "retry_after": services.retry_after(window),
        },
        request=request,
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(services.retry_after(window))
    response["Cache-Control"] = "no-store"
    return response
