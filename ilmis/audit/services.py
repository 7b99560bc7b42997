"""The one way every app records an audited action."""

from django.db import models

from ilmis.core.http import client_ip

from .models import AuditEvent


def record(action, target=None, *, actor=None, request=None, from_state="", to_state="", **data):
    """Record `action` on `target` by `actor` (or the request's user), with optional states."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    event = AuditEvent(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        # States are short labels; a longer value (e.g. two datetimes) is cut, never refused.
        from_state=str(from_state or "")[:100],
        to_state=str(to_state or "")[:100],
        ip=client_ip(request) if request is not None else None,
        data=data,
    )
    if isinstance(target, models.Model):
        event.target_type = target._meta.label_lower
        event.target_id = str(target.pk)
        event.target_repr = str(target)[:255]
    event.save()
    return event


def history(target):
    """The audit trail of one object, oldest first."""
    return AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).order_by("at", "id")
