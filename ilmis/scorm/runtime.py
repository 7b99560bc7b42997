"""The SCORM run-time data models (1.2 and 2004 4th edition), on the server side (R6.5).

The browser runs the same rules in static/scorm/api.js (the tables below are sent to it, so the
element list, access modes, types, limits and error strings have one source). The server replays
every SetValue it receives through `Runtime` so that what is stored is always valid, whatever the
browser says.

Data is a flat dict: {"cmi.location": "p3", "cmi.interactions.0.id": "q1", ...}. Array counts
are derived from the keys (records are created in order, an index may not skip).
"""

from __future__ import annotations

import calendar
import re
from decimal import Decimal, InvalidOperation

NOT_INITIALIZED, RUNNING, TERMINATED = 0, 1, 2

# SCORM 2004 sizes are "smallest permitted maximums": the LMS must keep at least that many
# characters, and a longer value is not an error (ADL's sample RTE logs a warning and keeps it).
# This LMS keeps up to 4 times the SPM and refuses more (406), to bound what one SCO may store.
# SCORM 1.2 sizes are the types' maximums (CMIString255, CMIString4096): longer is an error.
SPM_TOLERANCE = 4

# --- the data models --------------------------------------------------------------------------
# pattern -> (mode, type, *args); "n" stands for an array index. Types are checked by `_check`
# here and by `checkType` in api.js.

RW, RO, WO = "rw", "ro", "wo"

EXIT_2004 = ["time-out", "suspend", "logout", "normal", ""]
COMPLETION = ["completed", "incomplete", "not attempted", "unknown"]
SUCCESS = ["passed", "failed", "unknown"]
INTERACTION_TYPES_2004 = [
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
]
NAV_REQUESTS = [
    "continue",
    "previous",
    "exit",
    "exitAll",
    "abandon",
    "abandonAll",
    "suspendAll",
    "_none_",
]

MODEL_2004 = {
    "cmi._version": (RO, "fixed", "1.0"),
    "cmi.comments_from_learner._children": (RO, "fixed", "comment,location,timestamp"),
    "cmi.comments_from_learner._count": (RO, "count"),
    "cmi.comments_from_learner.n.comment": (RW, "lstr", 4000),
    "cmi.comments_from_learner.n.location": (RW, "str", 250),
    "cmi.comments_from_learner.n.timestamp": (RW, "time"),
    "cmi.comments_from_lms._children": (RO, "fixed", "comment,location,timestamp"),
    "cmi.comments_from_lms._count": (RO, "count"),
    "cmi.comments_from_lms.n.comment": (RO, "lstr", 4000),
    "cmi.comments_from_lms.n.location": (RO, "str", 250),
    "cmi.comments_from_lms.n.timestamp": (RO, "time"),
    "cmi.completion_status": (RW, "vocab", COMPLETION),
    "cmi.completion_threshold": (RO, "real", 0, 1),
    "cmi.credit": (RO, "vocab", ["credit", "no-credit"]),
    "cmi.entry": (RO, "vocab", ["ab-initio", "resume", ""]),
    "cmi.exit": (WO, "vocab", EXIT_2004),
    "cmi.interactions._children": (
        RO,
        "fixed",
        "id,type,objectives,timestamp,correct_responses,"
        "weighting,learner_response,result,latency,description",
    ),
    "cmi.interactions._count": (RO, "count"),
    "cmi.interactions.n.id": (RW, "lid", 4000),
    "cmi.interactions.n.type": (RW, "vocab", INTERACTION_TYPES_2004),
    "cmi.interactions.n.objectives._count": (RO, "count"),
    "cmi.interactions.n.objectives.n.id": (RW, "lid", 4000),
    "cmi.interactions.n.timestamp": (RW, "time"),
    "cmi.interactions.n.correct_responses._count": (RO, "count"),
    "cmi.interactions.n.correct_responses.n.pattern": (RW, "pattern"),
    "cmi.interactions.n.weighting": (RW, "real", None, None),
    "cmi.interactions.n.learner_response": (RW, "response"),
    "cmi.interactions.n.result": (
        RW,
        "result",
        ["correct", "incorrect", "unanticipated", "neutral"],
    ),
    "cmi.interactions.n.latency": (RW, "dur"),
    "cmi.interactions.n.description": (RW, "lstr", 250),
    "cmi.launch_data": (RO, "str", 4000),
    "cmi.learner_id": (RO, "lid", 4000),
    "cmi.learner_name": (RO, "lstr", 250),
    "cmi.learner_preference._children": (
        RO,
        "fixed",
        "audio_level,language,delivery_speed,audio_captioning",
    ),
    "cmi.learner_preference.audio_level": (RW, "real", 0, None),
    "cmi.learner_preference.language": (RW, "lang"),
    "cmi.learner_preference.delivery_speed": (RW, "real", 0, None),
    "cmi.learner_preference.audio_captioning": (RW, "vocab", ["-1", "0", "1"]),
    "cmi.location": (RW, "str", 1000),
    "cmi.max_time_allowed": (RO, "dur"),
    "cmi.mode": (RO, "vocab", ["browse", "normal", "review"]),
    "cmi.objectives._children": (
        RO,
        "fixed",
        "id,score,success_status,completion_status,progress_measure,description",
    ),
    "cmi.objectives._count": (RO, "count"),
    "cmi.objectives.n.id": (RW, "lid", 4000),
    "cmi.objectives.n.score._children": (RO, "fixed", "scaled,raw,min,max"),
    "cmi.objectives.n.score.scaled": (RW, "real", -1, 1),
    "cmi.objectives.n.score.raw": (RW, "real", None, None),
    "cmi.objectives.n.score.min": (RW, "real", None, None),
    "cmi.objectives.n.score.max": (RW, "real", None, None),
    "cmi.objectives.n.success_status": (RW, "vocab", SUCCESS),
    "cmi.objectives.n.completion_status": (RW, "vocab", COMPLETION),
    "cmi.objectives.n.progress_measure": (RW, "real", 0, 1),
    "cmi.objectives.n.description": (RW, "lstr", 250),
    "cmi.progress_measure": (RW, "real", 0, 1),
    "cmi.scaled_passing_score": (RO, "real", -1, 1),
    "cmi.score._children": (RO, "fixed", "scaled,raw,min,max"),
    "cmi.score.scaled": (RW, "real", -1, 1),
    "cmi.score.raw": (RW, "real", None, None),
    "cmi.score.min": (RW, "real", None, None),
    "cmi.score.max": (RW, "real", None, None),
    "cmi.session_time": (WO, "dur"),
    "cmi.success_status": (RW, "vocab", SUCCESS),
    "cmi.suspend_data": (RW, "str", 64000),
    "cmi.time_limit_action": (
        RO,
        "vocab",
        ["exit,message", "continue,message", "exit,no message", "continue,no message"],
    ),
    "cmi.total_time": (RO, "dur"),
    "adl.nav.request": (RW, "nav", NAV_REQUESTS),
    "adl.nav.request_valid.continue": (RO, "vocab", ["true", "false", "unknown"]),
    "adl.nav.request_valid.previous": (RO, "vocab", ["true", "false", "unknown"]),
    "adl.nav.request_valid.choice.{target}": (RO, "navvalid"),
    "adl.nav.request_valid.jump.{target}": (RO, "navvalid"),
    "adl.data._children": (RO, "fixed", "id,store"),
    "adl.data._count": (RO, "count"),
    "adl.data.n.id": (RO, "lid", 4000),
    "adl.data.n.store": (RW, "str", 64000),
}

STATUS_12 = ["passed", "completed", "failed", "incomplete", "browsed", "not attempted"]
INTERACTION_TYPES_12 = [
    "true-false",
    "choice",
    "fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
]

MODEL_12 = {
    "cmi._version": (RO, "fixed", "3.4"),
    "cmi.core._children": (
        RO,
        "fixed",
        "student_id,student_name,lesson_location,credit,"
        "lesson_status,entry,score,total_time,lesson_mode,exit,session_time",
    ),
    "cmi.core.student_id": (RO, "id12"),
    "cmi.core.student_name": (RO, "str", 255),
    "cmi.core.lesson_location": (RW, "str", 255),
    "cmi.core.credit": (RO, "vocab", ["credit", "no-credit"]),
    "cmi.core.lesson_status": (RW, "vocab", STATUS_12),
    "cmi.core.entry": (RO, "vocab", ["ab-initio", "resume", ""]),
    "cmi.core.score._children": (RO, "fixed", "raw,min,max"),
    "cmi.core.score.raw": (RW, "dec12", 0, 100),
    "cmi.core.score.min": (RW, "dec12", 0, 100),
    "cmi.core.score.max": (RW, "dec12", 0, 100),
    "cmi.core.total_time": (RO, "span12"),
    "cmi.core.lesson_mode": (RO, "vocab", ["browse", "normal", "review"]),
    "cmi.core.exit": (WO, "vocab", ["time-out", "suspend", "logout", ""]),
    "cmi.core.session_time": (WO, "span12"),
    "cmi.suspend_data": (RW, "str", 4096),
    "cmi.launch_data": (RO, "str", 4096),
    "cmi.comments": (RW, "str", 4096),
    "cmi.comments_from_lms": (RO, "str", 4096),
    "cmi.objectives._children": (RO, "fixed", "id,score,status"),
    "cmi.objectives._count": (RO, "count"),
    "cmi.objectives.n.id": (RW, "id12"),
    "cmi.objectives.n.score._children": (RO, "fixed", "raw,min,max"),
    "cmi.objectives.n.score.raw": (RW, "dec12", 0, 100),
    "cmi.objectives.n.score.min": (RW, "dec12", 0, 100),
    "cmi.objectives.n.score.max": (RW, "dec12", 0, 100),
    "cmi.objectives.n.status": (RW, "vocab", STATUS_12),
    "cmi.student_data._children": (RO, "fixed", "mastery_score,max_time_allowed,time_limit_action"),
    "cmi.student_data.mastery_score": (RO, "dec12", 0, 100),
    "cmi.student_data.max_time_allowed": (RO, "span12"),
    "cmi.student_data.time_limit_action": (
        RO,
        "vocab",
        ["exit,message", "exit,no message", "continue,message", "continue,no message", ""],
    ),
    "cmi.student_preference._children": (RO, "fixed", "audio,language,speed,text"),
    "cmi.student_preference.audio": (RW, "int12", -1, 100),
    "cmi.student_preference.language": (RW, "str", 255),
    "cmi.student_preference.speed": (RW, "int12", -100, 100),
    "cmi.student_preference.text": (RW, "int12", -1, 1),
    "cmi.interactions._children": (
        RO,
        "fixed",
        "id,objectives,time,type,correct_responses,weighting,student_response,result,latency",
    ),
    "cmi.interactions._count": (RO, "count"),
    "cmi.interactions.n.id": (WO, "id12"),
    "cmi.interactions.n.objectives._count": (RO, "count"),
    "cmi.interactions.n.objectives.n.id": (WO, "id12"),
    "cmi.interactions.n.time": (WO, "time12"),
    "cmi.interactions.n.type": (WO, "vocab", INTERACTION_TYPES_12),
    "cmi.interactions.n.correct_responses._count": (RO, "count"),
    "cmi.interactions.n.correct_responses.n.pattern": (WO, "response12"),
    "cmi.interactions.n.weighting": (WO, "dec12", None, None),
    "cmi.interactions.n.student_response": (WO, "response12"),
    "cmi.interactions.n.result": (WO, "result12", ["correct", "wrong", "unanticipated", "neutral"]),
    "cmi.interactions.n.latency": (WO, "span12"),
}

# Initial values of array fields (what GetValue answers once the record exists, before a set).
DEFAULTS_2004 = {
    "cmi.objectives.n.success_status": "unknown",
    "cmi.objectives.n.completion_status": "unknown",
}

# How many records an array keeps: the 2004 SPMs (ADL's RTE), tolerated SPM_TOLERANCE times
# like strings; 1.2 gives no SPM, the same numbers apply. One more record fails with 351.
ARRAY_SPM = {
    "cmi.comments_from_learner": 250,
    "cmi.interactions": 250,
    "cmi.interactions.n.objectives": 10,
    "cmi.interactions.n.correct_responses": 250,
    "cmi.objectives": 100,
}

# Arrays whose records need their id first (2004 dependency rule, error 408).
ID_FIRST = {"cmi.interactions": "id", "cmi.objectives": "id"}

ERRORS_2004 = {
    0: "No Error",
    101: "General Exception",
    102: "General Initialization Failure",
    103: "Already Initialized",
    104: "Content Instance Terminated",
    111: "General Termination Failure",
    112: "Termination Before Initialization",
    113: "Termination After Termination",
    122: "Retrieve Data Before Initialization",
    123: "Retrieve Data After Termination",
    132: "Store Data Before Initialization",
    133: "Store Data After Termination",
    142: "Commit Before Initialization",
    143: "Commit After Termination",
    201: "General Argument Error",
    301: "General Get Failure",
    351: "General Set Failure",
    391: "General Commit Failure",
    401: "Undefined Data Model Element",
    402: "Unimplemented Data Model Element",
    403: "Data Model Element Value Not Initialized",
    404: "Data Model Element Is Read Only",
    405: "Data Model Element Is Write Only",
    406: "Data Model Element Type Mismatch",
    407: "Data Model Element Value Out Of Range",
    408: "Data Model Dependency Not Established",
}

ERRORS_12 = {
    0: "No error",
    101: "General exception",
    201: "Invalid argument error",
    202: "Element cannot have children",
    203: "Element not an array - cannot have count",
    301: "Not initialized",
    401: "Not implemented error",
    402: "Invalid set value, element is a keyword",
    403: "Element is read only",
    404: "Element is write only",
    405: "Incorrect data type",
}

# One name per failure, the code for each version: (1.2, 2004).
CODES = {
    "init_twice": (101, 103),
    "init_after_term": (101, 104),
    "term_before": (301, 112),
    "term_after": (301, 113),
    "get_before": (301, 122),
    "get_after": (301, 123),
    "set_before": (301, 132),
    "set_after": (301, 133),
    "commit_before": (301, 142),
    "commit_after": (301, 143),
    "argument": (201, 201),
    "get_failure": (201, 301),
    "set_failure": (201, 351),
    "undefined": (401, 401),
    "not_set": (0, 403),
    "read_only": (403, 404),
    "write_only": (404, 405),
    "keyword": (402, 404),
    "no_children": (202, 301),
    "no_count": (203, 301),
    "type": (405, 406),
    "range": (405, 407),
    "dependency": (201, 408),
    "general": (101, 101),
}


def model_for(version):
    return MODEL_12 if version == "1.2" else MODEL_2004


def client_tables(version):
    """What api.js needs: the model, the error strings and codes (one source of truth)."""
    is_12 = version == "1.2"
    return {
        "version": "1.2" if is_12 else "2004",
        "model": {key: list(spec) for key, spec in model_for(version).items()},
        "errors": {str(k): v for k, v in (ERRORS_12 if is_12 else ERRORS_2004).items()},
        "codes": {name: pair[0 if is_12 else 1] for name, pair in CODES.items()},
        "spm_factor": 1 if is_12 else SPM_TOLERANCE,
        "defaults": {} if is_12 else DEFAULTS_2004,
        "array_max": {k: v * SPM_TOLERANCE for k, v in ARRAY_SPM.items()},
    }


# --- types ------------------------------------------------------------------------------------

# What ADL's RTE accepts (Java's parseDouble) without its oddities: a sign, an exponent, "1."
# and ".5" are fine (JavaScript writes 0.0000001 as "1e-7"); NaN, Infinity, hex are not.
REAL = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
INT = re.compile(r"^-?\d+$")
DURATION = re.compile(
    r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,2})?)S)?)?$"
)
# As ADL's RTE: the time zone designator may only follow the seconds.
TIMESTAMP = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.\d{1,2})?"
    r"([Zz]|[+-](\d{2})(?::(\d{2}))?)?)?)?)?)?)?$"
)
TIMESPAN_12 = re.compile(r"^(\d{2,4}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?$")
TIME_12 = re.compile(r"^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.\d{1,2})?$")
LANG = re.compile(r"^(?:[a-zA-Z]{2,3}|[iIxX])(?:-[a-zA-Z0-9]{1,8})*$")
ID_12 = re.compile(r"^[^\s]{1,255}$")
URI_FORBIDDEN = re.compile(r'[\s\x00-\x1f\x7f"<>\\^`{|}\[\]]|%(?![0-9A-Fa-f]{2})')
URI_SCHEME = re.compile(r"^([^:/?#]+):(.*)$", re.DOTALL)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
SHORT_ID = re.compile(r"^[^\s]{1,1000}$")  # SPM 250, tolerated 4 times
LANG_PREFIX = re.compile(r"^\{lang=([^}]*)\}")


def _real(value):
    return REAL.match(value) is not None


def duration_seconds(value):
    """Seconds in an ISO 8601 duration (2004 timeinterval), or None if invalid."""
    match = DURATION.match(value or "")
    if not match or value == "P" or value.endswith("T"):
        return None
    y, mo, d, h, mi, s = match.groups()
    return (
        int(y or 0) * 31536000  # 365 days; a month is 30.417 days, as in ADL's RTE
        + int(mo or 0) * 2628029
        + int(d or 0) * 86400
        + int(h or 0) * 3600
        + int(mi or 0) * 60
        + float(s or 0)
    )


def timespan_seconds(value):
    """Seconds in a SCORM 1.2 CMITimespan (HHHH:MM:SS.SS), or None if invalid."""
    match = TIMESPAN_12.match(value or "")
    if not match or int(match.group(2)) > 59 or int(match.group(3)) > 59:
        return None
    h, m, s, frac = match.groups()
    return int(h) * 3600 + int(m) * 60 + int(s) + (int(frac) / 10 ** len(frac) if frac else 0)


def format_duration(seconds):
    seconds = max(0.0, round(float(seconds), 2))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    secs = f"{secs:.2f}".rstrip("0").rstrip(".")
    return f"PT{int(hours)}H{int(minutes)}M{secs}S"


def format_timespan(seconds):
    seconds = max(0.0, round(float(seconds), 2))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{min(int(hours), 9999):04d}:{int(minutes):02d}:{secs:05.2f}"


def _valid_timestamp(value):
    match = TIMESTAMP.match(value)
    if not match:
        return False
    year, month, day, hour, minute, second, tz, tzh, tzm = match.groups()
    if not 1970 <= int(year) <= 2038:
        return False
    if month and not 1 <= int(month) <= 12:
        return False
    if day and not 1 <= int(day) <= calendar.monthrange(int(year), int(month))[1]:
        return False
    if hour and int(hour) > 23 or minute and int(minute) > 59 or second and int(second) > 59:
        return False
    if tz and not hour:
        return False
    return not (tzh and int(tzh) > 23 or tzm and int(tzm) > 59)


def _localized(value, limit):
    match = LANG_PREFIX.match(value)
    if value.startswith("{lang="):
        if not match or not LANG.match(match.group(1)):
            return False
        value = value[match.end() :]
    return len(value) <= limit


def _long_id(value, limit=4000):
    """long_identifier_type: a URI, read as ADL's RTE does (java.net.URI): no spaces, controls
    or characters URIs forbid, %XX escapes, one fragment, a well-formed scheme if any."""
    if not value or len(value) > limit or URI_FORBIDDEN.search(value) or value.count("#") > 1:
        return False
    if value.startswith(":"):
        return False
    match = URI_SCHEME.match(value)
    return not match or (SCHEME.match(match.group(1)) is not None and match.group(2) != "")


def _short_ids(value, separator, unique=False, allow_empty=False):
    if value == "":
        return allow_empty
    parts = value.split(separator)
    if unique and len(set(parts)) != len(parts):
        return False
    return all(SHORT_ID.match(p) for p in parts)


def _strip_flags(value, names):
    """Remove leading {case_matters=..}{order_matters=..} delimiters; None if malformed."""
    while value.startswith("{"):
        match = re.match(r"^\{(case_matters|order_matters)=(true|false)\}", value)
        if not match:
            return value if value.startswith("{lang=") else None
        if match.group(1) not in names:
            return None
        value = value[match.end() :]
    return value


def _check_response(kind, value, is_pattern):
    """SCORM 2004 learner_response / correct_responses.n.pattern formats, by interaction type."""
    if kind == "true-false":
        return value in ("true", "false")
    if kind == "choice":
        return _short_ids(value, "[,]", unique=True, allow_empty=True)
    if kind == "sequencing":
        return _short_ids(value, "[,]")
    if kind == "likert":
        return SHORT_ID.match(value) is not None
    if kind == "matching":
        pairs = value.split("[,]")
        return all(
            len(p.split("[.]")) == 2 and all(SHORT_ID.match(x) for x in p.split("[.]"))
            for p in pairs
        )
    if kind == "numeric":
        if not is_pattern:
            return _real(value)
        bounds = value.split("[:]")
        if len(bounds) != 2 or not all(b == "" or _real(b) for b in bounds):
            return False
        low, high = bounds
        return low == "" or high == "" or Decimal(low) <= Decimal(high)
    if kind == "fill-in":
        if is_pattern:
            value = _strip_flags(value, ("case_matters", "order_matters"))
            if value is None:
                return False
        parts = value.split("[,]")
        return all(_localized(p, 250 * SPM_TOLERANCE) for p in parts)
    if kind == "long-fill-in":
        if is_pattern:
            value = _strip_flags(value, ("case_matters",))
            if value is None:
                return False
        return _localized(value, 4000 * SPM_TOLERANCE)
    if kind == "performance":
        if is_pattern:
            value = _strip_flags(value, ("order_matters",))
            if value is None:
                return False
        steps = value.split("[,]")
        for step in steps:
            parts = step.split("[.]")
            if len(parts) != 2 or parts == ["", ""] or len(step) > 250 * SPM_TOLERANCE:
                return False
            if parts[0] and not SHORT_ID.match(parts[0]):
                return False
        return True
    return len(value) <= 4000 * SPM_TOLERANCE  # other


def _check_response_12(kind, value):
    if kind == "true-false":
        return value in ("0", "1", "t", "f", "true", "false")
    if kind == "numeric":
        return _real(value)
    return len(value) <= 255


# --- the runtime ------------------------------------------------------------------------------


class Runtime:
    """One SCO session's API, as the SCO sees it (same rules as api.js)."""

    def __init__(self, version, data=None, targets=()):
        self.version = version
        self.is_12 = version == "1.2"
        self.model = model_for(version)
        self.data = dict(data or {})
        self._indices = {}
        for key in self.data:
            self._index(key)
        self.targets = set(targets)
        self.state = NOT_INITIALIZED
        self.error = 0
        self.diagnostic = ""

    # errors
    def _fail(self, name, diagnostic=""):
        self.error = CODES[name][0 if self.is_12 else 1]
        self.diagnostic = diagnostic
        return self.error

    def _ok(self):
        self.error = 0
        self.diagnostic = ""
        return 0

    # session
    def initialize(self, arg=""):
        if arg != "":
            self._fail("argument", "The parameter must be an empty string.")
        elif self.state == RUNNING:
            self._fail("init_twice")
        elif self.state == TERMINATED:
            self._fail("init_after_term")
        else:
            self.state = RUNNING
            self._ok()
        return "false" if self.error else "true"

    def terminate(self, arg=""):
        if arg != "":
            self._fail("argument", "The parameter must be an empty string.")
        elif self.state == NOT_INITIALIZED:
            self._fail("term_before")
        elif self.state == TERMINATED:
            self._fail("term_after")
        else:
            self.state = TERMINATED
            self._ok()
        return "false" if self.error else "true"

    def commit(self, arg=""):
        if arg != "":
            self._fail("argument", "The parameter must be an empty string.")
        elif self.state == NOT_INITIALIZED:
            self._fail("commit_before")
        elif self.state == TERMINATED:
            self._fail("commit_after")
        else:
            self._ok()
        return "false" if self.error else "true"

    def get_last_error(self):
        return str(self.error)

    def get_error_string(self, code):
        table = ERRORS_12 if self.is_12 else ERRORS_2004
        try:
            return table.get(int(code), "")
        except (TypeError, ValueError):
            return ""

    def get_diagnostic(self, code=""):
        if code in ("", None) or str(code) == str(self.error):
            return self.diagnostic or self.get_error_string(self.error)
        return self.get_error_string(code)

    # elements
    def count(self, prefix):
        return len(self._indices.get(prefix, ()))

    def _index(self, key):
        """Remember the array indices in `key` (counts without scanning the data)."""
        parts = key.split(".")
        for i, part in enumerate(parts):
            if i > 0 and part.isascii() and part.isdigit():
                self._indices.setdefault(".".join(parts[:i]), set()).add(part)

    def _resolve(self, element):
        """(pattern, spec, indices) or None: indices are [(array prefix, index), ...]."""
        if element.startswith(("adl.nav.request_valid.choice.", "adl.nav.request_valid.jump.")):
            kind, _, target = element[len("adl.nav.request_valid.") :].partition(".")
            match = re.match(r"^\{target=([^}\s]+)\}$", target)
            if self.is_12 or not match:
                return None
            return (
                f"adl.nav.request_valid.{kind}.{{target}}",
                self.model[f"adl.nav.request_valid.{kind}.{{target}}"],
                [("target", match.group(1))],
            )
        parts = element.split(".")
        pattern_parts, indices = [], []
        if "n" in parts or "{target}" in parts:
            return None
        for i, part in enumerate(parts):
            if part.isascii() and part.isdigit() and i > 0:
                if part != "0" and part.startswith("0"):
                    return None
                indices.append((".".join(parts[:i]), int(part)))
                pattern_parts.append("n")
            else:
                pattern_parts.append(part)
        pattern = ".".join(pattern_parts)
        spec = self.model.get(pattern)
        if spec is None:
            return None
        return pattern, spec, indices

    def _known_prefix(self, element):
        parts = ["n" if p.isascii() and p.isdigit() else p for p in element.split(".")]
        prefix = ".".join(parts)
        return any(key == prefix or key.startswith(prefix + ".") for key in self.model)

    def _lookup_failure(self, element, setting):
        for keyword, failure in (("._children", "no_children"), ("._count", "no_count")):
            if element.endswith(keyword) and self._known_prefix(element[: -len(keyword)]):
                return self._fail(
                    "keyword" if setting and not self.is_12 else failure,
                    f"{element[: -len(keyword)]} has no {keyword[1:]}.",
                )
        if element.endswith("._version") and setting:
            return self._fail("keyword")
        return self._fail("undefined", f"{element} is not part of the data model.")

    def get_value(self, element):
        if self.state == NOT_INITIALIZED:
            self._fail("get_before")
            return ""
        if self.state == TERMINATED:
            self._fail("get_after")
            return ""
        if element == "" or element is None:
            self._fail("get_failure", "No element was given.")
            return ""
        resolved = self._resolve(element)
        if resolved is None:
            self._lookup_failure(element, setting=False)
            return ""
        pattern, spec, indices = resolved
        mode, kind = spec[0], spec[1]
        if mode == WO:
            self._fail("write_only", f"{element} is write-only.")
            return ""
        if kind == "navvalid":
            self._ok()
            return "true" if indices[0][1] in self.targets else "false"
        for prefix, index in indices:
            if index >= self.count(prefix):
                self._fail("get_failure", f"{prefix}.{index} does not exist (index out of range).")
                return ""
        if kind == "fixed":
            self._ok()
            return spec[2]
        if kind == "count":
            self._ok()
            return str(self.count(element[: -len("._count")]))
        if not self.is_12 and element in ("cmi.completion_status", "cmi.success_status"):
            self._ok()
            return self.evaluated_status(element)
        if element in self.data:
            self._ok()
            return self.data[element]
        if not self.is_12 and pattern in DEFAULTS_2004:
            self._ok()
            return DEFAULTS_2004[pattern]
        if self.is_12:
            self._ok()
            return ""
        self._fail("not_set", f"{element} has not been set.")
        return ""

    def evaluated_status(self, element):
        """2004: completion against completion_threshold, success against scaled_passing_score."""
        data = self.data
        if element == "cmi.completion_status":
            threshold, measure = (
                data.get("cmi.completion_threshold"),
                data.get("cmi.progress_measure"),
            )
            if threshold not in (None, ""):
                if measure in (None, ""):
                    return "unknown"
                return "completed" if Decimal(measure) >= Decimal(threshold) else "incomplete"
            return data.get(element, "unknown")
        passing, scaled = data.get("cmi.scaled_passing_score"), data.get("cmi.score.scaled")
        if passing not in (None, ""):
            if scaled in (None, ""):
                return "unknown"
            return "passed" if Decimal(scaled) >= Decimal(passing) else "failed"
        return data.get(element, "unknown")

    def set_value(self, element, value):
        code = self._set(element, value)
        return "false" if code else "true"

    def _set(self, element, value):
        if self.state == NOT_INITIALIZED:
            return self._fail("set_before")
        if self.state == TERMINATED:
            return self._fail("set_after")
        if element == "" or element is None:
            return self._fail("set_failure", "No element was given.")
        value = "" if value is None else str(value)
        resolved = self._resolve(element)
        if resolved is None:
            return self._lookup_failure(element, setting=True)
        pattern, spec, indices = resolved
        mode, kind = spec[0], spec[1]
        if kind in ("fixed", "count"):
            return self._fail("keyword", f"{element} is a keyword.")
        if mode == RO:
            return self._fail("read_only", f"{element} is read-only.")
        # Indices: existing records, or the next one (n == _count).
        new_record = None
        for depth, (prefix, index) in enumerate(indices):
            count = self.count(prefix)
            if index > count:
                return self._fail("set_failure", f"{prefix}.{index}: the next index is {count}.")
            if index == count:
                if prefix == "adl.data":
                    return self._fail("set_failure", "adl.data stores come from the manifest.")
                spm = ARRAY_SPM.get(re.sub(r"\.\d+\.", ".n.", prefix))
                if spm and count >= spm * SPM_TOLERANCE:
                    return self._fail("set_failure", f"{prefix} keeps {count} records at most.")
                new_record = (depth, prefix, index)
                if depth + 1 < len(indices) and not self.is_12:
                    # a sub-array of a record that does not exist yet (its id is not set)
                    return self._fail("dependency", f"{prefix}.{index}.id must be set first.")
        leaf = pattern.rsplit(".", 1)[-1]
        if not self.is_12 and new_record:
            _depth, prefix, index = new_record
            generic = re.sub(r"\.\d+", ".n", prefix)
            if generic in ID_FIRST and leaf != "id":
                return self._fail("dependency", f"{prefix}.{index}.id must be set first.")
        # Type and range.
        failure = self._check(kind, spec, value, element, indices)
        if failure:
            return self._fail(*failure) if isinstance(failure, tuple) else self._fail(failure)
        # Uniqueness rules.
        if not self.is_12 and leaf == "id" and pattern == "cmi.objectives.n.id":
            index = indices[0][1]
            current = self.data.get(element)
            if current is not None and current != value:
                return self._fail("set_failure", "An objective's id cannot be changed.")
            for i in range(self.count("cmi.objectives")):
                if i != index and self.data.get(f"cmi.objectives.{i}.id") == value:
                    return self._fail("set_failure", f"Objective id {value} is already used.")
        if not self.is_12 and pattern == "cmi.interactions.n.objectives.n.id":
            (_p, i), (prefix, j) = indices
            for k in range(self.count(prefix)):
                if k != j and self.data.get(f"{prefix}.{k}.id") == value:
                    return self._fail("set_failure", f"Objective id {value} is already listed.")
        if element not in self.data:
            self._index(element)
        self.data[element] = value
        return self._ok()

    def _check(self, kind, spec, value, element, indices):
        """None if `value` fits, else a failure name (or (name, diagnostic))."""
        limit = None
        if kind in ("str", "lstr", "lid"):
            limit = spec[2] if self.is_12 else spec[2] * SPM_TOLERANCE
        if kind == "str":
            return None if len(value) <= limit else ("type", f"Longer than {limit} chars.")
        if kind == "lstr":
            return None if _localized(value, limit) else "type"
        if kind == "lid":
            return None if _long_id(value, limit) else "type"
        if kind == "id12":
            return None if ID_12.match(value) else "type"
        if kind == "vocab":
            return None if value in spec[2] else ("type", f"Allowed: {', '.join(spec[2])}.")
        if kind == "lang":
            return None if value == "" or LANG.match(value) else "type"
        if kind == "time":
            return None if _valid_timestamp(value) else "type"
        if kind == "dur":
            return None if duration_seconds(value) is not None else "type"
        if kind == "span12":
            return None if timespan_seconds(value) is not None else "type"
        if kind == "time12":
            return None if TIME_12.match(value) else "type"
        if kind in ("real", "dec12"):
            if kind == "dec12" and value == "":
                return None
            if not _real(value):
                return "type"
            low, high = spec[2], spec[3]
            number = Decimal(value)
            if (low is not None and number < low) or (high is not None and number > high):
                return "range"
            return None
        if kind == "int12":
            if not INT.match(value):
                return "type"
            return None if spec[2] <= int(value) <= spec[3] else "range"
        if kind in ("result", "result12"):
            return None if value in spec[2] or _real(value) else "type"
        if kind == "nav":
            if value in spec[2] or re.match(r"^\{target=[^}\s]+\}(choice|jump)$", value):
                return None
            return "type"
        if kind in ("pattern", "response"):
            base = ".".join(element.split(".")[:3])  # cmi.interactions.n
            itype = self.data.get(f"{base}.type")
            if itype is None:
                return ("dependency", f"{base}.type must be set first.")
            if not _check_response(itype, value, kind == "pattern"):
                return ("type", f"Not a valid {itype} response.")
            if kind == "pattern":
                prefix, index = indices[1]
                count = self.count(prefix)
                single = itype in ("true-false", "likert", "numeric", "other")
                if single and index >= 1:
                    return ("set_failure", f"A {itype} interaction has one correct response.")
                if itype in ("choice", "sequencing"):
                    for k in range(count):
                        if k != index and self.data.get(f"{prefix}.{k}.pattern") == value:
                            return ("set_failure", "This correct response is already listed.")
            return None
        if kind == "response12":
            base = ".".join(element.split(".")[:3])
            itype = self.data.get(f"{base}.type", "")
            return None if _check_response_12(itype, value) else "type"
        return "undefined"


def decimal_or_none(value):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None
