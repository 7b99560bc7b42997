import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def screenshot_path(instance, filename):
    # Random, non-guessable name; the file is only ever served through an access-checked view.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"support/screenshots/{uuid.uuid4().hex}.{extension}"


class Incident(models.Model):
    """R5.6/R5.7: a technical malfunction reported by a user, with its SLA clock."""

    class Status(models.TextChoices):
        OPEN = "open", _("reçu")
        IN_PROGRESS = "in_progress", _("en cours de traitement")
        RESOLVED = "resolved", _("résolu")
        CLOSED = "closed", _("clos")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signalé par"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    summary = models.CharField(_("que se passe-t-il ?"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    page_url = models.CharField(_("page concernée"), max_length=500, blank=True)
    activity_ref = models.CharField(_("activité concernée"), max_length=200, blank=True)
    happened_at = models.DateTimeField(_("survenu le"))
    reported_at = models.DateTimeField(_("signalé le"), default=timezone.now, db_index=True)
    late = models.BooleanField(_("signalé plus de 48 h après"), default=False)
    screenshot = models.FileField(_("capture d'écran"), upload_to=screenshot_path, blank=True)
    user_agent = models.CharField(_("navigateur"), max_length=300, blank=True)
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    # Stored when reported (from reported_at and the work calendar) so the queue sorts in SQL;
    # at-risk and breached are derived from it at read time.
    due_at = models.DateTimeField(_("à résoudre avant le"), db_index=True)
    resolved_at = models.DateTimeField(_("résolu le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pris en charge par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_incidents",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Set by the alert job so the desk is told once; the states themselves are derived.
    at_risk_alerted_at = models.DateTimeField(null=True, blank=True)
    breach_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(happened_at__lte=models.F("reported_at")),
                name="incident_happened_before_report",
            ),
            models.CheckConstraint(
                condition=(Q(status__in=["resolved", "closed"]) & Q(resolved_at__isnull=False))
                | (Q(status__in=["open", "in_progress"]) & Q(resolved_at__isnull=True)),
                name="incident_resolved_iff_resolved_at",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gt=models.F("reported_at")), name="incident_due_after_report"
            ),
        ]

    def __str__(self):
        return f"{self.reference} — {self.summary}"

    @property
    def reference(self):
        return f"INC-{self.pk:06d}" if self.pk else "INC-?"

    @property
    def is_open(self):
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)


class IncidentEvent(models.Model):
    """The timeline of an incident: status changes, replies, learner messages, internal notes."""

    class Kind(models.TextChoices):
        REPORTED = "reported", _("signalement")
        STATUS = "status", _("changement d'état")
        REPLY = "reply", _("réponse de l'équipe")
        MESSAGE = "message", _("message de l'utilisateur")
        NOTE = "note", _("note interne")
        ASSIGNED = "assigned", _("prise en charge")
        COMPAT = "compat", _("test de compatibilité joint")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(blank=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def internal(self):
        return self.kind == self.Kind.NOTE


class CompatibilityReport(models.Model):
    """R4.1: what the compatibility check found in a user's browser, kept to help an incident."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="compatibility_reports"
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="compat_reports"
    )
    results = models.JSONField(default=dict)
    rate_mbps = models.FloatField(_("débit mesuré (Mbit/s)"), null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class Complaint(models.Model):
    """R11.8 (Qualiopi indicator 31): a complaint or difficulty, from receipt to closure."""

    class Source(models.TextChoices):
        LEARNER = "learner", _("apprenant")
        COMPANY = "company", _("entreprise cliente")
        FUNDER = "funder", _("financeur")
        TRAINER = "trainer", _("formateur")
        OTHER = "other", _("autre")

    class Channel(models.TextChoices):
        FORM = "form", _("formulaire")
        EMAIL = "email", _("courriel")
        PHONE = "phone", _("téléphone")
        POST = "post", _("courrier")
        IN_PERSON = "in_person", _("en personne")

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("réclamation")
        DIFFICULTY = "difficulty", _("difficulté")

    class Status(models.TextChoices):
        RECEIVED = "received", _("reçue")
        ACKNOWLEDGED = "acknowledged", _("accusé de réception envoyé")
        ANSWERED = "answered", _("réponse apportée")
        CLOSED = "closed", _("close")

    kind = models.CharField(
        _("nature"), max_length=12, choices=Kind.choices, default=Kind.COMPLAINT
    )
    source = models.CharField(_("émetteur"), max_length=10, choices=Source.choices)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    name = models.CharField(_("nom de l'émetteur"), max_length=200)
    organisation = models.CharField(_("organisme ou entreprise"), max_length=200, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    subject = models.CharField(_("objet"), max_length=200)
    description = models.TextField(_("description"))
    received_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistrée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    acknowledged_at = models.DateTimeField(_("accusé de réception le"), null=True, blank=True)
    answer = models.TextField(_("réponse apportée"), blank=True)
    answered_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    actions = models.TextField(_("actions correctives ou d'amélioration"), blank=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("traitée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("réclamation")
        verbose_name_plural = _("réclamations")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(answered_at__isnull=False),
                name="complaint_closed_after_answer",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="complaint_answer_has_text",
            ),
        ]

    def __str__(self):
        return f"{self.reference} — {self.subject}"

    @property
    def reference(self):
        return f"REC-{self.pk:05d}" if self.pk else "REC-?"
