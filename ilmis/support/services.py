"""Support desk rules: incidents and their SLA clock (R5.6, R5.7), compatibility reports (R4.1),
the complaints register (R11.8, Qualiopi indicator 31)."""

from __future__ import annotations

import csv
import io
import statistics
from collections import OrderedDict
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ilmis.audit.services import record
from ilmis.notifications.services import send_templated

from . import workcalendar
from .models import CompatibilityReport, Complaint, Incident, IncidentEvent


def clock():
    """The time the support rules use (one place, so tests can move it without touching
    sessions)."""
    return timezone.now()


# ---------------------------------------------------------------------------------------------
# Access (the one place that decides who sees an incident)
# ---------------------------------------------------------------------------------------------


def is_desk(user) -> bool:
    """Support desk: ILMIS staff and admins."""
    return bool(user.is_authenticated and user.is_back_office)


def incident_for(user, pk, *, for_update=False) -> Incident:
    """The incident `pk` if `user` may see it: its reporter or the desk. 404 otherwise."""
    qs = Incident.objects.select_related("reporter", "assigned_to")
    if for_update:
        qs = qs.select_for_update(of=("self",))  # lock the incident, not its (nullable) joins
    try:
        incident = qs.get(pk=pk)
    except Incident.DoesNotExist:
        raise Http404 from None
    if not (is_desk(user) or incident.reporter_id == user.pk):
        raise Http404
    return incident


def require_desk(user):
    if not is_desk(user):
        raise PermissionDenied


# ---------------------------------------------------------------------------------------------
# SLA
# ---------------------------------------------------------------------------------------------


def late_after() -> timedelta:
    return timedelta(hours=getattr(settings, "ILMIS_INCIDENT_LATE_HOURS", 48))


def at_risk_hours() -> float:
    return float(getattr(settings, "ILMIS_SLA_AT_RISK_WORKING_HOURS", 24))


SLA_LABELS = {
    "on_track": gettext_lazy("dans les délais"),
    "at_risk": gettext_lazy("bientôt en retard"),
    "breached": gettext_lazy("délai dépassé"),
    "met": gettext_lazy("résolu dans les délais"),
    "missed": gettext_lazy("résolu en retard"),
}


def sla_state(incident: Incident, now=None, calendar=None) -> str:
    """Derived at read time from stored timestamps: on_track, at_risk, breached, met, missed."""
    now = now or clock()
    if incident.resolved_at:
        return "met" if incident.resolved_at <= incident.due_at else "missed"
    if now >= incident.due_at:
        return "breached"
    calendar = calendar or workcalendar.from_settings()
    if calendar.working_hours_between(now, incident.due_at) <= at_risk_hours():
        return "at_risk"
    return "on_track"


def annotate_sla(incidents, now=None):
    now = now or clock()
    calendar = workcalendar.from_settings()
    for incident in incidents:
        incident.sla = sla_state(incident, now, calendar)
        incident.sla_label = SLA_LABELS[incident.sla]
    return incidents


# ---------------------------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------------------------


def local_path(url: str) -> str:
    """Keep only the path and query of a URL on this site ('' for another site)."""
    if not url:
        return ""
    parts = urlsplit(url)
    site = urlsplit(settings.SITE_URL)
    if parts.netloc and parts.netloc not in (site.netloc, *settings.ALLOWED_HOSTS):
        return ""
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return ""
    return (path + (f"?{parts.query}" if parts.query else ""))[:500]


def activity_from_path(path: str) -> str:
    """The activity a page shows, from its URL pattern (e.g. `quizzes:attempt activity=12`)."""
    if not path:
        return ""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return ""
    if match.app_name in ("support", "core", "maintenance", "legal", "") or not match.kwargs:
        return ""
    arguments = " ".join(f"{key}={value}" for key, value in sorted(match.kwargs.items()))
    return f"{match.view_name} {arguments}"[:200]


def report_incident(
    user,
    *,
    summary,
    happened_at,
    description="",
    page_url="",
    activity_ref="",
    screenshot=None,
    user_agent="",
    compat_report=None,
    request=None,
    now=None,
) -> Incident:
    """R5.6: record a report; one made more than 48 h after the fact is accepted, marked late."""
    now = now or clock()
    if happened_at > now + timedelta(minutes=5):
        raise ValidationError(
            {"happened_at": _("La date indiquée est dans le futur : indiquez quand c'est arrivé.")}
        )
    happened_at = min(happened_at, now)
    page_url = local_path(page_url)
    with transaction.atomic():
        incident = Incident.objects.create(
            reporter=user,
            summary=summary.strip(),
            description=description.strip(),
            page_url=page_url,
            activity_ref=(activity_ref or activity_from_path(page_url))[:200],
            happened_at=happened_at,
            reported_at=now,
            late=now - happened_at > late_after(),
            user_agent=user_agent[:300],
            due_at=workcalendar.sla_due(now),
        )
        if screenshot:
            incident.screenshot.save(screenshot.name, screenshot, save=True)
        IncidentEvent.objects.create(
            incident=incident,
            kind=IncidentEvent.Kind.REPORTED,
            author=user,
            at=now,
            to_status=incident.status,
        )
        if compat_report is not None:
            _attach(compat_report, incident, user)
        record(
            "support.incident_reported",
            incident,
            actor=user,
            request=request,
            to_state=incident.status,
            late=incident.late,
            due_at=incident.due_at.isoformat(),
        )
        send_templated(
            [user.email],
            "support/email/incident_received",
            {"incident": incident, "user": user},
            language=user.language,
        )
        send_templated(
            _staff_addresses(incident), "support/email/staff_new_incident", {"incident": incident}
        )
    return incident


def _staff_addresses(incident):
    if incident.assigned_to_id and incident.assigned_to.email:
        return [incident.assigned_to.email]
    return list(getattr(settings, "STAFF_ALERT_EMAILS", [settings.ORGANISATION["email"]]))


TRANSITIONS = {
    Incident.Status.OPEN: {Incident.Status.IN_PROGRESS, Incident.Status.RESOLVED},
    Incident.Status.IN_PROGRESS: {Incident.Status.RESOLVED},
    Incident.Status.RESOLVED: {Incident.Status.IN_PROGRESS, Incident.Status.CLOSED},
    Incident.Status.CLOSED: set(),
}


def change_status(incident_id, to_status, *, by, message="", request=None, now=None) -> Incident:
    """Move an incident to `to_status` (desk only); the reporter is told by email."""
    require_desk(by)
    now = now or clock()
    with transaction.atomic():
        incident = incident_for(by, incident_id, for_update=True)
        from_status = incident.status
        if to_status not in TRANSITIONS[from_status]:
            raise ValidationError(
                _("Impossible de passer de « %(from)s » à « %(to)s ».")
                % {
                    "from": incident.get_status_display(),
                    "to": Incident.Status(to_status).label
                    if to_status in Incident.Status
                    else to_status,
                }
            )
        incident.status = to_status
        if to_status == Incident.Status.RESOLVED:
            incident.resolved_at = now
        elif to_status == Incident.Status.IN_PROGRESS:
            incident.resolved_at = None  # reopened: the clock runs again to the final fix
        elif to_status == Incident.Status.CLOSED:
            incident.closed_at = now
        if incident.assigned_to_id is None and to_status == Incident.Status.IN_PROGRESS:
            incident.assigned_to = by
        incident.save()
        IncidentEvent.objects.create(
            incident=incident,
            kind=IncidentEvent.Kind.STATUS,
            author=by,
            body=message.strip(),
            from_status=from_status,
            to_status=to_status,
            at=now,
        )
        record(
            "support.incident_status",
            incident,
            actor=by,
            request=request,
            from_state=from_status,
            to_state=to_status,
        )
        reporter = incident.reporter
        send_templated(
            [reporter.email],
            "support/email/incident_status",
            {"incident": incident, "message": message.strip(), "user": reporter},
            language=reporter.language,
        )
    return incident


def assign(incident_id, assignee, *, by, request=None) -> Incident:
    require_desk(by)
    if assignee is not None and not assignee.is_back_office:
        raise ValidationError(_("Seul un membre de l'équipe peut prendre en charge un incident."))
    with transaction.atomic():
        incident = incident_for(by, incident_id, for_update=True)
        before = incident.assigned_to
        incident.assigned_to = assignee
        incident.save(update_fields=["assigned_to", "updated_at"])
        IncidentEvent.objects.create(
            incident=incident,
            kind=IncidentEvent.Kind.ASSIGNED,
            author=by,
            body=str(assignee) if assignee else _("personne"),
        )
        record(
            "support.incident_assigned",
            incident,
            actor=by,
            request=request,
            from_state=before.email if before else "",
            to_state=assignee.email if assignee else "",
        )
    return incident


def reply(incident_id, body, *, by, request=None) -> IncidentEvent:
    """A desk answer the reporter sees and receives by email."""
    require_desk(by)
    body = _required_text(body)
    with transaction.atomic():
        incident = incident_for(by, incident_id, for_update=True)
        event = IncidentEvent.objects.create(
            incident=incident, kind=IncidentEvent.Kind.REPLY, author=by, body=body
        )
        record("support.incident_reply", incident, actor=by, request=request)
        reporter = incident.reporter
        send_templated(
            [reporter.email],
            "support/email/incident_reply",
            {"incident": incident, "message": body, "user": reporter},
            language=reporter.language,
        )
    return event


def add_note(incident_id, body, *, by, request=None) -> IncidentEvent:
    """An internal note: the desk only, never shown or sent to the reporter."""
    require_desk(by)
    body = _required_text(body)
    with transaction.atomic():
        incident = incident_for(by, incident_id, for_update=True)
        event = IncidentEvent.objects.create(
            incident=incident, kind=IncidentEvent.Kind.NOTE, author=by, body=body
        )
        record("support.incident_note", incident, actor=by, request=request)
    return event


def add_message(incident_id, body, *, by, request=None) -> IncidentEvent:
    """The reporter adds information; the desk is told."""
    body = _required_text(body)
    with transaction.atomic():
        incident = incident_for(by, incident_id, for_update=True)
        if incident.reporter_id != by.pk:
            raise PermissionDenied
        if incident.status == Incident.Status.CLOSED:
            raise ValidationError(_("Cet incident est clos : signalez un nouvel incident."))
        event = IncidentEvent.objects.create(
            incident=incident, kind=IncidentEvent.Kind.MESSAGE, author=by, body=body
        )
        record("support.incident_message", incident, actor=by, request=request)
        send_templated(
            _staff_addresses(incident),
            "support/email/staff_message",
            {"incident": incident, "message": body},
        )
    return event


def _required_text(body):
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Le message est vide."))
    return body


def timeline(incident, user):
    events = incident.events.select_related("author")
    if not is_desk(user):
        events = events.exclude(kind=IncidentEvent.Kind.NOTE)
    return list(events)


def queue(filter_name="open", user=None, now=None):
    """The desk queue, sorted by due time, with the derived SLA state of each incident."""
    now = now or clock()
    qs = Incident.objects.select_related("reporter", "assigned_to").order_by("due_at", "id")
    if filter_name == "all":
        incidents = list(qs[:500])
    else:
        incidents = list(qs.filter(status__in=[Incident.Status.OPEN, Incident.Status.IN_PROGRESS]))
    annotate_sla(incidents, now)
    if filter_name == "at_risk":
        incidents = [i for i in incidents if i.sla == "at_risk"]
    elif filter_name == "breached":
        incidents = [i for i in incidents if i.sla == "breached"]
    elif filter_name == "mine" and user is not None:
        incidents = [i for i in incidents if i.assigned_to_id == user.pk]
    elif filter_name == "unassigned":
        incidents = [i for i in incidents if i.assigned_to_id is None]
    return incidents


def alert_desk(now=None) -> int:
    """Tell the desk once when an open incident becomes at risk, and once when it is breached
    (a job calls this; if it does not run, the queue still shows the right states)."""
    now = now or clock()
    incidents = queue("open", now=now)
    fresh = [
        i
        for i in incidents
        if (i.sla == "breached" and i.breach_alerted_at is None)
        or (i.sla == "at_risk" and i.at_risk_alerted_at is None)
    ]
    if not fresh:
        return 0
    with transaction.atomic():
        for incident in fresh:
            field = "breach_alerted_at" if incident.sla == "breached" else "at_risk_alerted_at"
            Incident.objects.filter(pk=incident.pk).update(**{field: now})
        by_address = {}
        for incident in fresh:
            for address in _staff_addresses(incident):
                by_address.setdefault(address, []).append(incident)
        for address, items in by_address.items():
            send_templated([address], "support/email/staff_sla_alert", {"incidents": items})
    return len(fresh)


def counts(now=None):
    incidents = queue("open", now=now)
    return {
        "open": len(incidents),
        "at_risk": sum(1 for i in incidents if i.sla == "at_risk"),
        "breached": sum(1 for i in incidents if i.sla == "breached"),
    }


def monthly_figures(now=None, months=12):
    """R5.7 figures per month of reporting: reported, resolved on time / late, still open past
    due, median time to fix in working hours and in calendar hours."""
    now = now or clock()
    calendar = workcalendar.from_settings()
    tz = calendar.tz
    start = now.astimezone(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _i in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    rows = OrderedDict()
    incidents = Incident.objects.filter(reported_at__gte=start).order_by("reported_at")
    for incident in incidents.only("reported_at", "resolved_at", "due_at", "late"):
        key = incident.reported_at.astimezone(tz).strftime("%Y-%m")
        row = rows.setdefault(
            key,
            {
                "month": key,
                "reported": 0,
                "late_reports": 0,
                "on_time": 0,
                "late": 0,
                "open_breached": 0,
                "open": 0,
                "_work": [],
                "_wall": [],
            },
        )
        row["reported"] += 1
        row["late_reports"] += incident.late
        state = sla_state(incident, now, calendar)
        if state == "met":
            row["on_time"] += 1
        elif state == "missed":
            row["late"] += 1
        elif state == "breached":
            row["open_breached"] += 1
        else:
            row["open"] += 1
        if incident.resolved_at:
            row["_work"].append(
                calendar.working_hours_between(incident.reported_at, incident.resolved_at)
            )
            row["_wall"].append(
                (incident.resolved_at - incident.reported_at).total_seconds() / 3600
            )
    result = []
    for row in rows.values():
        work, wall = row.pop("_work"), row.pop("_wall")
        resolved = row["on_time"] + row["late"]
        row["median_working_hours"] = round(statistics.median(work), 1) if work else None
        row["median_hours"] = round(statistics.median(wall), 1) if wall else None
        row["on_time_rate"] = round(100 * row["on_time"] / resolved) if resolved else None
        result.append(row)
    return result


# ---------------------------------------------------------------------------------------------
# Compatibility check (R4.1)
# ---------------------------------------------------------------------------------------------


def min_rate_mbps() -> float:
    return float(getattr(settings, "ILMIS_MIN_RATE_MBPS", 2))


COMPAT_CHECKS = OrderedDict(
    [
        (
            "cookies",
            {
                "label": gettext_lazy("Cookies"),
                "ok": gettext_lazy("Les cookies sont acceptés : vous pourrez rester connecté."),
                "fail": gettext_lazy(
                    "Les cookies sont bloqués : vous ne pourrez pas vous connecter. "
                    "Autorisez les cookies pour ce site dans les réglages de votre "
                    "navigateur."
                ),
            },
        ),
        (
            "javascript",
            {
                "label": gettext_lazy("JavaScript"),
                "ok": gettext_lazy(
                    "JavaScript fonctionne : les quiz et les modules interactifs s'afficheront."
                ),
                "fail": gettext_lazy(
                    "JavaScript est désactivé : les quiz, les modules SCORM et "
                    "l'enregistrement automatique de vos réponses ne fonctionneront "
                    "pas. Activez JavaScript."
                ),
            },
        ),
        (
            "local_storage",
            {
                "label": gettext_lazy("Stockage local"),
                "ok": gettext_lazy(
                    "Le stockage local fonctionne : vos réponses sont gardées même si "
                    "la connexion coupe."
                ),
                "fail": gettext_lazy(
                    "Le stockage local est bloqué (navigation privée ?) : une "
                    "coupure de connexion pendant un quiz pourrait vous faire "
                    "ressaisir une réponse."
                ),
            },
        ),
        (
            "pdf",
            {
                "label": gettext_lazy("Documents PDF"),
                "ok": gettext_lazy("Votre navigateur affiche les PDF."),
                "warn": gettext_lazy(
                    "Votre navigateur n'affiche pas les PDF lui-même : ils seront "
                    "téléchargés ; ouvrez-les avec un lecteur PDF."
                ),
            },
        ),
        (
            "video",
            {
                "label": gettext_lazy("Vidéos"),
                "ok": gettext_lazy(
                    "Votre navigateur lit les vidéos de la plateforme (MP4 ou WebM)."
                ),
                "fail": gettext_lazy(
                    "Votre navigateur ne lit ni le MP4 ni le WebM : les vidéos ne "
                    "s'afficheront pas. Mettez votre navigateur à jour."
                ),
            },
        ),
        (
            "rate",
            {
                "label": gettext_lazy("Débit"),
                "ok": gettext_lazy("Votre débit depuis notre serveur atteint les 2 Mbit/s requis."),
                "fail": gettext_lazy(
                    "Votre débit depuis notre serveur est inférieur aux 2 Mbit/s "
                    "requis : les vidéos risquent de s'interrompre. Rapprochez-vous "
                    "de votre box ou utilisez une connexion filaire."
                ),
            },
        ),
    ]
)
LEVELS = ("ok", "warn", "fail")


def clean_compat_results(data) -> dict:
    """Keep only what the check page measures; anything else is dropped. Raises on nonsense."""
    if not isinstance(data, dict):
        raise ValidationError(_("Résultat du test illisible."))
    results = {}
    for key in COMPAT_CHECKS:
        if key == "rate":
            continue
        level = data.get(key)
        if level in LEVELS:
            results[key] = level
    rate = data.get("rate_mbps")
    if rate is not None:
        try:
            rate = float(rate)
        except (TypeError, ValueError):
            raise ValidationError(_("Résultat du test illisible.")) from None
        if not 0 <= rate < 100000:
            raise ValidationError(_("Résultat du test illisible."))
        results["rate_mbps"] = round(rate, 2)
        results["rate"] = "ok" if rate >= min_rate_mbps() else "fail"
    if not results:
        raise ValidationError(_("Résultat du test illisible."))
    return results


def compat_summary(results: dict):
    """[(label, level, sentence)] in French, for the stored report."""
    lines = []
    for key, check in COMPAT_CHECKS.items():
        level = results.get(key)
        if level is None:
            continue
        sentence = check.get(level) or check.get("fail") or check["ok"]
        lines.append({"key": key, "label": check["label"], "level": level, "text": sentence})
    return lines


def save_compat_report(user, data, *, user_agent="", request=None) -> CompatibilityReport:
    results = clean_compat_results(data)
    report = CompatibilityReport.objects.create(
        user=user, results=results, rate_mbps=results.get("rate_mbps"), user_agent=user_agent[:300]
    )
    record("support.compat_saved", report, actor=user, request=request)
    return report


def attach_compat(report_id, incident_id, *, by, request=None):
    with transaction.atomic():
        incident = incident_for(by, incident_id, for_update=True)
        report = CompatibilityReport.objects.filter(pk=report_id, user=by).first()
        if report is None:
            raise Http404
        if not incident.is_open and incident.status != Incident.Status.RESOLVED:
            raise ValidationError(_("Cet incident est clos : signalez un nouvel incident."))
        _attach(report, incident, by)
        record("support.compat_attached", incident, actor=by, request=request, report=report.pk)
    return incident


def _attach(report, incident, by):
    if report.user_id != by.pk:
        raise PermissionDenied
    report.incident = incident
    report.save(update_fields=["incident"])
    IncidentEvent.objects.create(incident=incident, kind=IncidentEvent.Kind.COMPAT, author=by)


# ---------------------------------------------------------------------------------------------
# Complaints register (R11.8, indicator 31)
# ---------------------------------------------------------------------------------------------


def record_complaint(*, by, request=None, **fields) -> Complaint:
    """Register a complaint from receipt (by a user's form, or by staff for email/phone/post)."""
    with transaction.atomic():
        complaint = Complaint(**fields)
        if complaint.received_at > clock() + timedelta(minutes=5):
            raise ValidationError({"received_at": _("La date de réception est dans le futur.")})
        complaint.recorded_by = by if by and by.is_back_office else None
        complaint.full_clean()
        complaint.save()
        record(
            "support.complaint_received",
            complaint,
            actor=by,
            request=request,
            to_state=complaint.status,
            channel=complaint.channel,
            source=complaint.source,
        )
        send_templated(
            list(getattr(settings, "STAFF_ALERT_EMAILS", [])) or [settings.ORGANISATION["email"]],
            "support/email/staff_complaint",
            {"complaint": complaint},
        )
    return complaint


COMPLAINT_STEPS = {
    "acknowledge": (Complaint.Status.RECEIVED, Complaint.Status.ACKNOWLEDGED),
    "answer": (Complaint.Status.ACKNOWLEDGED, Complaint.Status.ANSWERED),
    "close": (Complaint.Status.ANSWERED, Complaint.Status.CLOSED),
}


def advance_complaint(complaint_id, step, *, by, text="", request=None, now=None) -> Complaint:
    """acknowledge → answer (with the answer) → close (with the actions taken). Desk only."""
    require_desk(by)
    now = now or clock()
    if step not in COMPLAINT_STEPS:
        raise ValidationError(_("Étape inconnue."))
    expected, target = COMPLAINT_STEPS[step]
    text = (text or "").strip()
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
        if complaint.status != expected:
            raise ValidationError(
                _("Cette réclamation est « %(status)s » : cette étape n'est pas possible.")
                % {"status": complaint.get_status_display()}
            )
        if step == "acknowledge":
            complaint.acknowledged_at = now
            if complaint.email:
                send_templated(
                    [complaint.email],
                    "support/email/complaint_acknowledged",
                    {"complaint": complaint},
                )
        elif step == "answer":
            if not text:
                raise ValidationError(_("Écrivez la réponse apportée."))
            complaint.answer = text
            complaint.answered_at = now
            if complaint.email:
                send_templated(
                    [complaint.email], "support/email/complaint_answered", {"complaint": complaint}
                )
        else:
            complaint.actions = text
            complaint.closed_at = now
        from_status = complaint.status
        complaint.status = target
        complaint.handled_by = by
        complaint.save()
        record(
            f"support.complaint_{step}",
            complaint,
            actor=by,
            request=request,
            from_state=from_status,
            to_state=target,
        )
    return complaint


COMPLAINT_CSV_COLUMNS = [
    ("reference", gettext_lazy("référence")),
    ("kind", gettext_lazy("nature")),
    ("source", gettext_lazy("émetteur")),
    ("channel", gettext_lazy("canal")),
    ("name", gettext_lazy("nom")),
    ("organisation", gettext_lazy("organisme")),
    ("subject", gettext_lazy("objet")),
    ("description", gettext_lazy("description")),
    ("received_at", gettext_lazy("reçue le")),
    ("acknowledged_at", gettext_lazy("accusé de réception le")),
    ("answer", gettext_lazy("réponse")),
    ("answered_at", gettext_lazy("réponse le")),
    ("actions", gettext_lazy("actions d'amélioration")),
    ("closed_at", gettext_lazy("close le")),
    ("status", gettext_lazy("état")),
    ("days_to_close", gettext_lazy("jours jusqu'à clôture")),
    ("handled_by", gettext_lazy("traitée par")),
]


def _csv_safe(value):
    # Spreadsheet formula injection: a cell starting with = + - @ is shown as text.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def complaints_csv(queryset) -> str:
    tz = workcalendar.from_settings().tz
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([str(label) for _key, label in COMPLAINT_CSV_COLUMNS])

    def when(value):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""

    for c in queryset.select_related("handled_by"):
        days = (c.closed_at - c.received_at).days if c.closed_at else ""
        writer.writerow(
            [
                _csv_safe(v)
                for v in [
                    c.reference,
                    c.get_kind_display(),
                    c.get_source_display(),
                    c.get_channel_display(),
                    c.name,
                    c.organisation,
                    c.subject,
                    c.description,
                    when(c.received_at),
                    when(c.acknowledged_at),
                    c.answer,
                    when(c.answered_at),
                    c.actions,
                    when(c.closed_at),
                    c.get_status_display(),
                    days,
                    c.handled_by or "",
                ]
            ]
        )
    return "\ufeff" + out.getvalue()  # BOM: Excel opens the UTF-8 accents correctly
