"""Data-protection requests, data exports and retention runs (R7.2, R11.9)."""

import calendar
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEADLINE_MONTHS = 1  # GDPR art. 12(3)
EXTENSION_MONTHS = 2


def add_months(day, months):
    """The same day `months` calendar months later (31 January + 1 month = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class PrivacyRequest(models.Model):
    """A person's request about their data, made from their account or received by staff."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("accès et portabilité")
        RECTIFICATION = "rectification", _("rectification")
        ERASURE = "erasure", _("effacement")
        OBJECTION = "objection", _("opposition")

    class Channel(models.TextChoices):
        ACCOUNT = "account", _("depuis le compte")
        EMAIL = "email", _("courriel")
        POST = "post", _("courrier postal")

    class Status(models.TextChoices):
        RECEIVED = "received", _("reçue")
        DONE = "done", _("traitée")
        REFUSED = "refused", _("refusée")
        WITHDRAWN = "withdrawn", _("retirée par la personne")

    OPEN_STATUSES = (Status.RECEIVED,)

    kind = models.CharField(_("type de demande"), max_length=14, choices=Kind.choices)
    channel = models.CharField(_("canal"), max_length=8, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte concerné"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="privacy_requests",
    )
    # Not blank: anonymisation then writes "[anonymisé]", so the "has a person" check holds.
    requester_name = models.CharField(_("nom de la personne"), max_length=300)
    requester_email = models.EmailField(_("courriel de la personne"), blank=True)
    received_on = models.DateField(_("reçue le"))
    details = models.TextField(_("précisions"), blank=True)
    # Rectification of what signed documents print: {"first_name": "…", …}
    changes = models.JSONField(_("corrections demandées"), default=dict, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistrée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    extended_at = models.DateTimeField(_("délai prolongé le"), null=True, blank=True)
    extension_reason = models.TextField(_("motif de la prolongation"), blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("réponse apportée"), blank=True)
    # Erasure: the summary shown to the person (counts per kind of data), and the notice sent
    # to the original address, scrubbed once delivered.
    outcome = models.JSONField(default=dict, blank=True)
    notice = models.ForeignKey(
        "notifications.OutgoingEmail",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notice_scrubbed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("demande sur les données personnelles")
        verbose_name_plural = _("demandes sur les données personnelles")
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(requester_email="") | ~Q(requester_name=""),
                name="privacy_request_has_person",
            ),
            models.CheckConstraint(
                condition=Q(status="received", closed_at__isnull=True)
                | (~Q(status="received") & Q(closed_at__isnull=False)),
                name="privacy_request_closed_iff_closed_at",
            ),
            models.CheckConstraint(
                condition=Q(extended_at__isnull=True) | ~Q(extension_reason=""),
                name="privacy_request_extension_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "received_on"])]

    def __str__(self):
        # No name here: this string lands in audit records that outlive an erasure.
        return f"{self.reference} ({self.get_kind_display()})"

    @property
    def reference(self):
        return f"DP-{self.pk or 0:05d}"

    @property
    def is_open(self):
        return self.status == self.Status.RECEIVED

    @property
    def initial_deadline(self):
        return add_months(self.received_on, DEADLINE_MONTHS)

    @property
    def deadline(self):
        """One month from receipt; three when extended (GDPR art. 12(3)). Derived, not stored."""
        months = DEADLINE_MONTHS + (EXTENSION_MONTHS if self.extended_at else 0)
        return add_months(self.received_on, months)

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.is_open and today > self.deadline

    def days_left(self, today=None):
        today = today or timezone.localdate()
        return (self.deadline - today).days

    @property
    def contact_email(self):
        if self.user_id and self.user.is_active:
            return self.user.email
        return self.requester_email


def export_path(instance, filename):
    # Random name under a private prefix: never served but through the signed, checked view.
    return f"private/privacy/exports/{secrets.token_hex(16)}.zip"


class DataExport(models.Model):
    """A person's archive of their data, built by a background job (R7.2, access/portability)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        RUNNING = "running", _("en préparation")
        READY = "ready", _("prête")
        FAILED = "failed", _("échec")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    request = models.ForeignKey(
        PrivacyRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="exports"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("archive de données")
        verbose_name_plural = _("archives de données")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"export {self.pk} ({self.get_status_display()})"

    @property
    def progress(self):
        if self.status == self.Status.READY:
            return 100
        if not self.steps_total:
            return 0
        return min(99, int(100 * self.steps_done / self.steps_total))

    @property
    def expires_at(self):
        from .retention import KINDS

        return self.created_at + timedelta(days=KINDS["export"].value)

    def is_expired(self, now=None):
        return (now or timezone.now()) >= self.expires_at


class RetentionRun(models.Model):
    """What one run of the retention job did (or would do, on a dry run)."""

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("passage de la durée de conservation")
        verbose_name_plural = _("passages de la durée de conservation")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return (
            f"retention {self.started_at:%Y-%m-%d %H:%M}{' (simulation)' if self.dry_run else ''}"
        )
