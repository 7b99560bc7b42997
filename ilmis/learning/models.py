"""Programme content: ordered modules of ordered activities, versions, completion (R6.1, R11.1)."""

import os
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def private_upload_to(instance, filename):
    """A random name under MEDIA_ROOT/learning/: nothing guessable, nothing of the original name."""
    ext = os.path.splitext(filename)[1].lower()
    ext = ext if ext in {".pdf", ".mp4", ".webm", ".ogv", ".m4v"} else ""
    return f"learning/{uuid.uuid4().hex}{ext}"


class Module(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(
        "catalog.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="modules",
    )
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("présentation"), blank=True)
    position = models.PositiveIntegerField(_("ordre"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["programme", "position", "id"]
        indexes = [models.Index(fields=["programme", "position"])]

    def __str__(self):
        return self.title


class Activity(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT = "document", _("document PDF")
        PAGE = "page", _("page")
        VIDEO = "video", _("vidéo")
        QUIZ = "quiz", _("QCM")
        EXERCISE = "exercise", _("exercice")
        SCORM = "scorm", _("paquet SCORM")

    FILE_KINDS = {Kind.DOCUMENT, Kind.VIDEO}
    MANUAL_KINDS = {Kind.DOCUMENT, Kind.PAGE}  # the learner marks them as done

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    module = models.ForeignKey(
        Module, verbose_name=_("module"), on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=200)
    position = models.PositiveIntegerField(_("ordre"), default=0)
    duration_minutes = models.PositiveIntegerField(
        _("durée estimée (minutes)"),
        default=10,
        help_text=_("Affichée à l'apprenant (D6313-3-1 2°)."),
    )
    body = models.TextField(
        _("contenu (HTML)"), blank=True, help_text=_("Nettoyé à l'enregistrement et à l'affichage.")
    )
    file = models.FileField(_("fichier"), upload_to=private_upload_to, blank=True, max_length=200)
    file_name = models.CharField(_("nom du fichier d'origine"), max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(_("taille (octets)"), default=0)
    content_type = models.CharField(_("type de contenu"), max_length=100, blank=True)
    archived_at = models.DateTimeField(
        _("retirée le"),
        null=True,
        blank=True,
        help_text=_("Retirée du parcours à la prochaine version ; les traces sont conservées."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        ordering = ["module__position", "module_id", "position", "id"]
        indexes = [models.Index(fields=["module", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1), name="activity_duration_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["document", "page", "video", "quiz", "exercise", "scorm"]
                ),
                name="activity_kind_valid",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.body:
            from .sanitize import clean_html

            self.body = clean_html(self.body)
        super().save(*args, **kwargs)


class ProgrammeVersion(models.Model):
    """What was announced to learners: the activities and their estimated durations (R11.1)."""

    programme = models.ForeignKey(
        "catalog.Programme", on_delete=models.CASCADE, related_name="content_versions"
    )
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("activités et durées annoncées"))
    total_minutes = models.PositiveIntegerField(_("durée totale (minutes)"), default=0)
    published_at = models.DateTimeField(_("publiée le"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("version du programme")
        verbose_name_plural = _("versions du programme")
        ordering = ["programme", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="one_number_per_programme_version"
            )
        ]

    def __str__(self):
        return f"{self.programme_id} v{self.number}"

    @property
    def activity_uuids(self):
        return [a["uuid"] for m in self.snapshot.get("modules", []) for a in m["activities"]]


class ActivityCompletion(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_completions"
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(_("terminée le"))
    source = models.CharField(_("origine"), max_length=30, default="learner")

    class Meta:
        verbose_name = _("activité terminée")
        verbose_name_plural = _("activités terminées")
        constraints = [
            models.UniqueConstraint(fields=["user", "activity"], name="one_completion_per_activity")
        ]

    def __str__(self):
        return f"{self.user_id} · {self.activity_id}"
