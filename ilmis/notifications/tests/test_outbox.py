"""Email outbox: written with the change, delivered later, never lost, never sent twice."""

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ilmis.notifications import services
from ilmis.notifications.models import OutgoingEmail

pytestmark = pytest.mark.django_db


class Recorder:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        self.messages.append(envelope)
        return "250 OK"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_settings(settings):
    port = free_port()
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return port


def test_email_survives_smtp_down_then_is_sent_exactly_once(smtp_settings):
    send_mail("Convocation", "Bonjour", None, ["lea@example.test"])
    email = OutgoingEmail.objects.get()
    assert email.status == "queued"

    # SMTP is down: the attempt fails, the email stays queued with a later retry.
    assert services.deliver_due() == 0
    email.refresh_from_db()
    assert email.status == "queued" and email.attempts == 1 and email.last_error
    assert email.next_attempt_at > timezone.now()

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=smtp_settings)
    controller.start()
    try:
        assert services.deliver_due() == 0  # not due yet: backoff is respected
        later = timezone.now() + timedelta(hours=1)
        assert services.deliver_due(now=later) == 1
        assert services.deliver_due(now=later) == 0  # a second sweep sends nothing again
        services.deliver(email.pk)  # nor does a duplicate task
    finally:
        controller.stop()
    assert len(recorder.messages) == 1
    assert recorder.messages[0].rcpt_tos == ["lea@example.test"]
    assert b"Convocation" in recorder.messages[0].content
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 2 and email.sent_at


def test_gives_up_after_the_configured_attempts(smtp_settings, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    send_mail("Objet", "Texte", None, ["a@example.test"])
    email = OutgoingEmail.objects.get()
    services.deliver(email.pk)
    services.deliver(email.pk)
    email.refresh_from_db()
    assert email.status == "failed" and email.next_attempt_at is None


def test_email_is_written_in_the_same_transaction_as_the_change(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        send_mail("Objet", "Texte", None, ["a@example.test"])
        raise RuntimeError("the change failed")
    assert not OutgoingEmail.objects.exists()


def test_attachments_and_html_survive_the_outbox(mailbox):
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives("Invitation", "Texte", None, ["a@example.test"])
    message.attach_alternative("<p>HTML</p>", "text/html")
    message.attach("classe.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    message.send()
    delivered = mailbox()[0]
    assert delivered.alternatives[0][0] == "<p>HTML</p>"
    assert delivered.attachments[0][0] == "classe.ics"
    assert (
        b"BEGIN:VCALENDAR" in delivered.attachments[0][1].encode()
        if isinstance(delivered.attachments[0][1], str)
        else delivered.attachments[0][1]
    )


def test_staff_page_lists_emails_with_their_links(client, staff, learner):
    send_mail(
        "Lien", "Cliquez http://testserver/accounts/confirm-email/abc/", None, [learner.email]
    )
    client.force_login(staff)
    page = client.get("/equipe/courriels/").content.decode()
    assert 'href="http://testserver/accounts/confirm-email/abc/"' in page
    client.force_login(learner)
    assert client.get("/equipe/courriels/").status_code == 302


def test_staff_page_is_off_in_production(client, staff, settings):
    settings.ILMIS_OUTBOX_PAGE = False
    client.force_login(staff)
    assert client.get("/equipe/courriels/").status_code == 404


def test_the_queue_really_stores_and_runs_a_task(settings):
    """Huey on its real storage (the SQLite file, or Redis in CI), not the inline test mode."""
    from huey.contrib.djhuey import HUEY

    send_mail("Objet", "Texte", None, ["q@example.test"])
    email = OutgoingEmail.objects.get()
    huey_class = type(HUEY)
    storage_kwargs = (
        {"url": settings.REDIS_URL}
        if settings.REDIS_URL
        else {"filename": settings.HUEY["filename"]}
    )
    real = huey_class(name=f"ilmis-test-{email.pk}", immediate=False, **storage_kwargs)
    try:
        real.flush()
        deliver_email = real.task()(services.deliver)
        deliver_email(email.pk)
        assert real.pending_count() == 1
        real.execute(real.dequeue())
        assert real.pending_count() == 0
    finally:
        real.flush()
    email.refresh_from_db()
    assert email.status == "sent"
