"""SCORM domain rules (R6.5): import, launch (attempts and resume), recording API calls."""

from __future__ import annotations

import shutil
import uuid as uuidlib
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ilmis.audit.services import record

from . import runtime
from .models import ApiCall, Sco, ScormAttempt, ScormPackage
from .package import extract, inspect

State = ScormAttempt.State
FUNCTIONS = {
    "Initialize",
    "Terminate",
    "Commit",
    "GetValue",
    "SetValue",
    "GetLastError",
    "GetErrorString",
    "GetDiagnostic",
}


class SequenceGap(Exception):
    """A batch starts after calls the server has not received; the browser resends from
    `last_seq` + 1."""

    def __init__(self, last_seq):
        self.last_seq = last_seq
        super().__init__(last_seq)


class StaleSession(Exception):
    """Calls for a session that is no longer the open one (the SCO was relaunched)."""


# --- import -----------------------------------------------------------------------------------


def check_package(path):
    """The manifest if the zip is acceptable; raises PackageError (French problems) if not."""
    return inspect(path)


def import_package(path, *, by=None, programme=None, title=""):
    """Check, extract and record a package; on any failure nothing is left behind."""
    manifest = inspect(path)
    package_uuid = uuidlib.uuid4()
    base = Path(settings.MEDIA_ROOT) / "scorm"
    base.mkdir(parents=True, exist_ok=True)
    staging = base / f".incoming-{package_uuid}"
    final = base / str(package_uuid)
    extract(path, staging)
    moved = False
    try:
        with transaction.atomic():
            package = ScormPackage.objects.create(
                uuid=package_uuid,
                title=(title or manifest.title or "Paquet SCORM")[:300],
                version=manifest.version,
                manifest=manifest.as_json(),
                programme=programme,
                file_count=manifest.file_count,
                unpacked_bytes=manifest.unpacked_bytes,
                uploaded_by=by if by is not None and by.pk else None,
            )
            Sco.objects.bulk_create(
                [
                    Sco(
                        package=package,
                        position=position,
                        level=info.level,
                        identifier=info.identifier[:255],
                        title=info.title[:300],
                        kind=info.kind,
                        launch=info.launch,
                        parameters=info.parameters,
                        mastery_score=info.mastery_score,
                        data_from_lms=info.data_from_lms,
                        time_limit_action=info.time_limit_action,
                        max_time_allowed=info.max_time_allowed,
                        min_normalized_measure=info.min_normalized_measure,
                        satisfied_by_measure=info.satisfied_by_measure,
                        completion_threshold=info.completion_threshold,
                    )
                    for position, info in enumerate(manifest.scos, start=1)
                ]
            )
            record(
                "scorm.package_imported",
                package,
                actor=by,
                version=manifest.version,
                scos=len(manifest.scos),
                files=manifest.file_count,
            )
            staging.rename(final)
            moved = True
    except BaseException:
        shutil.rmtree(final if moved else staging, ignore_errors=True)
        raise
    return package


def delete_package(package, *, by=None):
    root = package.root
    with transaction.atomic():
        record("scorm.package_deleted", package, actor=by)
        package.delete()
        transaction.on_commit(lambda: shutil.rmtree(root, ignore_errors=True))


# --- launching ---------------------------------------------------------------------------------


def _learner_name(user):
    name = ", ".join(p for p in (user.last_name, user.first_name) if p) or user.email
    return name[:250]


def _seed(sco, user):
    """The data a new attempt starts with (from the manifest and the learner)."""
    package = sco.package
    if package.is_12:
        data = {
            "cmi.core.student_id": f"ilmis-{user.pk}",
            "cmi.core.student_name": _learner_name(user)[:255],
            "cmi.core.lesson_location": "",
            "cmi.core.credit": "credit",
            "cmi.core.lesson_status": "not attempted",
            "cmi.core.entry": "ab-initio",
            "cmi.core.total_time": "0000:00:00.00",
            "cmi.core.lesson_mode": "normal",
            "cmi.suspend_data": "",
            "cmi.launch_data": sco.data_from_lms,
            "cmi.comments": "",
            "cmi.comments_from_lms": "",
            "cmi.student_data.max_time_allowed": sco.max_time_allowed,
            "cmi.student_data.time_limit_action": sco.time_limit_action,
            "cmi.student_preference.audio": "0",
            "cmi.student_preference.language": "",
            "cmi.student_preference.speed": "0",
            "cmi.student_preference.text": "0",
        }
        if sco.mastery_score is not None:
            data["cmi.student_data.mastery_score"] = _plain(sco.mastery_score)
        return data
    data = {
        "cmi.learner_id": f"ilmis-{user.pk}",
        "cmi.learner_name": _learner_name(user),
        "cmi.credit": "credit",
        "cmi.mode": "normal",
        "cmi.entry": "ab-initio",
        "cmi.completion_status": "unknown",
        "cmi.success_status": "unknown",
        "cmi.total_time": "PT0H0M0S",
        "cmi.time_limit_action": sco.time_limit_action or "continue,no message",
        "cmi.learner_preference.audio_level": "1",
        "cmi.learner_preference.language": "",
        "cmi.learner_preference.delivery_speed": "1",
        "cmi.learner_preference.audio_captioning": "0",
        "adl.nav.request": "_none_",
    }
    if sco.data_from_lms:
        data["cmi.launch_data"] = sco.data_from_lms
    if sco.max_time_allowed:
        data["cmi.max_time_allowed"] = sco.max_time_allowed
    if sco.completion_threshold is not None:
        data["cmi.completion_threshold"] = _plain(sco.completion_threshold)
    if sco.scaled_passing_score is not None:
        data["cmi.scaled_passing_score"] = _plain(sco.scaled_passing_score)
    return data


def _plain(number):
    text = format(Decimal(number).normalize(), "f")
    return text


def _keys(package):
    if package.is_12:
        return {
            "exit": "cmi.core.exit",
            "session": "cmi.core.session_time",
            "total": "cmi.core.total_time",
            "entry": "cmi.core.entry",
            "location": "cmi.core.lesson_location",
        }
    return {
        "exit": "cmi.exit",
        "session": "cmi.session_time",
        "total": "cmi.total_time",
        "entry": "cmi.entry",
        "location": "cmi.location",
    }


def _close_session(attempt, *, terminated):
    """End the open session: add session_time to total_time, apply 1.2 LMS rules, set state."""
    package = attempt.sco.package
    keys = _keys(package)
    data = dict(attempt.data)
    session = data.pop(keys["session"], "")
    exit_value = data.pop(keys["exit"], "")
    # Finished: Terminate/LMSFinish without suspend, or a browser closed after the SCO said it
    # was leaving for good (exit normal, logout, time-out). Otherwise the attempt resumes.
    finished = exit_value != "suspend" and (
        terminated or exit_value in ("normal", "logout", "time-out")
    )
    if package.is_12:
        seconds = runtime.timespan_seconds(session) or 0
        total = (runtime.timespan_seconds(data.get(keys["total"], "")) or 0) + seconds
        data[keys["total"]] = runtime.format_timespan(total)
        status = data.get("cmi.core.lesson_status", "not attempted")
        if finished and status == "not attempted":
            status = "completed"  # SCORM 1.2 RTE 3.4.4: the SCO ended without setting a status
        # The mastery score decides passed/failed once the SCO says it is done (not while the
        # learner is half-way through and suspends: that would end the attempt).
        mastery = attempt.sco.mastery_score
        raw = runtime.decimal_or_none(data.get("cmi.core.score.raw"))
        if (
            finished
            and status in ("completed", "passed", "failed")
            and mastery is not None
            and raw is not None
            and data.get("cmi.core.credit") == "credit"
        ):
            status = "passed" if raw >= mastery else "failed"
        data["cmi.core.lesson_status"] = status
    else:
        seconds = runtime.duration_seconds(session) or 0
        total = (runtime.duration_seconds(data.get(keys["total"], "")) or 0) + seconds
        data[keys["total"]] = runtime.format_duration(total)
    data.pop("adl.nav.request", None)
    if not package.is_12:
        data["adl.nav.request"] = "_none_"
    attempt.exit = exit_value
    attempt.state = State.CLOSED if finished else State.SUSPENDED
    attempt.data = data
    _derive(attempt)


def _derive(attempt):
    """The fields other apps read, from the run-time data."""
    data = attempt.data
    keys = _keys(attempt.sco.package)
    attempt.location = data.get(keys["location"], "")[:1000]
    attempt.suspend_data = data.get("cmi.suspend_data", "")
    attempt.entry = data.get(keys["entry"], "")
    if attempt.sco.package.is_12:
        status = data.get("cmi.core.lesson_status", "not attempted")
        attempt.completion_status = (
            "completed"
            if status in ("completed", "passed", "failed")
            else "incomplete"
            if status in ("incomplete", "browsed")
            else "not attempted"
        )
        attempt.success_status = status if status in ("passed", "failed") else "unknown"
        raw = runtime.decimal_or_none(data.get("cmi.core.score.raw"))
        low = runtime.decimal_or_none(data.get("cmi.core.score.min"))
        high = runtime.decimal_or_none(data.get("cmi.core.score.max"))
        attempt.score_raw = raw
        if raw is None:
            attempt.score_scaled = None
        elif high is not None and high > (low or 0):
            attempt.score_scaled = (raw - (low or 0)) / (high - (low or 0))
        else:
            attempt.score_scaled = raw / 100
        seconds = runtime.timespan_seconds(data.get("cmi.core.total_time", "")) or 0
    else:
        rt = runtime.Runtime(attempt.sco.package.version, data)
        attempt.completion_status = rt.evaluated_status("cmi.completion_status")
        attempt.success_status = rt.evaluated_status("cmi.success_status")
        attempt.score_raw = runtime.decimal_or_none(data.get("cmi.score.raw"))
        attempt.score_scaled = runtime.decimal_or_none(data.get("cmi.score.scaled"))
        seconds = runtime.duration_seconds(data.get("cmi.total_time", "")) or 0
    if attempt.score_scaled is not None:
        attempt.score_scaled = max(Decimal(-1), min(Decimal(1), attempt.score_scaled)).quantize(
            Decimal("0.0000001")
        )
    if attempt.score_raw is not None and abs(attempt.score_raw) >= Decimal(10) ** 10:
        attempt.score_raw = None  # beyond what the column holds; the run-time data keeps it
    attempt.total_seconds = float(seconds)
    if attempt.completion_status == "completed" and attempt.completed_at is None:
        attempt.completed_at = timezone.now()


def _starts_new_attempt(attempt):
    if attempt.state != State.CLOSED:
        return False
    if not attempt.sco.package.is_12:
        return True  # 2004: an attempt ends when the SCO exits other than by suspend
    # 1.2: an attempt that is over (completed, passed or failed) is not reopened.
    return attempt.data.get("cmi.core.lesson_status") in ("completed", "passed", "failed")


def navigation(sco):
    """Identifiers in table-of-contents order, and the SCOs before and after this one."""
    scos = list(sco.package.scos.filter(kind=Sco.Kind.SCO).values_list("identifier", flat=True))
    all_ids = list(sco.package.scos.values_list("identifier", flat=True))
    index = all_ids.index(sco.identifier)
    return {
        "targets": scos,
        "previous": all_ids[index - 1] if index > 0 else None,
        "next": all_ids[index + 1] if index + 1 < len(all_ids) else None,
    }


@transaction.atomic
def launch(user, sco):
    """Open a session of `sco` for `user`: the attempt to use and the data the SCO starts with.

    A suspended attempt (exit=suspend, or a browser closed without Terminate) resumes with
    cmi.entry=resume; a closed one starts a new attempt (2004, or 1.2 once completed)."""
    latest = (
        ScormAttempt.objects.select_for_update()
        .select_related("sco__package")
        .filter(learner=user, sco=sco)
        .order_by("-number")
        .first()
    )
    if latest is not None and latest.state == State.ACTIVE:
        _close_session(latest, terminated=False)
        record("scorm.session_abandoned", latest, actor=user, to_state=latest.state)
    if latest is None or _starts_new_attempt(latest):
        if latest is not None:
            latest.save()
        attempt = ScormAttempt(
            learner=user,
            sco=sco,
            number=(latest.number + 1) if latest else 1,
            data=_seed(sco, user),
        )
        entry = "ab-initio"
        record("scorm.attempt_started", sco, actor=user, number=attempt.number)
    else:
        attempt = latest
        entry = "resume" if latest.state == State.SUSPENDED else ""
    keys = _keys(sco.package)
    data = dict(attempt.data)
    data[keys["entry"]] = entry
    data.pop(keys["exit"], None)
    data.pop(keys["session"], None)
    if not sco.package.is_12:
        nav = navigation(sco)
        data["adl.nav.request"] = "_none_"
        data["adl.nav.request_valid.continue"] = "true" if nav["next"] else "false"
        data["adl.nav.request_valid.previous"] = "true" if nav["previous"] else "false"
    if sco.kind == Sco.Kind.ASSET:
        # An asset has no API to report with: opening it completes it (as SCORM engines do).
        data["cmi.core.lesson_status" if sco.package.is_12 else "cmi.completion_status"] = (
            "completed"
        )
    attempt.data = data
    attempt.state = State.ACTIVE
    attempt.session_count += 1
    _derive(attempt)
    attempt.save()
    if sco.kind == Sco.Kind.ASSET:
        from .integration import notify_completion

        notify_completion(attempt)
    return attempt


def client_payload(attempt):
    """What api.js receives to run a session.

    All the data, write-only elements included: api.js never reads them back to the SCO
    (GetValue answers 404/405), but it needs them to count records (1.2 interactions are
    write-only, and a resumed SCO appends at cmi.interactions._count)."""
    sco = attempt.sco
    return {
        "attempt": attempt.pk,
        "session": attempt.session_count,
        "seq": attempt.last_seq,
        "data": attempt.data,
        "targets": navigation(sco)["targets"] if not sco.package.is_12 else [],
        **runtime.client_tables(sco.package.version),
    }


# --- recording ---------------------------------------------------------------------------------


def _timestamp(value, default):
    try:
        return datetime.fromtimestamp(float(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return default


def _seq(call):
    try:
        return int(call.get("seq"))
    except (AttributeError, TypeError, ValueError):
        return 0


@transaction.atomic
def record_calls(attempt_id, user, session, calls, first=None):
    """Apply a batch of API calls from the browser, in order, exactly once (keyed by `seq`).

    `first` is the first number the browser had not seen acknowledged: the batch may have holes
    after it (a beacon keeps only the last SetValue of each element) but not before it. Each
    SetValue the browser accepted is replayed through the server's runtime: a value the server
    finds invalid is not stored, and the log shows the server's error code. Returns the last
    sequence number applied."""
    attempt = (
        ScormAttempt.objects.select_for_update()
        .select_related("sco__package")
        .get(pk=attempt_id, learner=user)
    )
    fresh = sorted((c for c in calls if _seq(c) > attempt.last_seq), key=_seq)
    if not fresh:
        return attempt.last_seq
    if session != attempt.session_count:
        raise StaleSession()
    try:
        first = int(first) if first not in (None, "") else _seq(fresh[0])
    except (TypeError, ValueError):
        first = _seq(fresh[0])
    if first > attempt.last_seq + 1:
        raise SequenceGap(attempt.last_seq)
    package = attempt.sco.package
    rt = runtime.Runtime(package.version, attempt.data, targets=navigation(attempt.sco)["targets"])
    rt.state = runtime.RUNNING
    applying = attempt.state == State.ACTIVE  # after Terminate, calls are only logged
    now = timezone.now()
    log = []
    terminated = False
    for call in fresh:
        seq = _seq(call)
        function = str(call.get("fn", ""))[:20]
        if function not in FUNCTIONS:
            function = "?"
        element = str(call.get("element", ""))[:255]
        value = str(call.get("value", ""))  # applied whole; the log keeps the first 64 KB
        try:
            error = int(call.get("error", 0))
        except (TypeError, ValueError):
            error = 0
        server_error = None
        if applying and not terminated and error == 0 and function == "SetValue":
            code = rt._set(element, value)
            if code:
                server_error = code
        elif applying and not terminated and error == 0 and function == "Terminate":
            terminated = True
        log.append(
            ApiCall(
                attempt=attempt,
                seq=seq,
                session=attempt.session_count,
                function=function,
                element=element,
                value=value[:65536],
                result=str(call.get("result", ""))[:4000],
                error_code=max(0, min(error, 999)),
                server_error=server_error,
                at=_timestamp(call.get("t"), now),
            )
        )
    attempt.last_seq = _seq(fresh[-1])
    ApiCall.objects.bulk_create(log)
    if applying:
        attempt.data = rt.data
    if terminated:
        _close_session(attempt, terminated=True)
        record(
            "scorm.session_terminated",
            attempt,
            actor=user,
            to_state=attempt.state,
            exit=attempt.exit,
        )
    elif applying:
        _derive(attempt)
    attempt.save()
    if applying:
        from .integration import notify_completion

        notify_completion(attempt)
    return attempt.last_seq


# --- reading ------------------------------------------------------------------------------------


def latest_attempt(user, sco):
    return ScormAttempt.objects.filter(learner=user, sco=sco).order_by("-number").first()


def package_result(user, package):
    """For the learning app: per SCO, the best attempt; completed/passed when every SCO is.

    Returns {"completed": bool, "passed": bool, "score_scaled": Decimal|None,
    "total_seconds": float, "attempts": {sco_id: ScormAttempt}}."""
    scos = list(package.scos.all())  # assets count too: opening one completes it
    attempts = ScormAttempt.objects.filter(learner=user, sco__package=package)
    best = {}
    total = 0.0
    for attempt in attempts:
        total += attempt.total_seconds
        current = best.get(attempt.sco_id)
        rank = (attempt.is_passed, attempt.is_completed, attempt.score_scaled or -2, attempt.number)
        if current is None or rank > (
            current.is_passed,
            current.is_completed,
            current.score_scaled or -2,
            current.number,
        ):
            best[attempt.sco_id] = attempt
    chosen = [best.get(s.pk) for s in scos]
    scores = [a.score_scaled for a in chosen if a is not None and a.score_scaled is not None]
    return {
        "completed": bool(scos) and all(a is not None and a.is_completed for a in chosen),
        "passed": bool(scos)
        and all(
            a is not None and (a.is_passed or (a.success_status == "unknown" and a.is_completed))
            for a in chosen
        ),
        "score_scaled": (sum(scores) / len(scores)) if scores else None,
        "total_seconds": total,
        "attempts": best,
    }
