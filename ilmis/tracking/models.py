"""Evidence for funders and Qualiopi (R11.2, R11.4–R11.6, R11.8).

Active time is *derived*: the beat endpoint stores raw beats (one row each, idempotent on
(learner, tab, seq)); services.active_seconds() turns them into time per activity and per day at
read time (each beat credits at most the beat interval, counted once per learner on the wall
clock). Nothing here is a running counter that a retry or a second tab could inflate.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Beat(models.Model):
    """One activity beat from a learner's tab (R11.4): the server's receipt time is what counts."""

    learner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey("learning.Activity", on_delete=models.CASCADE, related_name="+")
    tab = models.UUIDField(_("onglet"))
    seq = models.PositiveIntegerField(_("n°"))
    at = models.DateTimeField(_("reçu le"), default=timezone.now)

    class Meta:
        verbose_name = _("signal d'activité")
        verbose_name_plural = _("signaux d'activité")
        constraints = [
            models.UniqueConstraint(fields=["learner", "tab", "seq"], name="beat_once_per_tab_seq")
        ]
        indexes = [models.Index(fields=["learner", "at"], name="beat_learner_at")]

    def __str__(self):
        return f"{self.learner_id} · {self.activity_id} · {self.at:%Y-%m-%d %H:%M:%S}"


class Connection(models.Model):
    """A login or logout (R11.4)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("connexion")
        LOGOUT = "logout", _("déconnexion")

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("événement"), max_length=6, choices=Kind.choices)
    at = models.DateTimeField(_("le"), default=timezone.now)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    user_agent = models.CharField(_("navigateur"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("connexion")
        verbose_name_plural = _("connexions")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["user", "at"], name="connection_user_at")]

    def __str__(self):
        return f"{self.user_id} · {self.kind} · {self.at:%Y-%m-%d %H:%M}"


class SessionTutor(models.Model):
    """A trainer responsible for the learners of a session (their tutor, R11.2)."""

    session = models.ForeignKey("catalog.Session", on_delete=models.CASCADE, related_name="+")
    trainer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tuteur de session")
        verbose_name_plural = _("tuteurs de session")
        constraints = [
            models.UniqueConstraint(fields=["session", "trainer"], name="one_tutor_row_per_session")
        ]

    def __str__(self):
        return f"{self.session_id} · {self.trainer_id}"


class Thread(models.Model):
    """Exchanges between a learner and their tutors about one programme (R11.2)."""

    learner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey("catalog.Programme", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)
    awaiting_answer = models.BooleanField(_("en attente de réponse"), default=False)

    class Meta:
        verbose_name = _("échange avec le tuteur")
        verbose_name_plural = _("échanges avec le tuteur")
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "programme"], name="one_thread_per_programme"
            )
        ]

    def __str__(self):
        return f"{self.learner} — {self.programme}"


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    from_learner = models.BooleanField()
    activity = models.ForeignKey(
        "learning.Activity",
        verbose_name=_("activité"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("message"), max_length=10000)
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    # For an answer: when the oldest learner message it answers was sent (response time).
    answers_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["thread", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="message_not_empty"),
        ]

    def __str__(self):
        return f"{self.thread_id} · {self.created_at:%Y-%m-%d %H:%M}"


class Outcome(models.Model):
    """What staff record about a learner's enrolment: a stop (R11.5) and the evaluation result."""

    enrolment = models.OneToOneField(
        "enrolment.Enrolment", on_delete=models.PROTECT, related_name="tracking_outcome"
    )
    stopped_at = models.DateField(_("arrêt le"), null=True, blank=True)
    stop_reason = models.TextField(_("motif de l'arrêt"), blank=True)
    passed = models.BooleanField(_("objectifs atteints (évaluation finale)"), null=True, blank=True)
    evaluation = models.TextField(_("résultats de l'évaluation"), blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("issue de la formation")
        verbose_name_plural = _("issues de la formation")
        constraints = [
            models.CheckConstraint(
                condition=Q(stopped_at__isnull=True) | ~Q(stop_reason=""),
                name="outcome_stop_has_reason",
            )
        ]

    def __str__(self):
        return f"{self.enrolment_id}"


class DocumentTemplate(models.Model):
    """Certificate templates staff edit (R11.6); every save is a new version."""

    class Kind(models.TextChoices):
        REALISATION = "realisation", _("certificat de réalisation")
        ATTESTATION = "attestation", _("attestation de fin de formation")

    kind = models.CharField(_("document"), max_length=12, choices=Kind.choices)
    version = models.PositiveIntegerField()
    body = models.TextField(_("modèle (HTML, langage de gabarit Django)"))
    note = models.CharField(_("note de version"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("modèle de document")
        verbose_name_plural = _("modèles de documents")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="one_document_version")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"


def job_path(instance, filename):
    return f"private/tracking/{uuid.uuid4().hex}.zip"


class Job(models.Model):
    """A background generation for a whole session (certificates or evidence files)."""

    class Kind(models.TextChoices):
        CERTIFICATES = "certificates", _("certificats et attestations")
        EVIDENCE = "evidence", _("dossiers de preuve")

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        RUNNING = "running", _("en cours")
        DONE = "done", _("terminé")
        FAILED = "failed", _("échec")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    session = models.ForeignKey("catalog.Session", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=job_path, blank=True, max_length=200)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.session_id} ({self.get_status_display()})"

    @property
    def progress(self):
        if not self.total:
            return 100 if self.status in (self.Status.DONE, self.Status.FAILED) else 0
        return int(100 * self.done / self.total)


class Survey(models.Model):
    """A satisfaction survey for one enrolment (R11.8): à chaud at the end, à froid later.

    The row exists once the survey is sent (invitation); `answered_at` once the learner answers.
    """

    class Kind(models.TextChoices):
        HOT = "hot", _("à chaud (fin de formation)")
        COLD = "cold", _("à froid")

    enrolment = models.ForeignKey(
        "enrolment.Enrolment", on_delete=models.CASCADE, related_name="tracking_surveys"
    )
    kind = models.CharField(_("enquête"), max_length=4, choices=Kind.choices)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction globale (1 à 5)"), null=True)
    objectives = models.PositiveSmallIntegerField(_("objectifs atteints (1 à 5)"), null=True)
    recommend = models.BooleanField(_("recommanderiez-vous cette formation ?"), null=True)
    comment = models.TextField(_("commentaire"), blank=True, max_length=5000)

    class Meta:
        verbose_name = _("enquête de satisfaction")
        verbose_name_plural = _("enquêtes de satisfaction")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "kind"], name="one_survey_per_kind"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="survey_answer_has_score",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.enrolment_id}"


class InactivityAlert(models.Model):
    """A learner without activity for N days; the tutor is told once per period (indicator 12)."""

    enrolment = models.ForeignKey(
        "enrolment.Enrolment", on_delete=models.CASCADE, related_name="tracking_alerts"
    )
    last_activity_at = models.DateTimeField(_("dernière activité"))
    period = models.PositiveIntegerField(_("période"))  # days inactive // N
    created_at = models.DateTimeField(_("alerte le"), default=timezone.now)
    followed_up_at = models.DateTimeField(_("suivi le"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    follow_up = models.TextField(_("action menée"), blank=True)

    class Meta:
        verbose_name = _("alerte d'inactivité")
        verbose_name_plural = _("alertes d'inactivité")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "last_activity_at", "period"], name="one_alert_per_period"
            ),
            models.CheckConstraint(
                condition=Q(followed_up_at__isnull=True) | ~Q(follow_up=""),
                name="alert_follow_up_has_text",
            ),
        ]

    def __str__(self):
        return f"{self.enrolment_id} · {self.last_activity_at:%Y-%m-%d}"


class AccessibilityNeed(models.Model):
    """A learner's accessibility needs and the adaptations decided (Qualiopi indicator 26)."""

    learner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(
        "catalog.Programme",
        verbose_name=_("formation concernée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    needs = models.TextField(_("vos besoins"), max_length=5000)
    created_at = models.DateTimeField(_("déclaré le"), default=timezone.now)
    adaptations = models.TextField(_("adaptations mises en place"), blank=True)
    handled_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    handled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("besoin d'adaptation")
        verbose_name_plural = _("besoins d'adaptation")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.learner_id} · {self.created_at:%Y-%m-%d}"
