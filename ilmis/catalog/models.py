"""Programmes and sessions: the public information of Qualiopi indicator 1."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class ProgrammeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class Programme(models.Model):
    """A training programme, with every item Qualiopi indicator 1 asks to publish."""

    title = models.CharField(_("intitulé"), max_length=200)
    slug = models.SlugField(_("adresse (slug)"), max_length=220, unique=True, blank=True)
    summary = models.CharField(_("résumé"), max_length=400, blank=True)
    audience = models.TextField(_("public visé"), blank=True)
    objectives = models.TextField(_("objectifs"))
    content = models.TextField(_("contenu (programme détaillé)"))
    prerequisites = models.TextField(_("prérequis"), default=_("Aucun"))
    duration_hours = models.DecimalField(
        _("durée (heures)"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    modalities = models.TextField(
        _("modalités de déroulement"),
        help_text=_("Présentiel, à distance, mixte ; rythme ; accompagnement."),
    )
    distance = models.BooleanField(_("comprend de la formation à distance"), default=True)
    distance_modalities = models.TextField(
        _("modalités de la formation à distance"),
        blank=True,
        help_text=_("Assistance technique et pédagogique, activités, durée estimée (D6313-3-1)."),
    )
    teaching_methods = models.TextField(_("méthodes et moyens pédagogiques"))
    assessment_methods = models.TextField(_("modalités d'évaluation"))
    monitoring = models.TextField(
        _("suivi de l'exécution et sanction"),
        blank=True,
        help_text=_("Comment l'action est suivie et validée (attestation, certificat…)."),
    )
    trainers = models.TextField(_("formateurs et leurs qualifications"))
    access_delay = models.CharField(_("délai d'accès"), max_length=200, blank=True)
    price = models.DecimalField(
        _("prix (€ HT)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    price_details = models.CharField(
        _("précisions sur le prix"),
        max_length=300,
        blank=True,
        help_text=_("TVA, ce qui est inclus, financements possibles."),
    )
    accessibility = models.TextField(
        _("accessibilité aux personnes en situation de handicap"),
        default=_("Contactez notre référent handicap pour étudier les adaptations possibles."),
    )
    published = models.BooleanField(_("publié"), default=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_hours__gt=0), name="programme_duration_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="programme_price_not_negative"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.title)[:200] or "programme"
            if base == "equipe":  # the staff pages live at /formations/equipe/
                base = "equipe-formation"
            slug, n = base, 2
            while Programme.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                slug, n = f"{base}-{n}", n + 1
            self.slug = slug
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("catalog:programme", kwargs={"slug": self.slug})


class SessionQuerySet(models.QuerySet):
    def open_for_registration(self, today=None):
        from django.utils import timezone

        today = today or timezone.localdate()
        return self.filter(registration_open=True, end_date__gte=today, programme__published=True)


class Session(models.Model):
    """One run of a programme: dates, place, capacity and the learners' access duration."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="sessions"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("libellé"), max_length=200, blank=True)
    start_date = models.DateField(_("date de début"))
    end_date = models.DateField(_("date de fin"))
    place = models.CharField(
        _("lieu"), max_length=200, default=_("À distance (plateforme en ligne)")
    )
    capacity = models.PositiveIntegerField(_("effectif maximum"), default=12)
    access_duration_days = models.PositiveIntegerField(
        _("durée d'accès à la plateforme (jours)"),
        default=90,
        help_text=_("Fixée au démarrage de l'action, pour chaque apprenant (R5.4)."),
    )
    price = models.DecimalField(
        _("prix de la session (€ HT)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Laisser vide pour appliquer le prix du programme."),
    )
    registration_open = models.BooleanField(_("inscriptions ouvertes"), default=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start_date", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="session_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(access_duration_days__gte=1),
                name="session_access_duration_positive",
            ),
        ]
        indexes = [models.Index(fields=["programme", "start_date"])]

    def __str__(self):
        return self.title or f"{self.programme.title} — {self.start_date:%d/%m/%Y}"

    @property
    def effective_price(self):
        return self.price if self.price is not None else self.programme.price

    @property
    def label(self):
        return str(self)
