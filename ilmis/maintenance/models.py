from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class MaintenanceWindow(models.Model):
    """R5.8: a scheduled interruption. Whether it is on is derived from the stored times."""

    starts_at = models.DateTimeField(_("début"), db_index=True)
    ends_at = models.DateTimeField(_("fin prévue"), db_index=True)
    affected = models.TextField(_("ce qui est concerné"))
    emergency = models.BooleanField(_("urgence"), default=False)
    emergency_reason = models.TextField(_("motif de l'urgence"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("programmée par"),
    )
    created_at = models.DateTimeField(_("programmée le"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actual_start = models.DateTimeField(_("début effectif"), null=True, blank=True)
    actual_end = models.DateTimeField(_("fin effective"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("terminée par"),
    )

    class Meta:
        verbose_name = _("fenêtre de maintenance")
        verbose_name_plural = _("fenêtres de maintenance")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="maintenance_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(emergency=False) | ~Q(emergency_reason=""),
                name="maintenance_emergency_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | (Q(actual_start__isnull=False) & Q(actual_end__gte=F("actual_start"))),
                name="maintenance_actual_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | Q(actual_start__isnull=True),
                name="maintenance_cancelled_never_started",
            ),
        ]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M} → {self.ends_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _invalidate_on_commit()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _invalidate_on_commit()
        return result

    def state(self, now):
        if self.cancelled_at:
            return "cancelled"
        if self.actual_end or now >= self.ends_at:
            return "ended"
        if now >= self.starts_at:
            return "active"
        return "scheduled"


def _invalidate_on_commit():
    # Now (this process sees its own change at once) and after commit (so that another
    # process cannot keep a copy it read before the commit).
    from .services import invalidate

    invalidate()
    transaction.on_commit(invalidate)


class MaintenanceNotice(models.Model):
    """One announcement (scheduled, changed, cancelled) to every active user.

    Written in the transaction that changed the window; sent in batches by a job that keeps its
    place (`last_user_id`) in the same transaction as each batch's emails, so every active user
    gets it exactly once even if the job stops half-way and starts again."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("annonce")
        CHANGED = "changed", _("modification")
        CANCELLED = "cancelled", _("annulation")

    window = models.ForeignKey(MaintenanceWindow, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    last_user_id = models.BigIntegerField(default=0)
    recipients = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.window}"
