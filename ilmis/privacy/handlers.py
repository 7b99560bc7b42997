"""Special cases used by the declarations: the user row, sessions, audit events."""

from django.apps import apps
from django.conf import settings
from django.db.models import Q

from .anonymise import placeholder_email


def anonymise_user(queryset, user, placeholder):
    """The user row stays (evidence points to it) but holds nothing of the person."""
    changed = 0
    for obj in queryset:
        obj.first_name = "Anonyme"
        obj.last_name = f"#{obj.pk}"
        obj.email = placeholder_email(obj.pk)
        obj.phone = ""
        obj.address = ""
        obj.is_active = False
        obj.must_reset_password = False
        obj.set_unusable_password()
        obj.save()
        changed += 1
    return changed


def end_sessions(queryset, user, placeholder):
    """Sessions end (the Django session too), then their records go."""
    count = 0
    for user_session in queryset:
        user_session.end()
        count += 1
    return count


def user_label():
    return apps.get_model(settings.AUTH_USER_MODEL)._meta.label_lower


def audit_subject(user):
    return Q(actor=user) | Q(target_type=user_label(), target_id=str(user.pk))


def audit_row(event, user):
    """An audit event as the person sees it: no IP, name or details of anyone else."""
    about_them = event.target_type == user_label() and event.target_id == str(user.pk)
    by_them = event.actor_id == user.pk
    return {
        "id": event.pk,
        "at": event.at,
        "action": event.action,
        "by_you": by_them,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target": event.target_repr if about_them else "",
        "from_state": event.from_state,
        "to_state": event.to_state,
        "ip": event.ip if by_them else None,
        "data": event.data if about_them else {},
    }
