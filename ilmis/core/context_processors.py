from django.conf import settings


def organisation(request):
    """R1.3: the organisation's identity comes from configuration, on every page."""
    return {"organisation": settings.ORGANISATION}
