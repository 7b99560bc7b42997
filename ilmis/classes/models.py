"""Live classes on Microsoft Teams (R10.1), their invitations and attendance (R10.2, R11.7).

A class belongs to a session; its learners are the session's confirmed enrolments. Attendance is
kept per half-day ("slot"): morning and afternoon are derived from the class's times in
Europe/Paris, so a class crossing the lunch boundary has two slots, each signed separately.
"""

import uuid
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PARIS = ZoneInfo("Europe/Paris")


def noon():
    """Where the morning ends in Paris time (default 13:00; ILMIS_CLASSES_HALF_DAY_SPLIT)."""
    value = getattr(settings, "ILMIS_CLASSES_HALF_DAY_SPLIT", "13:00")
    hours, minutes = (int(part) for part in str(value).split(":"))
    return time(hours, minutes)


class Slot(models.TextChoices):
    MORNING = "am", _("matin")
    AFTERNOON = "pm", _("après-midi")


class LiveClassQuerySet(models.QuerySet):
    def active(self):
        return self.filter(cancelled_at__isnull=True)

    def upcoming(self, now=None):
        return self.active().filter(end__gt=now or timezone.now())

    def for_learner(self, user):
        """Classes of the sessions where `user` has a confirmed enrolment."""
        from ilmis.enrolment.models import Enrolment

        sessions = Enrolment.objects.filter(learner=user, status=Enrolment.Status.CONFIRMED).values(
            "session_id"
        )
        return self.filter(session_id__in=sessions)


class LiveClass(models.Model):
    """One Teams meeting of a session."""

    class Provider(models.TextChoices):
        GRAPH = "graph", _("créée par Microsoft Graph")
        LINK = "link", _("lien collé par le formateur")

    uid = models.UUIDField(_("identifiant iCalendar"), default=uuid.uuid4, unique=True)
    session = models.ForeignKey(
        "catalog.Session",
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="live_classes",
    )
    title = models.CharField(_("titre"), max_length=200)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("formateur"),
        on_delete=models.PROTECT,
        related_name="live_classes",
        limit_choices_to={"role": "trainer"},
    )
    join_url = models.URLField(_("lien Teams"), max_length=2000)
    provider = models.CharField(
        _("création"), max_length=5, choices=Provider.choices, default=Provider.LINK
    )
    graph_meeting_id = models.CharField(
        _("identifiant Graph de la réunion"), max_length=500, blank=True
    )
    graph_organizer = models.CharField(_("organisateur Graph"), max_length=200, blank=True)
    sequence = models.PositiveIntegerField(_("séquence iCalendar"), default=0)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=300, blank=True)
    attendance_imported_at = models.DateTimeField(
        _("rapport de présence Teams importé le"), null=True, blank=True
    )

    objects = LiveClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("classe virtuelle")
        verbose_name_plural = _("classes virtuelles")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="liveclass_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(provider="graph") | ~models.Q(graph_meeting_id=""),
                name="liveclass_graph_has_meeting_id",
            ),
            models.UniqueConstraint(
                fields=["graph_meeting_id"],
                condition=~models.Q(graph_meeting_id=""),
                name="unique_liveclass_graph_meeting",
            ),
        ]
        indexes = [models.Index(fields=["session", "start"]), models.Index(fields=["end"])]

    def __str__(self):
        return f"{self.title} — {timezone.localtime(self.start, PARIS):%d/%m/%Y %H:%M}"

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None

    @property
    def ical_uid(self):
        domain = (
            getattr(settings, "ILMIS_CLASSES_UID_DOMAIN", "")
            or settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        )
        return f"classe-{self.uid}@{domain}"

    def local_start(self):
        return timezone.localtime(self.start, PARIS)

    def local_end(self):
        return timezone.localtime(self.end, PARIS)

    def slots(self):
        """[(slot, start, end)] in Paris time: the half-days this class covers."""
        start, end = self.local_start(), self.local_end()
        split = datetime.combine(start.date(), noon(), tzinfo=PARIS)
        if end <= split:
            return [(Slot.MORNING, start, end)]
        if start >= split:
            return [(Slot.AFTERNOON, start, end)]
        return [(Slot.MORNING, start, split), (Slot.AFTERNOON, split, end)]

    def slot_bounds(self, slot):
        for key, start, end in self.slots():
            if key == slot:
                return start, end
        return None


class Attendance(models.Model):
    """One learner, one half-day of one class: their own signature and the trainer's decision."""

    class Status(models.TextChoices):
        PRESENT = "present", _("présent(e)")
        ABSENT = "absent", _("absent(e)")

    live_class = models.ForeignKey(LiveClass, on_delete=models.PROTECT, related_name="attendances")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="class_attendances"
    )
    slot = models.CharField(_("demi-journée"), max_length=2, choices=Slot.choices)
    signed_at = models.DateTimeField(_("signé par l'apprenant le"), null=True, blank=True)
    signed_ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    signed_user_agent = models.CharField(_("navigateur"), max_length=300, blank=True)
    status = models.CharField(
        _("présence confirmée"), max_length=7, choices=Status.choices, blank=True
    )
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("émargement")
        verbose_name_plural = _("émargements")
        ordering = ["live_class", "learner", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["live_class", "learner", "slot"], name="one_attendance_per_slot"
            ),
            models.CheckConstraint(
                condition=models.Q(status="") | models.Q(confirmed_at__isnull=False),
                name="attendance_confirmed_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.learner} — {self.live_class} ({self.get_slot_display()})"


class TrainerSignature(models.Model):
    """The trainer's signature of one half-day of the attendance sheet."""

    live_class = models.ForeignKey(
        LiveClass, on_delete=models.PROTECT, related_name="trainer_signatures"
    )
    slot = models.CharField(_("demi-journée"), max_length=2, choices=Slot.choices)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signé le"), default=timezone.now)
    signed_ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("signature du formateur")
        verbose_name_plural = _("signatures du formateur")
        constraints = [
            models.UniqueConstraint(fields=["live_class", "slot"], name="one_trainer_sig_per_slot")
        ]

    def __str__(self):
        return f"{self.trainer} — {self.live_class} ({self.get_slot_display()})"


class TeamsAttendance(models.Model):
    """One participant line of the Teams attendance report imported through Graph."""

    live_class = models.ForeignKey(
        LiveClass, on_delete=models.CASCADE, related_name="teams_attendance"
    )
    report_id = models.CharField(max_length=200)
    email = models.CharField(_("adresse"), max_length=254, blank=True)
    name = models.CharField(_("nom affiché"), max_length=200, blank=True)
    role = models.CharField(_("rôle"), max_length=40, blank=True)
    total_seconds = models.PositiveIntegerField(_("durée totale (s)"), default=0)
    first_join = models.DateTimeField(_("première connexion"), null=True, blank=True)
    last_leave = models.DateTimeField(_("dernière déconnexion"), null=True, blank=True)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["live_class", "report_id", "email", "name"], name="unique_teams_line"
            )
        ]

    def __str__(self):
        return f"{self.name or self.email} — {self.live_class}"

    @property
    def minutes(self):
        return round(self.total_seconds / 60)


class CalendarFeed(models.Model):
    """A user's private calendar subscription: a secret token in the URL (revocable)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_calendar"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("abonnement au calendrier")
        verbose_name_plural = _("abonnements au calendrier")

    def __str__(self):
        return str(self.user)
