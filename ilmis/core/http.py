"""Small request helpers shared by every app."""

from django.conf import settings


def client_ip(request):
    """The client's address; behind a proxy, the last hop the proxy appended (not spoofable)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR") or None


def user_agent(request):
    return request.META.get("HTTP_USER_AGENT", "")[:300]
