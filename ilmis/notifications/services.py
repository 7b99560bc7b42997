"""The email outbox: enqueue in the caller's transaction, deliver with retries and backoff."""

import base64
import logging
import mimetypes
from datetime import timedelta
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)


def enqueue(message):
    """Store a Django EmailMessage in the outbox; delivery starts once the transaction commits."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            html = content
    email = OutgoingEmail.objects.create(
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        cc=list(message.cc),
        bcc=list(message.bcc),
        reply_to=list(message.reply_to),
        headers=dict(message.extra_headers),
        subject=str(message.subject)[:998],
        body=str(message.body),
        html_body=str(html),
        attachments=[_attachment_to_json(a) for a in message.attachments],
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _schedule_delivery(email.pk))
    return email


def _schedule_delivery(email_id):
    from .tasks import deliver_email

    try:
        deliver_email(email_id)
    except Exception:  # the queue being down must not break the request; the sweep retries
        logger.exception("Could not enqueue delivery of email %s", email_id)


def _attachment_to_json(attachment):
    if isinstance(attachment, MIMEBase):
        filename = attachment.get_filename() or "attachment"
        content = attachment.get_payload(decode=True) or b""
        mimetype = attachment.get_content_type()
    else:
        filename, content, mimetype = attachment
        mimetype = mimetype or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if isinstance(content, str):
        content = content.encode()
    return {
        "filename": filename,
        "mimetype": mimetype,
        "content": base64.b64encode(content).decode(),
    }


def _as_message(email, connection):
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email,
        to=email.to,
        cc=email.cc,
        bcc=email.bcc,
        reply_to=email.reply_to,
        headers=email.headers,
        connection=connection,
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    for item in email.attachments:
        message.attach(item["filename"], base64.b64decode(item["content"]), item["mimetype"])
    return message


def backoff(attempts):
    """Wait before the next try: 1, 2, 4 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def deliver(email_id):
    """Send one queued email. Safe to call twice: the row is locked and checked first."""
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update()
            .filter(pk=email_id, status=OutgoingEmail.Status.QUEUED)
            .first()
        )
        if email is None:
            return False
        email.attempts += 1
        try:
            connection = get_connection(settings.OUTBOX_DELIVERY_BACKEND, fail_silently=False)
            _as_message(email, connection).send()
        except Exception as error:  # any transport failure: keep the row, try again later
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                email.status = OutgoingEmail.Status.FAILED
                email.next_attempt_at = None
            else:
                email.next_attempt_at = timezone.now() + backoff(email.attempts)
            email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning("Email %s not delivered: %s", email.pk, email.last_error)
            return False
        email.status = OutgoingEmail.Status.SENT
        email.sent_at = timezone.now()
        email.next_attempt_at = None
        email.last_error = ""
        email.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at", "last_error"])
        return True


def deliver_due(now=None, limit=500):
    """Deliver every queued email whose next attempt is due. Returns how many were sent."""
    now = now or timezone.now()
    due = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=now
    ).values_list("pk", flat=True)[:limit]
    return sum(1 for email_id in list(due) if deliver(email_id))


def failed_or_bounced_for(address):
    """Emails to `address` that could not be delivered (for delivery dashboards)."""
    return (
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED, to__contains=[address])
        if _json_contains_supported()
        else OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.FAILED, to__icontains=f'"{address}"'
        )
    )


def _json_contains_supported():
    from django.db import connection

    return connection.features.supports_json_field_contains


def send_templated(to, template_prefix, context, *, language=None, attachments=()):
    """Render `<prefix>_subject.txt`, `<prefix>.txt` (and `.html` if present) and queue it.

    `to` is a list of addresses; `language` the recipient's (French by default).
    """
    from django.template import TemplateDoesNotExist
    from django.template.loader import render_to_string
    from django.utils import translation

    context = {"organisation": settings.ORGANISATION, "site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
        body = render_to_string(f"{template_prefix}.txt", context)
        try:
            html = render_to_string(f"{template_prefix}.html", context)
        except TemplateDoesNotExist:
            html = ""
    message = EmailMultiAlternatives(
        subject=f"[{settings.ORGANISATION['name']}] {' '.join(subject.split())}",
        body=body,
        to=list(to),
    )
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return enqueue(message)
