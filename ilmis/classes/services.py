"""Live classes (R10.1), invitations, calendar feeds and attendance (R10.2, R11.7).

Every transition is one function: it validates, locks the row, writes an audit record and queues
the emails in the same transaction. With Microsoft Graph configured the remote meeting is changed
first; if that fails nothing is saved, and if the save fails after a creation the remote meeting
is deleted again, so a class is never half-made.
"""

import logging
import secrets
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ilmis.audit.services import record
from ilmis.enrolment.models import Enrolment
from ilmis.notifications.services import send_templated

from . import access, graph, ics
from .models import (
    PARIS,
    Attendance,
    CalendarFeed,
    LiveClass,
    Slot,
    TeamsAttendance,
    TrainerSignature,
)

logger = logging.getLogger(__name__)

TEAMS_HOSTS = ("teams.microsoft.com", "teams.live.com")


def clock():
    return timezone.now()


def _hm(moment):
    return formats.time_format(timezone.localtime(moment, PARIS), "H:i")


def sign_early_minutes():
    return int(getattr(settings, "ILMIS_CLASSES_SIGN_EARLY_MINUTES", 15))


def max_hours():
    return float(getattr(settings, "ILMIS_CLASSES_MAX_HOURS", 8))


# -- learners ----------------------------------------------------------------------------------


def learner_enrolments(session, *, at=None):
    """Confirmed enrolments of the session (whose access has not ended before `at`)."""
    qs = Enrolment.objects.filter(session=session, status=Enrolment.Status.CONFIRMED)
    if at is not None:
        qs = qs.filter(access_end__gt=at)
    return qs.select_related("learner").order_by("learner__last_name", "learner__first_name")


def learners_of(session, *, at=None):
    return [enrolment.learner for enrolment in learner_enrolments(session, at=at)]


# -- validation --------------------------------------------------------------------------------


def validate_join_url(url):
    """A Teams join link: https on teams.microsoft.com or teams.live.com (or a subdomain)."""
    url = (url or "").strip()
    if not url:
        raise ValidationError(_("Collez le lien de la réunion Microsoft Teams."), code="required")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https":
        raise ValidationError(
            _("Le lien Teams doit commencer par https:// (connexion sécurisée)."), code="scheme"
        )
    if not any(host == allowed or host.endswith("." + allowed) for allowed in TEAMS_HOSTS):
        raise ValidationError(
            _(
                "Ce lien n'est pas un lien Microsoft Teams : il doit pointer vers "
                "teams.microsoft.com ou teams.live.com."
            ),
            code="host",
        )
    if parts.username or parts.password or parts.port not in (None, 443):
        raise ValidationError(_("Ce lien Teams n'est pas valide."), code="invalid")
    return url


def validate_times(start, end, *, now=None, creating=True):
    now = now or clock()
    if end <= start:
        raise ValidationError(_("La fin de la classe doit être après son début."), code="order")
    if timezone.localtime(start, PARIS).date() != timezone.localtime(end, PARIS).date():
        raise ValidationError(
            _(
                "Une classe virtuelle se tient sur une seule journée : "
                "planifiez une classe par jour."
            ),
            code="days",
        )
    if (end - start) > timedelta(hours=max_hours()):
        raise ValidationError(
            _("Une classe virtuelle dure au plus %(hours)s heures.")
            % {"hours": f"{max_hours():g}"},
            code="long",
        )
    if creating and start < now:
        raise ValidationError(_("Le début de la classe est déjà passé."), code="past")


def _check_trainer(trainer):
    if trainer is None or not trainer.is_trainer or not trainer.is_active:
        raise ValidationError(_("Choisissez un formateur (compte de rôle formateur actif)."))


# -- invitations -------------------------------------------------------------------------------


def _invite(live_class, kind, *, changes=()):
    """Queue one email per learner (and the trainer) with its .ics; `kind` created/updated/
    cancelled. Runs inside the caller's transaction (the outbox row commits with the change)."""
    method = ics.method_of(live_class)
    recipients = learners_of(live_class.session, at=live_class.start)
    if live_class.trainer not in recipients:
        recipients.append(live_class.trainer)
    context = {
        "live_class": live_class,
        "session": live_class.session,
        "kind": kind,
        "changes": list(changes),
        "start": live_class.local_start(),
        "end": live_class.local_end(),
        "microsoft_terms": ics.MICROSOFT_TERMS,
        "class_url": f"{settings.SITE_URL}/classes/{live_class.pk}/",
    }
    for person in recipients:
        data = ics.invitation(live_class, attendee=person)
        send_templated(
            [person.email],
            f"classes/email/{kind}",
            context | {"person": person},
            language=getattr(person, "language", None) or None,
            attachments=[("classe.ics", data, f"text/calendar; method={method}")],
        )
    return len(recipients)


# -- scheduling --------------------------------------------------------------------------------


def schedule(*, session, title, start, end, trainer, join_url="", by, request=None):
    """Create a class (and its Teams meeting through Graph when configured); invite learners."""
    if not access.is_manager(by):
        raise PermissionDenied(_("Seuls les formateurs et l'équipe planifient des classes."))
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Donnez un titre à la classe."))
    _check_trainer(trainer)
    validate_times(start, end)
    cfg = graph.config()
    uid = uuid.uuid4()
    meeting = None
    if cfg:
        meeting = graph.create_meeting(
            cfg, subject=title, start=start, end=end, external_id=str(uid)
        )
        join_url = meeting["joinWebUrl"]
    else:
        join_url = validate_join_url(join_url)
    try:
        with transaction.atomic():
            live_class = LiveClass.objects.create(
                uid=uid,
                session=session,
                title=title,
                start=start,
                end=end,
                trainer=trainer,
                join_url=join_url,
                provider=LiveClass.Provider.GRAPH if meeting else LiveClass.Provider.LINK,
                graph_meeting_id=meeting["id"] if meeting else "",
                graph_organizer=cfg.organizer if meeting else "",
                created_by=by,
            )
            record(
                "classes.scheduled",
                live_class,
                actor=by,
                request=request,
                to_state="scheduled",
                provider=live_class.provider,
                start=start.isoformat(),
                end=end.isoformat(),
            )
            _invite(live_class, "created")
    except Exception:
        if meeting:
            try:
                graph.delete_meeting(cfg, meeting["id"])
            except graph.GraphError:
                logger.exception("Orphan Teams meeting %s could not be deleted", meeting["id"])
        raise
    return live_class


def _changes(live_class, title, start, end, trainer, join_url):
    changes = []
    if title != live_class.title:
        changes.append(_("titre"))
    if start != live_class.start or end != live_class.end:
        changes.append(_("horaires"))
    if trainer.pk != live_class.trainer_id:
        changes.append(_("formateur"))
    if join_url != live_class.join_url:
        changes.append(_("lien Teams"))
    return changes


def update(live_class, *, title, start, end, trainer, join_url="", by, request=None):
    """Change a class (Graph PATCH first), raise its SEQUENCE and send the updated invitation."""
    if not access.can_edit(by, live_class):
        raise PermissionDenied(
            _("Seuls le formateur de la classe et l'équipe peuvent la modifier.")
        )
    if live_class.is_cancelled:
        raise ValidationError(_("Cette classe est annulée : elle ne peut plus être modifiée."))
    if live_class.end <= clock():
        raise ValidationError(_("Cette classe est terminée : elle ne peut plus être modifiée."))
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Donnez un titre à la classe."))
    _check_trainer(trainer)
    validate_times(start, end, creating=start != live_class.start)
    remote = live_class.provider == LiveClass.Provider.GRAPH
    if remote:
        join_url = live_class.join_url
    else:
        join_url = validate_join_url(join_url)
    changes = _changes(live_class, title, start, end, trainer, join_url)
    if not changes:
        return live_class, []
    cfg = None
    old = {"subject": live_class.title, "start": live_class.start, "end": live_class.end}
    if remote:
        cfg = graph.config()
        if cfg is None:
            raise ValidationError(
                _(
                    "Cette classe a été créée avec Microsoft Graph, qui n'est plus configuré : "
                    "la réunion Teams ne peut pas être modifiée."
                )
            )
        if title != live_class.title or start != live_class.start or end != live_class.end:
            graph.update_meeting(
                cfg, live_class.graph_meeting_id, subject=title, start=start, end=end
            )
    try:
        with transaction.atomic():
            locked = LiveClass.objects.select_for_update().get(pk=live_class.pk)
            if locked.is_cancelled:
                raise ValidationError(_("Cette classe vient d'être annulée."))
            before = f"{locked.start.isoformat()}/{locked.end.isoformat()}"
            locked.title, locked.start, locked.end = title, start, end
            locked.trainer, locked.join_url = trainer, join_url
            locked.sequence += 1
            locked.save()
            record(
                "classes.updated",
                locked,
                actor=by,
                request=request,
                from_state=before,
                to_state=f"{start.isoformat()}/{end.isoformat()}",
                changes=[str(change) for change in changes],
                sequence=locked.sequence,
            )
            _invite(locked, "updated", changes=changes)
    except Exception:
        if cfg is not None:
            try:
                graph.update_meeting(cfg, live_class.graph_meeting_id, **old)
            except graph.GraphError:
                logger.exception("Teams meeting %s left changed", live_class.graph_meeting_id)
        raise
    return locked, changes


def cancel(live_class, *, by, reason="", request=None):
    """Cancel a class: delete the Teams meeting, send METHOD:CANCEL to everyone invited.

    The remote delete comes first; if the local save then failed, cancelling again is safe
    (a meeting already gone counts as deleted)."""
    if not access.can_edit(by, live_class):
        raise PermissionDenied(_("Seuls le formateur de la classe et l'équipe peuvent l'annuler."))
    if live_class.is_cancelled:
        raise ValidationError(_("Cette classe est déjà annulée."))
    if live_class.end <= clock():
        raise ValidationError(_("Cette classe est terminée : elle ne peut plus être annulée."))
    if live_class.provider == LiveClass.Provider.GRAPH:
        cfg = graph.config()
        if cfg is None:
            raise ValidationError(
                _(
                    "Microsoft Graph n'est plus configuré : la réunion Teams ne peut pas "
                    "être supprimée."
                )
            )
        graph.delete_meeting(cfg, live_class.graph_meeting_id)
    with transaction.atomic():
        locked = LiveClass.objects.select_for_update().get(pk=live_class.pk)
        if locked.is_cancelled:
            raise ValidationError(_("Cette classe est déjà annulée."))
        locked.cancelled_at = clock()
        locked.cancelled_by = by
        locked.cancel_reason = (reason or "").strip()[:300]
        locked.sequence += 1
        locked.save()
        record(
            "classes.cancelled",
            locked,
            actor=by,
            request=request,
            from_state="scheduled",
            to_state="cancelled",
            reason=locked.cancel_reason,
            sequence=locked.sequence,
        )
        _invite(locked, "cancelled")
    return locked


# -- what people see ---------------------------------------------------------------------------


def visible_classes(user):
    """The classes listed for `user`: all for staff and trainers, their sessions' for learners."""
    qs = LiveClass.objects.select_related("session__programme", "trainer")
    if access.is_manager(user):
        return qs
    return qs.for_learner(user)


def upcoming_for(user, *, now=None, limit=5):
    now = now or clock()
    qs = visible_classes(user).upcoming(now)
    if user.is_trainer and not user.is_back_office:
        qs = qs.filter(trainer=user)
    return list(qs[:limit])


def current_slot(live_class, now=None):
    """The slot a learner may sign at `now` (from a few minutes before it starts to its end)."""
    now = timezone.localtime(now or clock(), PARIS)
    early = timedelta(minutes=sign_early_minutes())
    for slot, start, end in live_class.slots():
        if start - early <= now <= end:
            return slot
    return None


def _slot_text(live_class):
    return ", ".join(
        _("%(slot)s de %(start)s à %(end)s")
        % {"slot": Slot(slot).label, "start": _hm(start), "end": _hm(end)}
        for slot, start, end in live_class.slots()
    )


# -- attendance --------------------------------------------------------------------------------


def sign_in(live_class, learner, *, ip=None, user_agent="", now=None, request=None):
    """The learner signs the current half-day (R10.2, R11.7); repeated clicks change nothing."""
    now = now or clock()
    reason = access.learner_denial(learner, live_class, now)
    if reason:
        raise PermissionDenied(reason)
    if live_class.is_cancelled:
        raise ValidationError(_("Cette classe est annulée : il n'y a rien à signer."))
    slot = current_slot(live_class, now)
    if slot is None:
        day = formats.date_format(live_class.local_start(), "l j F Y")
        raise ValidationError(
            _(
                "La signature n'est possible que pendant la classe (%(day)s, %(slots)s ; "
                "ouverte %(early)s minutes avant le début)."
            )
            % {"day": day, "slots": _slot_text(live_class), "early": sign_early_minutes()}
        )
    with transaction.atomic():
        attendance, _created = Attendance.objects.select_for_update().get_or_create(
            live_class=live_class, learner=learner, slot=slot
        )
        if attendance.signed_at:
            return attendance, False
        attendance.signed_at = now
        attendance.signed_ip = ip
        attendance.signed_user_agent = (user_agent or "")[:300]
        attendance.save()
        record(
            "classes.signed_in",
            live_class,
            actor=learner,
            request=request,
            to_state=slot,
            learner=learner.pk,
        )
    return attendance, True


def trainer_sign(live_class, slot, trainer, *, ip=None, now=None, request=None):
    """The class's trainer signs a half-day of the sheet, once it has started."""
    now = now or clock()
    if trainer.pk != live_class.trainer_id:
        raise PermissionDenied(_("Seul le formateur de la classe signe la feuille d'émargement."))
    if live_class.is_cancelled:
        raise ValidationError(_("Cette classe est annulée."))
    bounds = live_class.slot_bounds(slot)
    if bounds is None:
        raise ValidationError(_("Cette demi-journée ne fait pas partie de la classe."))
    if now < bounds[0]:
        raise ValidationError(
            _("Vous pourrez signer cette demi-journée à partir de %(time)s.")
            % {"time": _hm(bounds[0])}
        )
    with transaction.atomic():
        signature, created = TrainerSignature.objects.get_or_create(
            live_class=live_class,
            slot=slot,
            defaults={"trainer": trainer, "signed_at": now, "signed_ip": ip},
        )
        if created:
            record(
                "classes.trainer_signed", live_class, actor=trainer, request=request, to_state=slot
            )
    return signature, created


def confirm(live_class, decisions, *, by, now=None, request=None):
    """The trainer confirms presence or absence: `decisions` maps (learner_id, slot) to
    "present", "absent" or "" (undecided). All or nothing."""
    now = now or clock()
    if not access.can_edit(by, live_class):
        raise PermissionDenied(
            _("Seuls le formateur de la classe et l'équipe confirment les présences.")
        )
    if live_class.is_cancelled:
        raise ValidationError(_("Cette classe est annulée."))
    allowed = {learner.pk for learner in learners_of(live_class.session)}
    allowed |= set(live_class.attendances.values_list("learner_id", flat=True))
    slots = {slot: start for slot, start, _end in live_class.slots()}
    for (learner_id, slot), status in decisions.items():
        if learner_id not in allowed:
            raise ValidationError(_("Cet apprenant n'est pas inscrit à la session."))
        if slot not in slots:
            raise ValidationError(_("Cette demi-journée ne fait pas partie de la classe."))
        if status and now < slots[slot]:
            raise ValidationError(
                _("La présence se confirme une fois la demi-journée commencée (%(time)s).")
                % {"time": _hm(slots[slot])}
            )
        if status not in ("", Attendance.Status.PRESENT, Attendance.Status.ABSENT):
            raise ValidationError(_("Choix de présence inconnu."))
    changed = 0
    with transaction.atomic():
        existing = {
            (a.learner_id, a.slot): a
            for a in Attendance.objects.select_for_update().filter(live_class=live_class)
        }
        for (learner_id, slot), status in decisions.items():
            attendance = existing.get((learner_id, slot))
            if attendance is None:
                if not status:
                    continue
                attendance = Attendance(live_class=live_class, learner_id=learner_id, slot=slot)
            if attendance.status == status:
                continue
            attendance.status = status
            attendance.confirmed_at = now if status else None
            attendance.confirmed_by = by if status else None
            attendance.save()
            changed += 1
        if changed:
            record(
                "classes.attendance_confirmed",
                live_class,
                actor=by,
                request=request,
                changed=changed,
            )
    return changed


def import_teams_attendance(live_class, *, by, request=None):
    """Import the Teams attendance report(s) of a Graph meeting, to show beside the sheet."""
    if not access.can_edit(by, live_class):
        raise PermissionDenied(
            _("Seuls le formateur de la classe et l'équipe importent le rapport.")
        )
    cfg = graph.config()
    if cfg is None or live_class.provider != LiveClass.Provider.GRAPH:
        raise ValidationError(
            _(
                "Le rapport de présence Teams n'est disponible que pour les réunions créées par "
                "Microsoft Graph."
            )
        )
    reports = graph.attendance_reports(cfg, live_class.graph_meeting_id)
    by_email = {learner.email.lower(): learner for learner in learners_of(live_class.session)}
    lines = []
    for report, records in reports:
        for item in records:
            email = (item.get("emailAddress") or "").strip()
            identity = item.get("identity") or {}
            intervals = item.get("attendanceIntervals") or []
            joins = [_parse(i.get("joinDateTime")) for i in intervals if i.get("joinDateTime")]
            leaves = [_parse(i.get("leaveDateTime")) for i in intervals if i.get("leaveDateTime")]
            lines.append(
                TeamsAttendance(
                    live_class=live_class,
                    report_id=str(report.get("id", ""))[:200],
                    email=email[:254],
                    name=str(identity.get("displayName") or "")[:200],
                    role=str(item.get("role") or "")[:40],
                    total_seconds=int(item.get("totalAttendanceInSeconds") or 0),
                    first_join=min(joins) if joins else None,
                    last_leave=max(leaves) if leaves else None,
                    learner=by_email.get(email.lower()),
                )
            )
    with transaction.atomic():
        locked = LiveClass.objects.select_for_update().get(pk=live_class.pk)
        TeamsAttendance.objects.filter(live_class=locked).delete()
        TeamsAttendance.objects.bulk_create(lines, ignore_conflicts=True)
        locked.attendance_imported_at = clock()
        locked.save(update_fields=["attendance_imported_at"])
        record(
            "classes.teams_report_imported",
            locked,
            actor=by,
            request=request,
            lines=len(lines),
            reports=len(reports),
        )
    return len(lines)


def _parse(value):
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")[:32].rstrip())
    except (AttributeError, ValueError):
        try:  # Graph gives 7 fractional digits; Python wants at most 6
            head, _sep, tail = value.rstrip("Z").partition(".")
            return datetime.fromisoformat(f"{head}.{tail[:6]}+00:00")
        except ValueError:
            return None


def sheet(live_class):
    """Everything the attendance sheet shows, in three queries (learners, records, signatures)."""
    slots = live_class.slots()
    learners = learners_of(live_class.session)
    records = {
        (a.learner_id, a.slot): a
        for a in Attendance.objects.filter(live_class=live_class).select_related("learner")
    }
    known = {learner.pk for learner in learners}
    for attendance in records.values():  # someone who signed and later left the session
        if attendance.learner_id not in known:
            learners.append(attendance.learner)
            known.add(attendance.learner_id)
    teams = {}
    for line in TeamsAttendance.objects.filter(live_class=live_class):
        if line.learner_id:
            teams[line.learner_id] = teams.get(line.learner_id, 0) + line.total_seconds
    signatures = {
        s.slot: s
        for s in TrainerSignature.objects.filter(live_class=live_class).select_related("trainer")
    }
    rows = [
        {
            "learner": learner,
            "cells": [
                {"slot": slot, "attendance": records.get((learner.pk, slot))}
                for slot, _s, _e in slots
            ],
            "teams_minutes": round(teams[learner.pk] / 60) if learner.pk in teams else None,
        }
        for learner in learners
    ]
    return {
        "live_class": live_class,
        "slots": [
            {
                "key": slot,
                "label": Slot(slot).label,
                "start": start,
                "end": end,
                "signature": signatures.get(slot),
            }
            for slot, start, end in slots
        ],
        "rows": rows,
    }


def attendance_for(user, session=None):
    """The learner's attendance at live classes, for the evidence file (R11.4, R11.7).

    One dict per half-day of every class (not cancelled, already started) of the learner's
    sessions, signed or not, oldest first: class_id, title, session, programme, date, start, end,
    slot, slot_label, slot_start, slot_end, signed_at, signed_ip, status ("present", "absent" or
    "" when the trainer has not confirmed yet), confirmed_at, confirmed_by, trainer,
    trainer_signed_at, teams_seconds (from the imported Teams report, or None).
    """
    now = clock()
    classes = (
        LiveClass.objects.active()
        .for_learner(user)
        .filter(start__lte=now)
        .select_related("session__programme", "trainer")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=Attendance.objects.filter(learner=user).select_related("confirmed_by"),
                to_attr="mine",
            ),
            Prefetch(
                "teams_attendance",
                queryset=TeamsAttendance.objects.filter(learner=user),
                to_attr="my_teams",
            ),
            "trainer_signatures",
        )
        .order_by("start", "id")
    )
    if session is not None:
        classes = classes.filter(session=session)
    result = []
    for live_class in classes:
        mine = {a.slot: a for a in live_class.mine}
        signatures = {s.slot: s for s in live_class.trainer_signatures.all()}
        teams = (
            sum(line.total_seconds for line in live_class.my_teams) if live_class.my_teams else None
        )
        for slot, start, end in live_class.slots():
            attendance = mine.get(slot)
            signature = signatures.get(slot)
            result.append(
                {
                    "class_id": live_class.pk,
                    "title": live_class.title,
                    "session": str(live_class.session),
                    "programme": live_class.session.programme.title,
                    "date": start.date(),
                    "start": live_class.local_start(),
                    "end": live_class.local_end(),
                    "slot": str(slot),
                    "slot_label": str(Slot(slot).label),
                    "slot_start": start,
                    "slot_end": end,
                    "signed_at": attendance.signed_at if attendance else None,
                    "signed_ip": attendance.signed_ip if attendance else None,
                    "status": attendance.status if attendance else "",
                    "confirmed_at": attendance.confirmed_at if attendance else None,
                    "confirmed_by": (
                        attendance.confirmed_by.get_full_name()
                        if attendance and attendance.confirmed_by
                        else ""
                    ),
                    "trainer": live_class.trainer.get_full_name(),
                    "trainer_signed_at": signature.signed_at if signature else None,
                    "teams_seconds": teams,
                }
            )
    return result


# -- calendar feed -----------------------------------------------------------------------------


def feed_of(user, *, create=False):
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None and create:
        feed = regenerate_feed(user)
    return feed


def regenerate_feed(user, *, request=None):
    """A new secret feed URL; the previous one stops working at once."""
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.select_for_update().get_or_create(
            user=user, defaults={"token": secrets.token_urlsafe(32)}
        )
        if not _created:
            feed.token = secrets.token_urlsafe(32)
            feed.created_at = clock()
            feed.last_used_at = None
            feed.save()
        record("classes.feed_regenerated", user, actor=user, request=request)
    return feed


def revoke_feed(user, *, request=None):
    deleted, _detail = CalendarFeed.objects.filter(user=user).delete()
    if deleted:
        record("classes.feed_revoked", user, actor=user, request=request)
    return bool(deleted)


def feed_calendar(token):
    """The .ics of the feed with this token, or None (unknown or revoked)."""
    if not token or len(token) > 64:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not secrets.compare_digest(feed.token, token) or not feed.user.is_active:
        return None
    user = feed.user
    now = clock()
    qs = LiveClass.objects.select_related("session__programme", "trainer").filter(
        end__gt=now - timedelta(days=90)
    )
    if user.is_trainer and not user.is_back_office:
        qs = qs.filter(trainer=user)
    elif not user.is_back_office:  # a learner: sessions whose access has not ended (R5.4)
        sessions = Enrolment.objects.filter(
            learner=user, status=Enrolment.Status.CONFIRMED, access_end__gt=now
        ).values("session_id")
        qs = qs.filter(session_id__in=sessions)
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return ics.feed(
        qs.order_by("start"),
        _("Classes virtuelles — %(org)s") % {"org": settings.ORGANISATION["name"]},
    )
