from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


def home(request):
    return render(request, "core/home.html")


@login_required
def dashboard(request):
    """Each role lands on what it needs; apps add their panels through `dashboard_panels`."""
    from .dashboard import collect_panels

    return render(request, "core/dashboard.html", {"panels": collect_panels(request)})


@never_cache
def healthz(request):
    """For a load balancer: database, cache and queue each answer, or the status is 503."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # report, never raise, from a health check
        checks["database"] = f"error: {type(error).__name__}"
    try:
        cache.set("healthz", "1", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "error"
    except Exception as error:
        checks["cache"] = f"error: {type(error).__name__}"
    try:
        from huey.contrib.djhuey import HUEY

        checks["queue"] = "ok"
        checks["queue_length"] = HUEY.pending_count()
    except Exception as error:
        checks["queue"] = f"error: {type(error).__name__}"
    healthy = all(v == "ok" for k, v in checks.items() if k != "queue_length")
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "checks": checks,
            "environment": settings.ILMIS_ENV,
        },
        status=200 if healthy else 503,
    )


def privacy(request):
    """R7.3: who to write to about personal data: postal address and email, from settings."""
    return render(request, "core/privacy.html")
