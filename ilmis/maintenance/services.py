"""Maintenance windows (R5.8): scheduling with 72 hours' notice, notices to every active user,
maintenance mode read from the stored times, recorded downtime, deadline extensions."""

from __future__ import annotations

import logging
import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ilmis.audit.services import record
from ilmis.notifications.services import enqueue

from .models import MaintenanceNotice, MaintenanceWindow
from .signals import outage_ended

CACHE_KEY = "maintenance:windows:v1"
logger = logging.getLogger(__name__)


def clock():
    """The time the maintenance rules use (one place, so tests can move it)."""
    return timezone.now()


def notice() -> timedelta:
    return timedelta(hours=getattr(settings, "ILMIS_MAINTENANCE_NOTICE_HOURS", 72))


def cache_seconds() -> int:
    return int(getattr(settings, "ILMIS_MAINTENANCE_CACHE_SECONDS", 15))


def paris_tz():
    return ZoneInfo(getattr(settings, "ILMIS_MAINTENANCE_TIMEZONE", "Europe/Paris"))


def is_staff_user(user) -> bool:
    return bool(user.is_authenticated and user.is_back_office)


def require_staff(user):
    """The one access check of this app: only ILMIS staff and admins manage maintenance."""
    if not is_staff_user(user):
        raise PermissionDenied


# --- what is on now: read from the database through a short shared cache ---------------------


@dataclass(frozen=True)
class CachedWindow:
    id: int
    starts_at: datetime
    ends_at: datetime
    affected: str
    emergency: bool

    def active(self, now):
        return self.starts_at <= now < self.ends_at


def current_windows(now=None) -> list[CachedWindow]:
    """Announced windows not yet over (scheduled or running), from the cache or the database.

    The cache holds stored *times*, never an on/off state: each request compares them with the
    clock, so the mode switches on and off by itself at the stored times on every process.
    """
    now = now or clock()
    windows = cache.get(CACHE_KEY)
    if windows is None:
        rows = (
            MaintenanceWindow.objects.filter(
                cancelled_at__isnull=True, actual_end__isnull=True, ends_at__gt=now
            )
            .order_by("starts_at")
            .values_list("id", "starts_at", "ends_at", "affected", "emergency")
        )
        windows = [CachedWindow(*row) for row in rows]
        cache.set(CACHE_KEY, windows, cache_seconds())
    return [w for w in windows if w.ends_at > now]


def active_window(now=None) -> CachedWindow | None:
    now = now or clock()
    return next((w for w in current_windows(now) if w.active(now)), None)


def invalidate():
    cache.delete(CACHE_KEY)


def retry_after(window: CachedWindow, now=None) -> int:
    now = now or clock()
    return max(1, math.ceil((window.ends_at - now).total_seconds()))


# --- French time ------------------------------------------------------------------------------


def when(moment: datetime) -> str:
    """« lundi 1 mars 2027 à 22:00 » in Paris time, whatever the server's zone."""
    local = moment.astimezone(paris_tz())
    return _("%(day)s à %(time)s") % {
        "day": formats.date_format(local, "l j F Y"),
        "time": formats.time_format(local, "H:i"),
    }


# --- scheduling --------------------------------------------------------------------------------


def _validate(starts_at, ends_at, emergency, reason, now, *, start_changed=True):
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("La fin doit être après le début.")
    if start_changed:
        if starts_at < now - timedelta(minutes=5):
            errors["starts_at"] = _("Le début est dans le passé.")
        elif not emergency and starts_at - now < notice():
            errors["starts_at"] = _(
                "Une maintenance s'annonce au moins 72 heures à l'avance : début au plus tôt le "
                "%(earliest)s. En cas d'urgence, cochez « urgence » et donnez le motif."
            ) % {"earliest": when(now + notice())}
    if emergency and not (reason or "").strip():
        errors["emergency_reason"] = _("Une maintenance d'urgence doit être motivée.")
    if errors:
        raise ValidationError(errors)


def schedule(
    *,
    by,
    starts_at,
    ends_at,
    affected,
    emergency=False,
    emergency_reason="",
    request=None,
    now=None,
) -> MaintenanceWindow:
    """Announce a window: refused under 72 h of notice unless an emergency with a reason."""
    require_staff(by)
    now = now or clock()
    _validate(starts_at, ends_at, emergency, emergency_reason, now)
    if not (affected or "").strip():
        raise ValidationError({"affected": _("Indiquez ce qui est concerné.")})
    with transaction.atomic():
        window = MaintenanceWindow.objects.create(
            starts_at=starts_at,
            ends_at=ends_at,
            affected=affected.strip(),
            emergency=emergency,
            emergency_reason=(emergency_reason or "").strip() if emergency else "",
            created_by=by,
        )
        notice = notify_users(window, "scheduled")
        record(
            "maintenance.scheduled",
            window,
            actor=by,
            request=request,
            to_state="scheduled",
            starts_at=starts_at.isoformat(),
            ends_at=ends_at.isoformat(),
            emergency=emergency,
            notice=notice.pk,
        )
    return window


def update(
    window_id,
    *,
    by,
    starts_at,
    ends_at,
    affected,
    emergency=False,
    emergency_reason="",
    request=None,
    now=None,
) -> MaintenanceWindow:
    """Change a window; once it has started only its expected end and description can change."""
    require_staff(by)
    now = now or clock()
    with transaction.atomic():
        window = MaintenanceWindow.objects.select_for_update().get(pk=window_id)
        state = window.state(now)
        if state in ("cancelled", "ended"):
            raise ValidationError(_("Cette maintenance est terminée ou annulée."))
        if state == "active":
            starts_at = window.starts_at
            if ends_at <= now:
                raise ValidationError(
                    {"ends_at": _("Pour terminer maintenant, utilisez « Terminer ».")}
                )
        start_changed = starts_at != window.starts_at
        _validate(starts_at, ends_at, emergency, emergency_reason, now, start_changed=start_changed)
        before = {"starts_at": window.starts_at.isoformat(), "ends_at": window.ends_at.isoformat()}
        window.starts_at, window.ends_at = starts_at, ends_at
        window.affected = (affected or window.affected).strip()
        window.emergency = emergency
        window.emergency_reason = (emergency_reason or "").strip() if emergency else ""
        window.save()
        notice = notify_users(window, "changed")
        record(
            "maintenance.changed",
            window,
            actor=by,
            request=request,
            before=before,
            starts_at=starts_at.isoformat(),
            ends_at=ends_at.isoformat(),
            notice=notice.pk,
        )
    return window


def cancel(window_id, *, by, request=None, now=None) -> MaintenanceWindow:
    require_staff(by)
    now = now or clock()
    with transaction.atomic():
        window = MaintenanceWindow.objects.select_for_update().get(pk=window_id)
        if window.state(now) != "scheduled":
            raise ValidationError(
                _(
                    "Seule une maintenance qui n'a pas commencé peut être annulée ; une "
                    "maintenance en cours se termine avec « Terminer »."
                )
            )
        window.cancelled_at = now
        window.cancelled_by = by
        window.save()
        notice = notify_users(window, "cancelled")
        record(
            "maintenance.cancelled",
            window,
            actor=by,
            request=request,
            from_state="scheduled",
            to_state="cancelled",
            notice=notice.pk,
        )
    return window


def end_now(window_id, *, by, request=None, now=None) -> MaintenanceWindow:
    """Staff end a running window early: actual end = now; deadlines are extended."""
    require_staff(by)
    now = now or clock()
    with transaction.atomic():
        window = MaintenanceWindow.objects.select_for_update().get(pk=window_id)
        if window.state(now) != "active":
            raise ValidationError(_("Cette maintenance n'est pas en cours."))
        _finish(window, end=now, by=by, request=request)
    return window


def tick(now=None) -> int:
    """Record actual starts and ends from the stored times (a periodic job; safe to repeat),
    and finish any notice whose job did not run. Maintenance mode does not depend on it."""
    now = now or clock()
    pending = MaintenanceNotice.objects.filter(
        completed_at__isnull=True, created_at__lte=now - timedelta(minutes=1)
    )
    for notice_id in list(pending.values_list("pk", flat=True)):
        send_notice(notice_id)
    started = MaintenanceWindow.objects.filter(
        cancelled_at__isnull=True, actual_start__isnull=True, starts_at__lte=now
    )
    for pk in list(started.values_list("pk", flat=True)):
        with transaction.atomic():
            window = MaintenanceWindow.objects.select_for_update().get(pk=pk)
            if window.actual_start is None and window.cancelled_at is None:
                window.actual_start = window.starts_at
                window.save(update_fields=["actual_start", "updated_at"])
                record("maintenance.started", window, from_state="scheduled", to_state="active")
    ended = MaintenanceWindow.objects.filter(
        cancelled_at__isnull=True, actual_end__isnull=True, ends_at__lte=now
    )
    count = 0
    for pk in list(ended.values_list("pk", flat=True)):
        with transaction.atomic():
            window = MaintenanceWindow.objects.select_for_update().get(pk=pk)
            if window.actual_end is None and window.cancelled_at is None:
                _finish(window, end=window.ends_at)
                count += 1
    return count


def _finish(window, *, end, by=None, request=None):
    window.actual_start = window.actual_start or window.starts_at
    window.actual_end = max(end, window.actual_start)
    window.ended_by = by
    window.save()
    duration = window.actual_end - window.actual_start
    record(
        "maintenance.ended",
        window,
        actor=by,
        request=request,
        from_state="active",
        to_state="ended",
        actual_start=window.actual_start.isoformat(),
        actual_end=window.actual_end.isoformat(),
        early=by is not None,
        minutes=round(duration.total_seconds() / 60),
    )
    # Receivers (enrolment, exercises) extend the deadlines that overlap, in this transaction.
    outage_ended.send(
        sender=MaintenanceWindow,
        window=window,
        start=window.actual_start,
        end=window.actual_end,
        duration=duration,
    )


# --- notices to every active user (outbox) -----------------------------------------------------


def notify_users(window, kind):
    """Queue a notice to every active user; the emails are written by `send_notice` (a job
    started when this transaction commits, and the every-minute `tick` as a safety net)."""
    notice = MaintenanceNotice.objects.create(window=window, kind=kind)
    transaction.on_commit(lambda: _start_notice(notice.pk))
    return notice


def _start_notice(notice_id):
    from .tasks import send_maintenance_notice

    try:
        send_maintenance_notice(notice_id)
    except Exception:  # the queue being down must not break the request; tick() catches up
        logger.exception("Could not queue maintenance notice %s", notice_id)


def notice_batch_size() -> int:
    return int(getattr(settings, "ILMIS_MAINTENANCE_NOTICE_BATCH", 500))


def send_notice(notice_id, batch_size=None) -> int:
    """Write the notice's emails to the outbox, one per active user, in batches; each batch and
    its bookmark commit together. Safe to run twice or concurrently. Returns emails written."""
    batch_size = batch_size or notice_batch_size()
    users = get_user_model().objects.filter(is_active=True).exclude(email="").order_by("pk")
    written = 0
    rendered = {}
    while True:
        with transaction.atomic():
            notice = (
                MaintenanceNotice.objects.select_for_update()
                .select_related("window")
                .filter(pk=notice_id, completed_at__isnull=True)
                .first()
            )
            if notice is None:
                return written
            batch = list(
                users.filter(pk__gt=notice.last_user_id).values_list("pk", "email", "language")[
                    :batch_size
                ]
            )
            for _pk, email, language in batch:
                language = language or settings.LANGUAGE_CODE
                if language not in rendered:
                    rendered[language] = _render(notice.window, notice.kind, language)
                subject, body = rendered[language]
                enqueue(EmailMultiAlternatives(subject=subject, body=body, to=[email]))
            written += len(batch)
            notice.recipients += len(batch)
            if batch:
                notice.last_user_id = batch[-1][0]
            if len(batch) < batch_size:
                notice.completed_at = clock()
            notice.save(update_fields=["recipients", "last_user_id", "completed_at"])
            if notice.completed_at:
                record(
                    "maintenance.notified",
                    notice.window,
                    kind=notice.kind,
                    recipients=notice.recipients,
                )
                return written


def _render(window, kind, language):
    with translation.override(language):
        context = {
            "window": window,
            "kind": kind,
            "start": when(window.starts_at),
            "end": when(window.ends_at),
            "organisation": settings.ORGANISATION,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string(f"maintenance/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"maintenance/email/{kind}.txt", context)
    return f"[{settings.ORGANISATION['name']}] {' '.join(subject.split())}", body


# --- report ------------------------------------------------------------------------------------


def effective_interval(window, now):
    """The downtime a window really caused: recorded times, or the stored ones if no job ran."""
    if window.cancelled_at:
        return None
    start = window.actual_start or window.starts_at
    if start > now:
        return None
    end = window.actual_end or min(window.ends_at, now)
    return start, max(end, start)


def monthly_downtime(now=None, months=12):
    """Per month (Paris time): windows, emergencies, planned and actual downtime, availability."""
    now = now or clock()
    tz = paris_tz()
    month_start = now.astimezone(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    bounds = []
    start = month_start
    for _i in range(months):
        end = (start + timedelta(days=32)).replace(day=1)
        bounds.append((start, end))
        start = (start - timedelta(days=1)).replace(day=1)
    oldest = bounds[-1][0]
    windows = list(MaintenanceWindow.objects.filter(ends_at__gte=oldest, cancelled_at__isnull=True))
    rows = OrderedDict()
    for start, end in bounds:
        period_end = min(end, now)
        length = (period_end - start).total_seconds()
        down = 0.0
        planned = 0.0
        count = emergencies = 0
        for window in windows:
            interval = effective_interval(window, now)
            if start <= window.starts_at < end:
                count += 1
                emergencies += window.emergency
                planned += (window.ends_at - window.starts_at).total_seconds()
            if interval:
                lo, hi = max(interval[0], start), min(interval[1], end)
                if hi > lo:
                    down += (hi - lo).total_seconds()
        rows[start.strftime("%Y-%m")] = {
            "month": start.strftime("%Y-%m"),
            "windows": count,
            "emergencies": emergencies,
            "planned_minutes": round(planned / 60),
            "downtime_minutes": round(down / 60),
            "availability": round(100 * (1 - down / length), 3) if length > 0 else None,
        }
    return list(rows.values())


# --- deadlines that an outage should extend (used by the outage_ended receivers) ---------------


@dataclass(frozen=True)
class Outage:
    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def as_outage(outage) -> Outage:
    if isinstance(outage, Outage):
        return outage
    if isinstance(outage, tuple | list):
        return Outage(*outage)
    start = getattr(outage, "actual_start", None) or getattr(outage, "start", None)
    end = getattr(outage, "actual_end", None) or getattr(outage, "end", None)
    if start is None or end is None:
        raise ValueError("an outage needs a start and an end")
    return Outage(start, end)


def overlaps(period_start, period_end, outage) -> bool:
    """Whether [period_start, period_end] (period_start may be None) overlaps the outage."""
    outage = as_outage(outage)
    return outage.start < period_end and (period_start is None or outage.end > period_start)


def extend_if_overlapping(deadline, outage, *, period_start=None):
    """The deadline pushed back by the outage's length if the outage fell inside the period that
    ends at the deadline (and starts at `period_start`, if given); unchanged otherwise.

    Example: an access window 1–31 March ending 31 March 23:59 and an outage 10 March 22:00–
    11 March 02:00 → the end becomes 1 April 03:59. A deadline already past when the outage
    began, or a period that only starts after it, is left alone. Returns a new datetime (or the
    same one); the caller saves it and records the audit event."""
    if deadline is None:
        return None
    outage = as_outage(outage)
    if outage.duration <= timedelta(0):
        return deadline
    if overlaps(period_start, deadline, outage):
        return deadline + outage.duration
    return deadline
