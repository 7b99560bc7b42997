"""SCORM packages, their SCOs, learners' attempts and the API call log (R6.5)."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .package import VERSIONS


class ScormPackage(models.Model):
    """An imported package; its files live under MEDIA_ROOT/scorm/<uuid>/ (never served as is)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("titre"), max_length=300)
    version = models.CharField(_("version"), max_length=8, choices=list(VERSIONS.items()))
    manifest = models.JSONField(_("manifeste"), default=dict)
    programme = models.ForeignKey(
        "catalog.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scorm_packages",
    )
    activity = models.ForeignKey(
        "learning.Activity",
        verbose_name=_("activité"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scorm_packages",
        help_text=_("L'activité SCORM d'un module qui lance ce paquet."),
    )
    file_count = models.PositiveIntegerField(_("nombre de fichiers"), default=0)
    unpacked_bytes = models.BigIntegerField(_("taille décompressée"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("importé par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("importé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("paquet SCORM")
        verbose_name_plural = _("paquets SCORM")
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version__in=list(VERSIONS)), name="scorm_package_version"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_12(self):
        return self.version == "1.2"

    @property
    def version_label(self):
        return VERSIONS.get(self.version, self.version)

    @property
    def root(self):
        return Path(settings.MEDIA_ROOT) / "scorm" / str(self.uuid)


class Sco(models.Model):
    """A launchable item of the package's default organization, in table-of-contents order."""

    class Kind(models.TextChoices):
        SCO = "sco", _("SCO (suivi)")
        ASSET = "asset", _("ressource (sans suivi)")

    package = models.ForeignKey(ScormPackage, on_delete=models.CASCADE, related_name="scos")
    position = models.PositiveIntegerField(_("ordre"))
    level = models.PositiveSmallIntegerField(_("niveau"), default=0)
    identifier = models.CharField(_("identifiant"), max_length=255)
    title = models.CharField(_("titre"), max_length=300)
    kind = models.CharField(_("type"), max_length=5, choices=Kind.choices, default=Kind.SCO)
    launch = models.CharField(_("fichier de lancement"), max_length=1000)
    parameters = models.CharField(_("paramètres"), max_length=1000, blank=True)
    mastery_score = models.DecimalField(
        _("score de maîtrise (1.2)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    data_from_lms = models.TextField(_("données de lancement"), blank=True)
    time_limit_action = models.CharField(_("action en fin de temps"), max_length=30, blank=True)
    max_time_allowed = models.CharField(_("temps maximum"), max_length=40, blank=True)
    min_normalized_measure = models.DecimalField(
        _("seuil de réussite (2004)"), max_digits=8, decimal_places=7, null=True, blank=True
    )
    satisfied_by_measure = models.BooleanField(_("réussite par le score"), default=False)
    completion_threshold = models.DecimalField(
        _("seuil d'achèvement (2004)"), max_digits=8, decimal_places=7, null=True, blank=True
    )

    class Meta:
        verbose_name = _("SCO")
        verbose_name_plural = _("SCO")
        ordering = ["package", "position"]
        constraints = [
            models.UniqueConstraint(fields=["package", "identifier"], name="sco_unique_identifier"),
            models.UniqueConstraint(fields=["package", "position"], name="sco_unique_position"),
        ]

    def __str__(self):
        return self.title

    @property
    def scaled_passing_score(self):
        """2004: cmi.scaled_passing_score comes from the primary objective, if satisfied by
        measure (SCORM 2004 4th edition RTE 4.2.17)."""
        if self.satisfied_by_measure and self.min_normalized_measure is not None:
            return self.min_normalized_measure
        return None


COMPLETION_LABELS = {
    "completed": _("terminé"),
    "incomplete": _("en cours"),
    "not attempted": _("non commencé"),
    "unknown": _("inconnu"),
}
SUCCESS_LABELS = {"passed": _("réussi"), "failed": _("échoué"), "unknown": _("non évalué")}


class ScormAttempt(models.Model):
    """One learner's attempt on one SCO: the run-time data and what the learning app reads."""

    class State(models.TextChoices):
        ACTIVE = "active", _("en cours")  # a session is open in a browser
        SUSPENDED = "suspended", _("suspendue")  # left with exit=suspend (or abandoned): resume
        CLOSED = "closed", _("terminée")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorm_attempts"
    )
    sco = models.ForeignKey(Sco, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField(_("tentative n°"))
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.ACTIVE)
    data = models.JSONField(_("données d'exécution"), default=dict)
    last_seq = models.PositiveIntegerField(_("dernier appel reçu"), default=0)
    session_count = models.PositiveIntegerField(_("sessions"), default=0)
    # Derived from `data` each time it changes (what the learning app and reports read).
    entry = models.CharField(_("entrée"), max_length=10, blank=True)
    exit = models.CharField(_("sortie"), max_length=10, blank=True)
    location = models.CharField(_("emplacement"), max_length=1000, blank=True)
    suspend_data = models.TextField(_("données de suspension"), blank=True)
    completion_status = models.CharField(_("achèvement"), max_length=15, default="not attempted")
    success_status = models.CharField(_("réussite"), max_length=10, default="unknown")
    score_raw = models.DecimalField(
        _("score brut"), max_digits=17, decimal_places=7, null=True, blank=True
    )
    score_scaled = models.DecimalField(
        _("score normalisé"), max_digits=9, decimal_places=7, null=True, blank=True
    )
    total_seconds = models.FloatField(_("temps total (s)"), default=0)
    started_at = models.DateTimeField(_("commencée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)
    completed_at = models.DateTimeField(_("achevée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("tentative SCORM")
        verbose_name_plural = _("tentatives SCORM")
        ordering = ["sco", "learner", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "sco", "number"], name="scorm_attempt_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="scorm_attempt_number_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(total_seconds__gte=0), name="scorm_attempt_time_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(score_scaled__isnull=True)
                | models.Q(score_scaled__gte=-1, score_scaled__lte=1),
                name="scorm_attempt_scaled_range",
            ),
        ]

    def __str__(self):
        return f"{self.sco} · {self.learner} · {self.number}"

    @property
    def is_completed(self):
        return self.completion_status == "completed"

    @property
    def is_passed(self):
        return self.success_status == "passed"

    @property
    def completion_label(self):
        return COMPLETION_LABELS.get(self.completion_status, self.completion_status)

    @property
    def success_label(self):
        return SUCCESS_LABELS.get(self.success_status, self.success_status)


class ApiCall(models.Model):
    """One call the SCO made to the API (diagnostics for the support desk)."""

    attempt = models.ForeignKey(ScormAttempt, on_delete=models.CASCADE, related_name="calls")
    seq = models.PositiveIntegerField(_("n°"))
    session = models.PositiveIntegerField(_("session"))
    function = models.CharField(_("fonction"), max_length=20)
    element = models.CharField(_("élément"), max_length=255, blank=True)
    value = models.TextField(_("valeur"), blank=True)
    result = models.TextField(_("résultat"), blank=True)
    error_code = models.PositiveSmallIntegerField(_("code d'erreur"), default=0)
    server_error = models.PositiveSmallIntegerField(
        _("code d'erreur du serveur"),
        null=True,
        blank=True,
        help_text=_("Renseigné quand le serveur refuse une valeur acceptée par le navigateur."),
    )
    at = models.DateTimeField(_("horodatage"))

    class Meta:
        verbose_name = _("appel d'API SCORM")
        verbose_name_plural = _("appels d'API SCORM")
        ordering = ["attempt", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "seq"], name="scorm_call_unique_seq")
        ]

    def __str__(self):
        return f"{self.function}({self.element}) → {self.error_code}"
