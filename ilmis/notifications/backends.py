"""Django email backend that writes to the outbox instead of talking to a server.

Every `send_mail`, allauth message or `EmailMessage.send()` in the platform lands here, in the
caller's database transaction; `services.deliver_due` sends it later through the real backend.
"""

from django.core.mail.backends.base import BaseEmailBackend

from . import services


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            services.enqueue(message)
        return len(email_messages)
