"""Logins and logouts, kept for the evidence file (R11.4)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from . import services
from .models import Connection


@receiver(user_logged_in, dispatch_uid="tracking_login")
def on_login(sender, request, user, **kwargs):
    services.record_connection(user, Connection.Kind.LOGIN, request)


@receiver(user_logged_out, dispatch_uid="tracking_logout")
def on_logout(sender, request, user, **kwargs):
    services.record_connection(user, Connection.Kind.LOGOUT, request)
