"""Exercises with corrections (R6.4): instructions, submissions kept per version, grading."""

import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def private_upload_to(instance, filename):
    """Random names under MEDIA_ROOT/exercises/: never guessable, served by views only."""
    ext = os.path.splitext(filename)[1].lower()[:8]
    ext = ext if ext.isascii() and ext[1:].isalnum() else ""
    return f"exercises/{uuid.uuid4().hex}{ext}"


class Exercise(models.Model):
    activity = models.OneToOneField(
        "learning.Activity",
        verbose_name=_("activité"),
        on_delete=models.CASCADE,
        related_name="exercise",
    )
    instructions = models.TextField(_("consignes"))
    due_at = models.DateTimeField(
        _("date limite de remise"),
        null=True,
        blank=True,
        help_text=_("Laisser vide : pas de date limite (dans la fenêtre d'accès)."),
    )
    accepts_text = models.BooleanField(_("réponse écrite possible"), default=True)
    allowed_types = models.JSONField(_("types de fichiers acceptés"), default=list, blank=True)
    max_file_mb = models.PositiveIntegerField(_("taille maximale par fichier (Mo)"), default=10)
    max_files = models.PositiveSmallIntegerField(_("nombre maximal de fichiers"), default=3)
    max_grade = models.DecimalField(
        _("note maximale"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=[MinValueValidator(Decimal("1"))],
    )
    corrector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("formateur correcteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Prévenu par courriel à chaque remise (sinon l'adresse de l'organisme)."),
    )
    correction_text = models.TextField(_("corrigé (texte)"), blank=True)
    correction_file = models.FileField(
        _("corrigé (fichier)"), upload_to=private_upload_to, blank=True, max_length=200
    )
    correction_file_name = models.CharField(max_length=200, blank=True)
    correction_content_type = models.CharField(max_length=100, blank=True)
    correction_released_at = models.DateTimeField(_("corrigé publié le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("exercice")
        verbose_name_plural = _("exercices")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_file_mb__gte=1), name="exercise_max_file_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(max_grade__gt=0), name="exercise_max_grade_positive"
            ),
        ]

    def __str__(self):
        return self.activity.title

    def is_open(self, now=None):
        return self.due_at is None or (now or timezone.now()) < self.due_at

    @property
    def correction_released(self):
        return self.correction_released_at is not None


class Submission(models.Model):
    """One version of a learner's work; a resubmission is a new row (every version is kept)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="submissions")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exercise_submissions"
    )
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("réponse"), blank=True)
    submitted_at = models.DateTimeField(_("remis le"), default=timezone.now)
    grade = models.DecimalField(_("note"), max_digits=5, decimal_places=2, null=True, blank=True)
    comments = models.TextField(_("commentaires du formateur"), blank=True)
    annotated_file = models.FileField(
        _("copie annotée"), upload_to=private_upload_to, blank=True, max_length=200
    )
    annotated_file_name = models.CharField(max_length=200, blank=True)
    annotated_content_type = models.CharField(max_length=100, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField(_("corrigé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("copie")
        verbose_name_plural = _("copies")
        ordering = ["exercise", "learner", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "learner", "version"], name="one_submission_per_version"
            ),
            models.CheckConstraint(
                condition=models.Q(grade__isnull=True) | models.Q(grade__gte=0),
                name="submission_grade_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(graded_at__isnull=True, grade__isnull=True)
                | models.Q(graded_at__isnull=False, grade__isnull=False),
                name="submission_graded_with_grade",
            ),
        ]
        indexes = [
            models.Index(fields=["graded_at", "submitted_at"]),
            models.Index(fields=["exercise", "learner", "version"]),
        ]

    def __str__(self):
        return f"{self.exercise} · {self.learner} · v{self.version}"


class SubmissionFile(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=private_upload_to, max_length=200)
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.original_name
