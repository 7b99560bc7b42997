"""Domain rules of tracking: active time, connections, tutor exchanges, certified hours, evidence,
surveys, inactivity alerts, accessibility needs and Qualiopi rates (R11.2, R11.4–R11.6, R11.8).
"""

import uuid
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ilmis.audit.services import record
from ilmis.enrolment import access as enrolment_access
from ilmis.enrolment.models import Enrolment
from ilmis.learning.models import Activity, ActivityCompletion, ProgrammeVersion
from ilmis.notifications.services import send_templated

from . import access, adapters
from .models import (
    AccessibilityNeed,
    Beat,
    Connection,
    InactivityAlert,
    Message,
    Outcome,
    SessionTutor,
    Survey,
    Thread,
)

BEAT_SALT = "ilmis.tracking.beat"


def beat_seconds():
    return getattr(settings, "ILMIS_BEAT_SECONDS", 30)


def beat_token_age():
    return getattr(settings, "ILMIS_BEAT_TOKEN_SECONDS", 3600)


def inactivity_days():
    return getattr(settings, "ILMIS_INACTIVITY_DAYS", 7)


def cold_survey_days():
    return getattr(settings, "ILMIS_COLD_SURVEY_DAYS", 60)


def survey_reminder_days():
    return getattr(settings, "ILMIS_SURVEY_REMINDER_DAYS", 7)


def hours(minutes):
    """Minutes as hours with two decimals (a Decimal)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def hm(seconds):
    """12345 s -> "3 h 25 min"."""
    minutes = int(round((seconds or 0) / 60))
    return f"{minutes // 60} h {minutes % 60:02d} min"


# -- beats (R11.4) -------------------------------------------------------------------------------


def beat_token(user, activity, now=None):
    """A signed token for the beat endpoint, or "" when `user` must not send beats here.

    Only a learner inside the access window of a confirmed enrolment gets one (one query); the
    endpoint then trusts the signature until the token is `beat_token_age()` old."""
    if not (user and user.is_authenticated and user.is_learner):
        return ""
    enrolment = enrolment_access.current_enrolment(user, activity.module.programme, now=now)
    if enrolment is None:
        return ""
    payload = {"u": user.pk, "a": activity.pk, "e": int(enrolment.access_end.timestamp())}
    return signing.dumps(payload, salt=BEAT_SALT, compress=False)


class BeatRefused(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def record_beat(user, token, tab, seq, now=None):
    """Store one beat; returns a fresh token when the old one had to be checked again, else "".

    One INSERT (ignored when (learner, tab, seq) was already received: replays are harmless)."""
    now = now or timezone.now()
    fresh = ""
    try:
        data = signing.loads(token, salt=BEAT_SALT, max_age=beat_token_age())
    except signing.SignatureExpired:
        data = signing.loads(token, salt=BEAT_SALT)  # still signed by us: check access again
        activity = Activity.objects.select_related("module__programme").filter(pk=data["a"]).first()
        if activity is None or data.get("u") != user.pk:
            raise BeatRefused(403, "refused") from None
        fresh = beat_token(user, activity, now=now)
        if not fresh:
            raise BeatRefused(403, "no access") from None
        data = signing.loads(fresh, salt=BEAT_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        raise BeatRefused(400, "bad token") from None
    if data.get("u") != user.pk:
        raise BeatRefused(403, "not yours")
    if now.timestamp() >= data["e"]:
        raise BeatRefused(403, "access ended")
    try:
        tab = uuid.UUID(str(tab))
        seq = int(seq)
    except (TypeError, ValueError):
        raise BeatRefused(400, "bad tab or seq") from None
    if not 0 <= seq < 2**31:
        raise BeatRefused(400, "bad seq")
    try:
        Beat.objects.bulk_create(
            [Beat(learner_id=user.pk, activity_id=data["a"], tab=tab, seq=seq, at=now)],
            ignore_conflicts=True,
        )
    except IntegrityError:  # the activity was deleted meanwhile
        raise BeatRefused(410, "gone") from None
    return fresh


def credited_segments(beats, interval):
    """[(activity_id, start, end)] credited for `beats` [(at, activity_id)] sorted by `at`.

    Each beat credits the time since the learner's previous beat (any tab), at most `interval`:
    idle gaps count for nothing, two tabs count the wall clock once, a replayed beat (same time
    window) adds nothing."""
    segments, previous = [], None
    for at, activity_id in beats:
        start = at - interval if previous is None else max(at - interval, previous)
        if at > start:
            segments.append((activity_id, start, at))
        previous = at if previous is None else max(previous, at)
    return segments


def _split_days(start, end):
    """Yield (local date, seconds) for [start, end), cut at local midnight."""
    tz = timezone.get_current_timezone()
    while start < end:
        local = timezone.localtime(start, tz)
        midnight = timezone.make_aware(
            datetime.combine(local.date() + timedelta(days=1), time.min), tz
        )
        stop = min(end, midnight)
        yield local.date(), (stop - start).total_seconds()
        start = stop


class _Days:
    """Local date of a POSIX timestamp, cached per hour (zone offsets change on the hour)."""

    def __init__(self):
        self.tz = timezone.get_current_timezone()
        self.cache = {}

    def date(self, ts):
        hour = int(ts // 3600)
        day = self.cache.get(hour)
        if day is None:
            day = self.cache[hour] = datetime.fromtimestamp(hour * 3600, self.tz).date()
        return day

    def midnight_after(self, day):
        return datetime.combine(day + timedelta(days=1), time.min, self.tz).timestamp()


def _beat_rows(learner_ids, since, until):
    """(learner_id, POSIX time, activity_id) ordered by learner and time, read without the ORM's
    per-row datetime conversion (a year of beats is tens of thousands of rows)."""
    from django.db import connection

    beats = Beat.objects.filter(learner_id__in=list(learner_ids))
    if since:
        beats = beats.filter(at__gte=since)
    if until:
        beats = beats.filter(at__lt=until)
    query = beats.order_by("learner_id", "at").values_list("learner_id", "at", "activity_id")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for learner_id, at, activity_id in cursor.fetchall():
            if isinstance(at, str):  # SQLite: UTC as text
                at = datetime.fromisoformat(at)
            if at.tzinfo is None:  # SQLite stores UTC without an offset
                at = at.replace(tzinfo=UTC)
            yield learner_id, at.timestamp(), activity_id


def active_time(learner_ids, *, since=None, until=None):
    """{learner_id: {(activity_id, date): seconds}} from the learners' beats (one query).

    Each beat credits the time since the learner's previous beat (any tab, any activity), at
    most the beat interval; the credit is cut at local midnight."""
    interval = float(beat_seconds())
    days = _Days()
    result = defaultdict(lambda: defaultdict(float))
    current, previous, totals = None, None, None
    for learner_id, ts, activity_id in _beat_rows(learner_ids, since, until):
        if learner_id != current:
            current, previous, totals = learner_id, None, result[learner_id]
        credit = interval if previous is None else min(interval, ts - previous)
        previous = ts if previous is None else max(previous, ts)
        if credit <= 0:
            continue
        start = ts - credit
        first, last = days.date(start), days.date(ts)
        if first == last:
            totals[(activity_id, last)] += credit
        else:
            cut = days.midnight_after(first)
            totals[(activity_id, first)] += cut - start
            totals[(activity_id, last)] += ts - cut
    return result


def time_by_activity(per_day):
    totals = defaultdict(float)
    for (activity_id, _day), seconds in per_day.items():
        totals[activity_id] += seconds
    return totals


def time_by_day(per_day):
    totals = defaultdict(float)
    for (_activity_id, day), seconds in per_day.items():
        totals[day] += seconds
    return dict(sorted(totals.items()))


def learner_time(learner, programme=None, *, times=None):
    """The learner's active time: total, per activity (with titles) and per day."""
    times = times if times is not None else active_time([learner.pk])
    per_day = times.get(learner.pk, {})
    if programme is not None:
        ids = set(Activity.objects.filter(module__programme=programme).values_list("pk", flat=True))
        per_day = {key: value for key, value in per_day.items() if key[0] in ids}
    by_activity = time_by_activity(per_day)
    activities = Activity.objects.filter(pk__in=list(by_activity)).select_related(
        "module__programme"
    )
    return {
        "total": sum(by_activity.values()),
        "activities": [
            {"activity": a, "programme": a.module.programme, "seconds": by_activity[a.pk]}
            for a in activities
        ],
        "days": time_by_day(per_day),
    }


# -- connections (R11.4) -------------------------------------------------------------------------


def record_connection(user, kind, request=None):
    from ilmis.core.http import client_ip, user_agent

    if user is None or not getattr(user, "pk", None):
        return None
    ip = agent = None
    if request is not None and getattr(request, "META", None):
        ip = client_ip(request)
        agent = user_agent(request)
    return Connection.objects.create(
        user=user, kind=kind, ip=ip or None, user_agent=(agent or "")[:300]
    )


def connections(user, since=None):
    rows = Connection.objects.filter(user=user)
    if since:
        rows = rows.filter(at__gte=since)
    return list(rows.order_by("at", "id"))


# -- certified hours (R11.5) ---------------------------------------------------------------------


def announced(programme):
    """(current version, [entries]) — entries: uuid, title, kind, minutes, module."""
    version = ProgrammeVersion.objects.filter(programme=programme).order_by("-number").first()
    entries = []
    if version:
        for module in version.snapshot.get("modules", []):
            for entry in module["activities"]:
                entries.append(entry | {"module": module["title"]})
    return version, entries


def _progress(enrolment, entries, by_uuid_id, completions, seconds_by_activity, outcome, final):
    """Certified hours of one enrolment from pre-loaded data (see progress_for)."""
    rows, planned, done = [], 0, 0
    for entry in entries:
        activity_id = by_uuid_id.get(entry["uuid"])
        completed_at = completions.get(activity_id)
        planned += entry["minutes"]
        if completed_at:
            done += entry["minutes"]
        rows.append(
            {
                "activity_id": activity_id,
                "module": entry["module"],
                "title": entry["title"],
                "kind": entry["kind"],
                "minutes": entry["minutes"],
                "done": bool(completed_at),
                "completed_at": completed_at,
                "active_seconds": seconds_by_activity.get(activity_id, 0.0),
            }
        )
    rate = round(100 * done / planned, 1) if planned else 0.0
    stopped = bool(outcome and outcome.stopped_at)
    if planned and done >= planned:
        status, label = "completed", _("terminée")
    elif stopped:
        status, label = "partial", _("arrêt en cours de formation (réalisation partielle)")
    else:
        status, label = "in_progress", _("en cours")
    active_total = sum(seconds_by_activity.get(r["activity_id"], 0.0) for r in rows)
    return {
        "enrolment": enrolment,
        "activities": rows,
        "planned_minutes": planned,
        "done_minutes": done,
        "planned_hours": hours(planned),
        "hours": hours(done),
        "hours_not_done": hours(planned - done),
        "rate": rate,
        "status": status,
        "status_label": label,
        "stopped_at": outcome.stopped_at if outcome else None,
        "stop_reason": outcome.stop_reason if outcome else "",
        # Staff's recorded result first, else the final quiz (quizzes app), else unknown.
        "passed": outcome.passed if outcome and outcome.passed is not None else final,
        "evaluation": outcome.evaluation if outcome else "",
        "active_seconds": active_total,
        "active_hm": hm(active_total),
    }


def progress_for(enrolments, *, with_time=True, times=None):
    """Certified hours for many enrolments of one programme at a constant number of queries.

    `times`: active_time() already computed for these learners (else computed here)."""
    enrolments = list(enrolments)
    if not enrolments:
        return []
    programme = enrolments[0].session.programme
    _version, entries = announced(programme)
    uuids = [e["uuid"] for e in entries]
    by_uuid_id = {
        str(u): pk for pk, u in Activity.objects.filter(uuid__in=uuids).values_list("pk", "uuid")
    }
    learner_ids = [e.learner_id for e in enrolments]
    completions = defaultdict(dict)
    for user_id, activity_id, at in ActivityCompletion.objects.filter(
        user_id__in=learner_ids, activity_id__in=list(by_uuid_id.values())
    ).values_list("user_id", "activity_id", "completed_at"):
        completions[user_id][activity_id] = at
    outcomes = {
        o.enrolment_id: o for o in Outcome.objects.filter(enrolment__in=[e.pk for e in enrolments])
    }
    finals = adapters.final_results(learner_ids, programme)
    seconds = {}
    if with_time:
        times = times if times is not None else active_time(learner_ids)
        for learner_id, per_day in times.items():
            seconds[learner_id] = time_by_activity(per_day)
    return [
        _progress(
            e,
            entries,
            by_uuid_id,
            completions.get(e.learner_id, {}),
            seconds.get(e.learner_id, {}),
            outcomes.get(e.pk),
            finals.get(e.learner_id),
        )
        for e in enrolments
    ]


def progress(enrolment, *, with_time=True, times=None):
    return progress_for([enrolment], with_time=with_time, times=times)[0]


@transaction.atomic
def record_stop(enrolment, *, stopped_at, reason, by, request=None):
    """Staff record that a learner stopped (R11.5): the date and the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indiquez le motif de l'arrêt."))
    if stopped_at is None:
        raise ValidationError(_("Indiquez la date de l'arrêt."))
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    outcome, _created = Outcome.objects.get_or_create(enrolment=enrolment)
    before = outcome.stopped_at
    outcome.stopped_at, outcome.stop_reason = stopped_at, reason
    outcome.recorded_by, outcome.recorded_at = by, timezone.now()
    outcome.save()
    record(
        "tracking.stop_recorded",
        enrolment,
        actor=by,
        request=request,
        from_state=before or "",
        to_state=stopped_at,
        reason=reason,
    )
    return outcome


@transaction.atomic
def record_evaluation(enrolment, *, passed, evaluation, by, request=None):
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    outcome, _created = Outcome.objects.get_or_create(enrolment=enrolment)
    outcome.passed, outcome.evaluation = passed, (evaluation or "").strip()
    outcome.recorded_by, outcome.recorded_at = by, timezone.now()
    outcome.save()
    record("tracking.evaluation_recorded", enrolment, actor=by, request=request, passed=passed)
    return outcome


# -- tutor exchanges (R11.2) ---------------------------------------------------------------------


def _tutor_addresses(thread):
    addresses = [t.email for t in access.tutors_of(thread.learner, thread.programme)]
    return (
        addresses
        or list(getattr(settings, "STAFF_ALERT_EMAILS", []))
        or [settings.ORGANISATION["email"]]
    )


def _clean_body(body):
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Écrivez votre message."))
    if len(body) > 10000:
        raise ValidationError(_("Votre message est trop long (10 000 caractères au plus)."))
    return body


def write_to_tutor(learner, programme, body, *, activity=None, request=None):
    """A learner writes to their tutor, from an activity or the programme (R11.2)."""
    body = _clean_body(body)
    if not enrolment_access.has_access(learner, programme):
        raise ValidationError(enrolment_access.denial_reason(learner, programme))
    if activity is not None and activity.module.programme_id != programme.pk:
        raise ValidationError(_("Cette activité n'appartient pas à cette formation."))
    with transaction.atomic():
        thread, _created = Thread.objects.get_or_create(learner=learner, programme=programme)
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        now = timezone.now()
        message = Message.objects.create(
            thread=thread,
            author=learner,
            from_learner=True,
            activity=activity,
            body=body,
            created_at=now,
        )
        thread.last_message_at, thread.awaiting_answer = now, True
        thread.save(update_fields=["last_message_at", "awaiting_answer"])
        context = {"thread": thread, "message": message, "learner": learner}
        send_templated(_tutor_addresses(thread), "tracking/email/to_tutor", context)
        send_templated(
            [learner.email], "tracking/email/sent_copy", context, language=learner.language
        )
        record("tracking.message", thread, actor=learner, request=request, direction="to_tutor")
    return message


def answer(thread, trainer, body, *, request=None):
    """A named trainer answers (R11.2); the response time runs from the oldest unanswered
    learner message."""
    body = _clean_body(body)
    if not access.can_answer(trainer, thread):
        raise ValidationError(_("Vous n'êtes pas tuteur de cet apprenant pour cette formation."))
    with transaction.atomic():
        thread = Thread.objects.select_for_update().get(pk=thread.pk)
        last_answer = thread.messages.filter(from_learner=False).aggregate(m=Max("created_at"))["m"]
        pending = thread.messages.filter(from_learner=True)
        if last_answer:
            pending = pending.filter(created_at__gt=last_answer)
        since = pending.order_by("created_at").values_list("created_at", flat=True).first()
        now = timezone.now()
        message = Message.objects.create(
            thread=thread,
            author=trainer,
            from_learner=False,
            body=body,
            created_at=now,
            answers_since=since,
        )
        thread.last_message_at, thread.awaiting_answer = now, False
        thread.save(update_fields=["last_message_at", "awaiting_answer"])
        context = {"thread": thread, "message": message, "learner": thread.learner}
        send_templated(
            [thread.learner.email],
            "tracking/email/answer",
            context,
            language=thread.learner.language,
        )
        send_templated(_tutor_addresses(thread), "tracking/email/answer_copy", context)
        record("tracking.message", thread, actor=trainer, request=request, direction="answer")
    return message


def response_times(since=None, until=None):
    """Per trainer: answers, mean and maximum response time, in hours (staff report)."""
    answers = Message.objects.filter(from_learner=False, answers_since__isnull=False)
    if since:
        answers = answers.filter(created_at__gte=since)
    if until:
        answers = answers.filter(created_at__lt=until)
    stats = {}
    rows = defaultdict(list)
    names = {}
    for message in answers.select_related("author"):
        delay = (message.created_at - message.answers_since).total_seconds() / 3600
        rows[message.author_id].append(delay)
        names[message.author_id] = message.author.get_full_name() or message.author.email
    for author_id, delays in rows.items():
        delays.sort()
        stats[author_id] = {
            "trainer": names[author_id],
            "count": len(delays),
            "mean_hours": round(sum(delays) / len(delays), 1),
            "median_hours": round(delays[len(delays) // 2], 1),
            "max_hours": round(delays[-1], 1),
        }
    pending = Thread.objects.filter(awaiting_answer=True).count()
    return sorted(stats.values(), key=lambda s: s["trainer"]), pending


def csv_safe(value):
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def thread_rows(threads):
    """CSV rows of threads' messages (R11.2 export)."""
    messages = (
        Message.objects.filter(thread__in=threads)
        .select_related("thread__learner", "thread__programme", "author", "activity")
        .order_by("thread_id", "created_at", "id")
    )
    for m in messages:
        yield {
            "thread": m.thread_id,
            "learner": m.thread.learner.get_full_name(),
            "learner_email": m.thread.learner.email,
            "programme": m.thread.programme.title,
            "activity": m.activity.title if m.activity else "",
            "sent_at": timezone.localtime(m.created_at).isoformat(timespec="seconds"),
            "author": m.author.get_full_name() or m.author.email,
            "role": _("apprenant") if m.from_learner else _("formateur"),
            "response_hours": (
                round((m.created_at - m.answers_since).total_seconds() / 3600, 2)
                if m.answers_since
                else ""
            ),
            "body": csv_safe(m.body),
        }


# -- tutors --------------------------------------------------------------------------------------


def set_tutors(session, trainers, *, by, request=None):
    trainers = list(trainers)
    if any(not (t.is_trainer or t.is_back_office) for t in trainers):
        raise ValidationError(_("Seuls des formateurs peuvent être tuteurs."))
    with transaction.atomic():
        SessionTutor.objects.filter(session=session).exclude(trainer__in=trainers).delete()
        for trainer in trainers:
            SessionTutor.objects.get_or_create(session=session, trainer=trainer)
        record(
            "tracking.tutors_set",
            session,
            actor=by,
            request=request,
            tutors=[t.pk for t in trainers],
        )


# -- evidence file (R11.4) -----------------------------------------------------------------------


def evidence(enrolment):
    """Everything a funder's control asks about one enrolment, as plain data."""
    learner, session = enrolment.learner, enrolment.session
    programme = session.programme
    prereg = enrolment.preregistration
    funding = {}
    if prereg is not None:
        funding = {
            "funder": prereg.get_funder_display(),
            "funder_name": prereg.funder_name,
            "file_number": prereg.file_number,
            "amount": prereg.funding_amount,
            "company": prereg.company_name,
            "channel": prereg.get_channel_display(),
        }
    since = enrolment.access_start - timedelta(days=1)
    times = active_time([learner.pk])
    hours_data = progress(enrolment, times=times)
    thread = Thread.objects.filter(learner=learner, programme=programme).first()
    messages = (
        list(thread.messages.select_related("author", "activity")) if thread is not None else []
    )
    connection_rows = connections(learner, since=since)
    days = _days_for(times.get(learner.pk, {}), programme)
    return {
        "learner": {
            "name": learner.get_full_name(),
            "email": learner.email,
            "phone": learner.phone,
            "employer": learner.client.name if learner.client and learner.client.is_company else "",
        },
        "enrolment": enrolment,
        "session": session,
        "programme": programme,
        "funding": funding,
        "connections": connection_rows,
        "progress": hours_data,
        "days": days,
        "journal": _journal(connection_rows, days),
        "evaluations": adapters.evaluations(learner, programme),
        "submissions": adapters.submissions(learner, programme),
        "messages": messages,
        "attendance": adapters.attendance(learner, session),
        "generated_at": timezone.localtime(),
        "organisation": settings.ORGANISATION,
    }


def _days_for(per_day, programme):
    ids = set(Activity.objects.filter(module__programme=programme).values_list("pk", flat=True))
    days = time_by_day({k: v for k, v in per_day.items() if k[0] in ids})
    return [{"day": day, "seconds": s, "hm": hm(s)} for day, s in days.items()]


def _journal(connection_rows, days):
    """One line per day: logins (first, count, IP addresses), last logout, active time."""
    by_day = {}
    for c in connection_rows:
        local = timezone.localtime(c.at)
        line = by_day.setdefault(
            local.date(),
            {"day": local.date(), "logins": 0, "first": None, "last_out": None, "ips": set()},
        )
        if c.kind == Connection.Kind.LOGIN:
            line["logins"] += 1
            line["first"] = line["first"] or local
        else:
            line["last_out"] = local
        if c.ip:
            line["ips"].add(c.ip)
    for d in days:
        line = by_day.setdefault(
            d["day"], {"day": d["day"], "logins": 0, "first": None, "last_out": None, "ips": set()}
        )
        line["active"] = d["hm"]
    rows = []
    for day in sorted(by_day):
        line = by_day[day]
        line["ips"] = ", ".join(sorted(line["ips"]))
        line.setdefault("active", "")
        rows.append(line)
    return rows


def evidence_rows(data):
    """The evidence file as CSV rows: section, date, item, detail, value."""

    def when(value):
        if value is None:
            return ""
        if isinstance(value, datetime):
            return timezone.localtime(value).isoformat(timespec="seconds")
        return value.isoformat()

    learner, session = data["learner"], data["session"]
    yield ["identite", "", _("apprenant"), learner["name"], learner["email"]]
    yield ["identite", "", _("employeur"), learner["employer"], ""]
    yield [
        "inscription",
        when(data["enrolment"].confirmed_at),
        _("session"),
        str(session),
        f"{session.start_date} / {session.end_date}",
    ]
    yield [
        "inscription",
        when(data["enrolment"].access_start),
        _("accès"),
        when(data["enrolment"].access_end),
        "",
    ]
    for key, value in data["funding"].items():
        yield ["financement", "", key, value if value is not None else "", ""]
    for c in data["connections"]:
        yield ["connexion", when(c.at), c.get_kind_display(), c.ip or "", c.user_agent]
    p = data["progress"]
    for row in p["activities"]:
        yield [
            "activite",
            when(row["completed_at"]),
            row["title"],
            f"{row['kind']} · {row['minutes']} min",
            f"{_('terminée') if row['done'] else _('non terminée')} · "
            f"{round(row['active_seconds'])} s",
        ]
    yield ["heures", "", _("heures certifiées"), p["hours"], f"{p['rate']} %"]
    yield ["heures", "", _("temps actif"), p["active_hm"], round(p["active_seconds"])]
    for d in data["days"]:
        yield ["temps_par_jour", d["day"].isoformat(), "", d["hm"], round(d["seconds"])]
    for e in data["evaluations"]:
        yield ["evaluation", when(e["at"]), e["title"], e["kind"], e["score"]]
    for s in data["submissions"]:
        yield ["travail", when(s["submitted_at"]), s["title"], s["detail"], s["grade"]]
    for m in data["messages"]:
        yield [
            "echange",
            when(m.created_at),
            m.author.get_full_name() or m.author.email,
            m.activity.title if m.activity else "",
            m.body,
        ]
    for a in data["attendance"]:
        yield [
            "classe",
            when(a.get("slot_start")),
            a.get("title", ""),
            a.get("slot_label", ""),
            a.get("status", ""),
        ]


# -- surveys (R11.8) -----------------------------------------------------------------------------


def _ended(enrolment, today):
    outcome = getattr(enrolment, "tracking_outcome", None)
    end = enrolment.session.end_date
    if outcome is not None and outcome.stopped_at:
        end = min(end, outcome.stopped_at)
    return end if end <= today else None


def send_survey_invitations(now=None):
    """Invite (then remind once) learners whose survey is due. Only notifies; idempotent: each
    survey is invited once and reminded once, whatever the number of runs."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    candidates = (
        Enrolment.objects.filter(status=Enrolment.Status.CONFIRMED, session__end_date__lte=today)
        | Enrolment.objects.filter(
            status=Enrolment.Status.CONFIRMED, tracking_outcome__stopped_at__lte=today
        )
    ).select_related("session__programme", "learner", "tracking_outcome")
    existing = {
        (s.enrolment_id, s.kind): s
        for s in Survey.objects.filter(enrolment__in=candidates.values("pk"))
    }
    for enrolment in candidates.distinct():
        end = _ended(enrolment, today)
        if end is None:
            continue
        for kind, delay in ((Survey.Kind.HOT, 0), (Survey.Kind.COLD, cold_survey_days())):
            if today < end + timedelta(days=delay):
                continue
            survey = existing.get((enrolment.pk, kind))
            sent += _invite(enrolment, kind, survey, now)
    return sent


def _invite(enrolment, kind, survey, now):
    with transaction.atomic():
        if survey is None:
            survey, _created = Survey.objects.get_or_create(enrolment=enrolment, kind=kind)
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.answered_at:
            return 0
        if survey.invited_at is None:
            template = "tracking/email/survey"
            survey.invited_at = now
        elif survey.reminded_at is None and now - survey.invited_at >= timedelta(
            days=survey_reminder_days()
        ):
            template = "tracking/email/survey_reminder"
            survey.reminded_at = now
        else:
            return 0
        survey.save(update_fields=["invited_at", "reminded_at"])
        send_templated(
            [enrolment.learner.email],
            template,
            {"survey": survey, "enrolment": enrolment, "learner": enrolment.learner},
            language=enrolment.learner.language,
        )
    return 1


def pending_surveys(learner):
    return Survey.objects.filter(
        enrolment__learner=learner, answered_at__isnull=True, invited_at__isnull=False
    ).select_related("enrolment__session__programme")


@transaction.atomic
def answer_survey(survey, learner, *, satisfaction, objectives, recommend, comment):
    survey = Survey.objects.select_for_update().select_related("enrolment").get(pk=survey.pk)
    if survey.enrolment.learner_id != learner.pk:
        raise ValidationError(_("Cette enquête ne vous concerne pas."))
    if survey.answered_at:
        raise ValidationError(_("Vous avez déjà répondu à cette enquête. Merci !"))
    survey.satisfaction, survey.objectives = satisfaction, objectives
    survey.recommend, survey.comment = recommend, (comment or "").strip()
    survey.answered_at = timezone.now()
    survey.save()
    record("tracking.survey_answered", survey.enrolment, actor=learner, kind=survey.kind)
    return survey


# -- inactivity alerts (R11.8, indicator 12) -----------------------------------------------------


def last_activity(enrolments):
    """{enrolment_id: last activity time}: the latest beat, completion or login, else the start
    of access (four queries whatever the number of enrolments)."""
    learner_ids = {e.learner_id for e in enrolments}
    latest = defaultdict(lambda: None)

    def bump(user_id, at):
        if at and (latest[user_id] is None or at > latest[user_id]):
            latest[user_id] = at

    for user_id, at in (
        Beat.objects.filter(learner_id__in=learner_ids)
        .values("learner_id")
        .annotate(m=Max("at"))
        .values_list("learner_id", "m")
    ):
        bump(user_id, at)
    for user_id, at in (
        ActivityCompletion.objects.filter(user_id__in=learner_ids)
        .values("user_id")
        .annotate(m=Max("completed_at"))
        .values_list("user_id", "m")
    ):
        bump(user_id, at)
    for user_id, at in (
        Connection.objects.filter(user_id__in=learner_ids, kind=Connection.Kind.LOGIN)
        .values("user_id")
        .annotate(m=Max("at"))
        .values_list("user_id", "m")
    ):
        bump(user_id, at)
    return {e.pk: max(filter(None, [latest[e.learner_id], e.access_start])) for e in enrolments}


def _finished(enrolments):
    """Ids of the enrolments whose learner completed every announced activity (two queries per
    programme): nobody is chased once the work is done."""
    by_programme = defaultdict(list)
    for e in enrolments:
        by_programme[e.session.programme].append(e)
    finished = set()
    for programme, group in by_programme.items():
        _version, entries = announced(programme)
        ids = set(
            Activity.objects.filter(uuid__in=[x["uuid"] for x in entries]).values_list(
                "pk", flat=True
            )
        )
        if not ids:
            continue
        done = defaultdict(int)
        for user_id in ActivityCompletion.objects.filter(
            user_id__in=[e.learner_id for e in group], activity_id__in=ids
        ).values_list("user_id", flat=True):
            done[user_id] += 1
        finished.update(e.pk for e in group if done[e.learner_id] >= len(ids))
    return finished


def check_inactivity(now=None):
    """Alert the tutor of every learner with no activity for N days, once per period of N days.
    Only notifies; the alert row (unique per enrolment, last activity and period) makes a
    second run a no-op."""
    now = now or timezone.now()
    days = inactivity_days()
    enrolments = list(
        Enrolment.objects.active(now)
        .filter(Q(tracking_outcome__isnull=True) | Q(tracking_outcome__stopped_at__isnull=True))
        .select_related("learner", "session__programme")
    )
    finished = _finished(enrolments)
    enrolments = [e for e in enrolments if e.pk not in finished]
    if not enrolments:
        return 0
    latest = last_activity(enrolments)
    created = 0
    for enrolment in enrolments:
        since = latest[enrolment.pk]
        period = int((now - since).total_seconds() // (days * 86400))
        if period < 1:
            continue
        try:
            with transaction.atomic():
                alert = InactivityAlert.objects.create(
                    enrolment=enrolment, last_activity_at=since, period=period, created_at=now
                )
                thread = Thread(learner=enrolment.learner, programme=enrolment.session.programme)
                send_templated(
                    _tutor_addresses(thread),
                    "tracking/email/inactivity",
                    {"alert": alert, "enrolment": enrolment, "days": (now - since).days},
                )
        except IntegrityError:
            continue  # already alerted for this period
        created += 1
    return created


def alerts_for(viewer):
    return InactivityAlert.objects.filter(
        enrolment__in=Enrolment.objects.filter(access.enrolments_q(viewer))
    ).select_related("enrolment__learner", "enrolment__session__programme", "followed_up_by")


@transaction.atomic
def follow_up(alert, *, by, text, request=None):
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Décrivez l'action menée (appel, message, rendez-vous…)."))
    alert = InactivityAlert.objects.select_for_update().get(pk=alert.pk)
    alert.follow_up, alert.followed_up_at, alert.followed_up_by = text, timezone.now(), by
    alert.save(update_fields=["follow_up", "followed_up_at", "followed_up_by"])
    record("tracking.alert_followed_up", alert.enrolment, actor=by, request=request)
    return alert


# -- accessibility needs (R11.8, indicator 26) ---------------------------------------------------


def declare_needs(learner, needs, *, programme=None, request=None):
    needs = (needs or "").strip()
    if not needs:
        raise ValidationError(_("Décrivez vos besoins."))
    with transaction.atomic():
        need = AccessibilityNeed.objects.create(learner=learner, programme=programme, needs=needs)
        send_templated(
            [settings.ORGANISATION["disability_contact"]],
            "tracking/email/accessibility",
            {"need": need, "learner": learner},
        )
        record("tracking.accessibility_declared", need, actor=learner, request=request)
    return need


@transaction.atomic
def record_adaptations(need, *, by, adaptations, request=None):
    adaptations = (adaptations or "").strip()
    if not adaptations:
        raise ValidationError(_("Décrivez les adaptations mises en place."))
    if not access.is_disability_contact(by):
        raise ValidationError(_("Réservé au référent handicap."))
    need = AccessibilityNeed.objects.select_for_update().get(pk=need.pk)
    need.adaptations, need.handled_at, need.handled_by = adaptations, timezone.now(), by
    need.save(update_fields=["adaptations", "handled_at", "handled_by"])
    send_templated(
        [need.learner.email],
        "tracking/email/accessibility_done",
        {"need": need, "learner": need.learner},
        language=need.learner.language,
    )
    record("tracking.accessibility_adapted", need, actor=by, request=request)
    return need


# -- Qualiopi indicator 2 ------------------------------------------------------------------------


def rates(sessions):
    """Per session: enrolled, satisfaction (mean /5 and % satisfied, sample size), completion and
    success rates, from stored data (R11.8, indicator 2)."""
    sessions = list(sessions)
    result = []
    for session in sessions:
        enrolments = list(
            Enrolment.objects.filter(
                session=session, status=Enrolment.Status.CONFIRMED
            ).select_related("session__programme", "learner")
        )
        answered = list(
            Survey.objects.filter(
                enrolment__session=session, kind=Survey.Kind.HOT, answered_at__isnull=False
            ).values_list("satisfaction", flat=True)
        )
        rows = progress_for(enrolments, with_time=False) if enrolments else []
        completed = sum(1 for r in rows if r["status"] == "completed")
        evaluated = [r for r in rows if r["passed"] is not None]
        passed = sum(1 for r in evaluated if r["passed"])
        result.append(
            {
                "session": session,
                "enrolled": len(enrolments),
                "responses": len(answered),
                "satisfaction": round(sum(answered) / len(answered), 2) if answered else None,
                "satisfied_rate": _pct(sum(1 for s in answered if s >= 4), len(answered)),
                "completion_rate": _pct(completed, len(enrolments)),
                "completed": completed,
                "evaluated": len(evaluated),
                "passed": passed,
                "success_rate": _pct(passed, len(evaluated)),
            }
        )
    return result


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


def combine(rows):
    """One programme's figures from its sessions' rows."""
    enrolled = sum(r["enrolled"] for r in rows)
    responses = sum(r["responses"] for r in rows)
    weighted = sum((r["satisfaction"] or 0) * r["responses"] for r in rows)
    satisfied = sum((r["satisfied_rate"] or 0) * r["responses"] / 100 for r in rows)
    completed = sum(r["completed"] for r in rows)
    evaluated = sum(r["evaluated"] for r in rows)
    passed = sum(r["passed"] for r in rows)
    return {
        "enrolled": enrolled,
        "responses": responses,
        "satisfaction": round(weighted / responses, 2) if responses else None,
        "satisfied_rate": _pct(round(satisfied), responses),
        "completion_rate": _pct(completed, enrolled),
        "completed": completed,
        "evaluated": evaluated,
        "passed": passed,
        "success_rate": _pct(passed, evaluated),
    }
