from allauth.account.signals import password_reset
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from ilmis.audit.services import record

from . import services


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    """Every login, whatever the flow, is recorded and obeys the session limit (R3.4)."""
    from allauth.usersessions.models import UserSession

    if request is None or not hasattr(request, "user"):  # e.g. the test client's force_login
        return

    UserSession.objects.create_from_request(request)
    services.enforce_session_limit(request, user)
    record("session.login", user, actor=user, request=request)


@receiver(password_reset)
def on_password_reset(sender, request, user, **kwargs):
    # The link came by email: the address is verified; any other session is ended (R5.3).
    services.mark_email_verified(user)
    services.end_sessions(user)
    if user.must_reset_password:
        user.must_reset_password = False
        user.save(update_fields=["must_reset_password"])
    record("account.password_reset", user, actor=user, request=request)
