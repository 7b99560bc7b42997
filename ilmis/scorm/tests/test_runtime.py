"""The SCORM run-time data models on the server (R6.5): every element, access modes, types,
_count and _children, arrays and their ordering rules, state rules and exact error codes."""

import pytest

from ilmis.scorm import runtime
from ilmis.scorm.runtime import MODEL_12, MODEL_2004, Runtime

VALID = {  # type -> (valid value, invalid value, error name for the invalid one)
    "str": ("une chaîne", None, None),
    "lstr": ("{lang=fr}bonjour", "{lang=!!}x", "type"),
    "lid": ("urn:ilmis:objectif-1", "a b", "type"),
    "id12": ("obj_1", "a b", "type"),
    "lang": ("fr-FR", "français", "type"),
    "time": ("2026-11-26T08:30:00.5+01:00", "2026-02-30", "type"),
    "dur": ("PT1H2M3.5S", "1:00:00", "type"),
    "span12": ("0001:02:03.5", "PT1H", "type"),
    "time12": ("08:30:00", "25:00:00", "type"),
    "result": ("correct", "wrong", "type"),
    "result12": ("wrong", "incorrect", "type"),
    "nav": ("{target=sco2}choice", "next", "type"),
}


def running(version="2004", data=None):
    rt = Runtime(version, data or {})
    assert rt.initialize("") == "true"
    return rt


def concrete(pattern):
    return pattern.replace(".n.", ".0.")


def prepare(rt, element):
    """Create the records an element at index 0 needs (ids first, the interaction type)."""
    if element.startswith("cmi.interactions.0."):
        assert rt.set_value("cmi.interactions.0.id", "q1") == "true"
        assert (
            rt.set_value("cmi.interactions.0.type", "choice" if rt.is_12 else "fill-in") == "true"
        )
    if element.startswith("cmi.objectives.0.") and not element.endswith(".id"):
        assert rt.set_value("cmi.objectives.0.id", "obj1") == "true"


def sample(spec, rt):
    kind = spec[1]
    if kind in VALID:
        return VALID[kind]
    if kind == "vocab":
        return spec[2][0], "pas-dans-la-liste", "type"
    if kind == "real":
        low, high = spec[2], spec[3]
        bad = ("1.5", "range") if high == 1 else ("-1", "range") if low == 0 else ("1,5", "type")
        return ("0.5", bad[0], bad[1])
    if kind == "dec12":
        return ("50", "101" if spec[3] == 100 else "x", "range" if spec[3] == 100 else "type")
    if kind == "int12":
        return ("0", str(spec[3] + 1), "range")
    if kind in ("pattern", "response"):
        return ("rouge[,]vert", "{lang=??}x", "type")
    if kind == "response12":
        return ("a", "x" * 300, "type")
    raise AssertionError(kind)


def code(rt, name):
    return runtime.CODES[name][0 if rt.is_12 else 1]


WRITABLE = [
    (v, p)
    for v, model in (("1.2", MODEL_12), ("2004", MODEL_2004))
    for p, spec in model.items()
    if spec[0] != runtime.RO and p != "adl.data.n.store"
]
READ_ONLY = [
    (v, p)
    for v, model in (("1.2", MODEL_12), ("2004", MODEL_2004))
    for p, spec in model.items()
    if spec[0] == runtime.RO
]
WRITE_ONLY = [
    (v, p) for v, p in WRITABLE if (MODEL_12 if v == "1.2" else MODEL_2004)[p][0] == runtime.WO
]


@pytest.mark.parametrize("version,pattern", WRITABLE)
def test_every_writable_element_accepts_valid_and_refuses_invalid(version, pattern):
    """R6.5: each writable element stores a valid value and refuses a wrong one with the code
    of its version (1.2: 405; 2004: 406 type mismatch, 407 out of range)."""
    rt = running(version)
    element = concrete(pattern)
    prepare(rt, element)
    spec = rt.model[pattern]
    good, bad, failure = sample(spec, rt)
    assert rt.set_value(element, good) == "true", (element, rt.error)
    assert rt.get_last_error() == "0"
    assert rt.data[element] == good
    if spec[0] == runtime.RW:
        assert rt.get_value(element) == good
    if bad is not None:
        assert rt.set_value(element, bad) == "false"
        assert rt.error == code(rt, failure)
        assert rt.data[element] == good  # unchanged


@pytest.mark.parametrize("version,pattern", READ_ONLY)
def test_every_read_only_element_refuses_set(version, pattern):
    """R6.5: read-only elements and keywords refuse SetValue (1.2: 403/402; 2004: 404)."""
    rt = running(version)
    element = concrete(pattern).replace("{target}", "{target=x}")
    prepare(rt, element)
    assert rt.set_value(element, "1") == "false"
    keyword = rt.model[pattern][1] in ("fixed", "count")
    assert rt.error == code(rt, "keyword" if keyword else "read_only")


@pytest.mark.parametrize("version,pattern", WRITE_ONLY)
def test_every_write_only_element_refuses_get(version, pattern):
    """R6.5: write-only elements refuse GetValue (1.2: 404; 2004: 405)."""
    rt = running(version)
    element = concrete(pattern)
    prepare(rt, element)
    assert rt.get_value(element) == ""
    assert rt.error == code(rt, "write_only")


def test_version_and_children():
    """R6.5: _version and _children keywords."""
    rt = running("2004")
    assert rt.get_value("cmi._version") == "1.0"
    assert rt.get_value("cmi.score._children") == "scaled,raw,min,max"
    assert rt.get_value("cmi.location._children") == "" and rt.error == 301
    assert rt.get_value("cmi.location._count") == "" and rt.error == 301
    rt12 = running("1.2")
    assert rt12.get_value("cmi._version") == "3.4"
    assert rt12.get_value("cmi.core._children").startswith("student_id,student_name")
    assert rt12.get_value("cmi.core.lesson_status._children") == "" and rt12.error == 202
    assert rt12.get_value("cmi.core._count") == "" and rt12.error == 203
    assert rt12.set_value("cmi.core._children", "x") == "false" and rt12.error == 402


def test_undefined_elements():
    """R6.5: undefined elements (401) and empty element names (2004: 301/351; 1.2: 201)."""
    rt = running("2004")
    assert rt.get_value("cmi.nope") == "" and rt.error == 401
    assert rt.set_value("cmi.core.lesson_status", "passed") == "false" and rt.error == 401
    assert rt.get_value("cmi.interactions.n.id") == "" and rt.error == 401
    assert rt.get_value("") == "" and rt.error == 301
    assert rt.set_value("", "x") == "false" and rt.error == 351
    rt12 = running("1.2")
    assert rt12.get_value("cmi.location") == "" and rt12.error == 401
    assert rt12.get_value("") == "" and rt12.error == 201


def test_not_initialized_value_2004_and_blank_12():
    """R6.5: 2004 returns 403 for an element never set; 1.2 returns an empty string."""
    rt = running("2004")
    assert rt.get_value("cmi.location") == "" and rt.error == 403
    assert rt.get_value("cmi.score.scaled") == "" and rt.error == 403
    rt12 = running("1.2")
    assert rt12.get_value("cmi.core.lesson_location") == "" and rt12.error == 0


def test_arrays_ordering_count_and_dependencies_2004():
    """R6.5: n must be <= _count; a new interaction or objective needs its id first (408)."""
    rt = running("2004")
    assert rt.get_value("cmi.interactions._count") == "0"
    assert rt.set_value("cmi.interactions.1.id", "q2") == "false" and rt.error == 351
    assert rt.set_value("cmi.interactions.0.type", "choice") == "false" and rt.error == 408
    assert rt.set_value("cmi.interactions.0.id", "q1") == "true"
    assert rt.get_value("cmi.interactions._count") == "1"
    assert rt.set_value("cmi.interactions.0.learner_response", "a") == "false"
    assert rt.error == 408  # type not set yet
    assert rt.set_value("cmi.interactions.0.type", "choice") == "true"
    assert rt.set_value("cmi.interactions.0.learner_response", "a[,]b") == "true"
    assert rt.set_value("cmi.interactions.0.learner_response", "a[,]a") == "false"
    assert rt.error == 406
    assert rt.get_value("cmi.interactions.0.objectives._count") == "0"
    assert rt.set_value("cmi.interactions.0.objectives.0.id", "o1") == "true"
    assert rt.set_value("cmi.interactions.0.objectives.1.id", "o1") == "false"
    assert rt.error == 351  # ids unique within the interaction
    assert rt.set_value("cmi.interactions.1.objectives.0.id", "o1") == "false"
    assert rt.error == 408
    assert rt.get_value("cmi.interactions.3.id") == "" and rt.error == 301
    assert rt.get_value("cmi.interactions.0.result") == "" and rt.error == 403
    # objectives: unique ids, ids cannot change
    assert rt.set_value("cmi.objectives.0.score.scaled", "0.5") == "false" and rt.error == 408
    assert rt.set_value("cmi.objectives.0.id", "obj1") == "true"
    assert rt.set_value("cmi.objectives.1.id", "obj1") == "false" and rt.error == 351
    assert rt.set_value("cmi.objectives.0.id", "obj2") == "false" and rt.error == 351
    assert rt.set_value("cmi.objectives.0.id", "obj1") == "true"
    assert rt.get_value("cmi.objectives._count") == "1"
    assert rt.get_value("cmi.objectives.0.success_status") == "unknown"  # initial values
    assert rt.get_value("cmi.objectives.0.completion_status") == "unknown"
    assert rt.get_value("cmi.objectives.0.progress_measure") == "" and rt.error == 403
    assert rt.get_value("cmi.objectives.0.score._children") == "scaled,raw,min,max"
    assert rt.set_value("cmi.interactions.0.id", "q1b") == "true"  # changeable
    assert rt.set_value("cmi.interactions.01.id", "x") == "false" and rt.error == 401


def test_correct_responses_limits_by_type():
    """R6.5: one correct response for true-false, likert, numeric; unique ones for choice."""
    rt = running("2004")
    rt.set_value("cmi.interactions.0.id", "q1")
    rt.set_value("cmi.interactions.0.type", "true-false")
    assert rt.set_value("cmi.interactions.0.correct_responses.0.pattern", "true") == "true"
    assert rt.set_value("cmi.interactions.0.correct_responses.1.pattern", "false") == "false"
    assert rt.error == 351
    assert rt.set_value("cmi.interactions.0.correct_responses.0.pattern", "oui") == "false"
    assert rt.error == 406
    rt.set_value("cmi.interactions.1.id", "q2")
    rt.set_value("cmi.interactions.1.type", "choice")
    assert rt.set_value("cmi.interactions.1.correct_responses.0.pattern", "a[,]b") == "true"
    assert rt.set_value("cmi.interactions.1.correct_responses.1.pattern", "a[,]b") == "false"
    assert rt.error == 351
    assert rt.get_value("cmi.interactions.1.correct_responses._count") == "1"
    rt.set_value("cmi.interactions.2.id", "q3")
    rt.set_value("cmi.interactions.2.type", "numeric")
    assert rt.set_value("cmi.interactions.2.correct_responses.0.pattern", "1[:]5") == "true"
    assert rt.set_value("cmi.interactions.2.correct_responses.0.pattern", "5[:]1") == "false"
    assert rt.set_value("cmi.interactions.2.learner_response", "3.5") == "true"
    rt.set_value("cmi.interactions.3.id", "q4")
    rt.set_value("cmi.interactions.3.type", "matching")
    assert rt.set_value("cmi.interactions.3.learner_response", "a[.]1[,]b[.]2") == "true"
    assert rt.set_value("cmi.interactions.3.learner_response", "a[.]1[,]b") == "false"
    rt.set_value("cmi.interactions.4.id", "q5")
    rt.set_value("cmi.interactions.4.type", "performance")
    assert (
        rt.set_value(
            "cmi.interactions.4.correct_responses.0.pattern",
            "{order_matters=false}etape1[.]ok[,][.]fin",
        )
        == "true"
    )
    rt.set_value("cmi.interactions.5.id", "q6")
    rt.set_value("cmi.interactions.5.type", "fill-in")
    assert (
        rt.set_value(
            "cmi.interactions.5.correct_responses.0.pattern", "{case_matters=true}{lang=fr}Paris"
        )
        == "true"
    )


def test_arrays_12():
    """R6.5: 1.2 interactions are write-only, n <= _count (201), any field may open a record."""
    rt = running("1.2")
    assert rt.set_value("cmi.interactions.1.id", "q") == "false" and rt.error == 201
    assert rt.set_value("cmi.interactions.0.type", "true-false") == "true"
    assert rt.set_value("cmi.interactions.0.student_response", "t") == "true"
    assert rt.set_value("cmi.interactions.0.student_response", "yes") == "false"
    assert rt.error == 405
    assert rt.get_value("cmi.interactions._count") == "1"
    assert rt.get_value("cmi.interactions.0.id") == "" and rt.error == 404
    assert rt.set_value("cmi.interactions.1.objectives.0.id", "o") == "true"
    assert rt.get_value("cmi.interactions.1.objectives._count") == "1"
    assert rt.set_value("cmi.objectives.0.status", "passed") == "true"
    assert rt.get_value("cmi.objectives.0.status") == "passed"
    assert rt.get_value("cmi.objectives.5.id") == "" and rt.error == 201


def test_string_limits():
    """R6.5: 2004 SPMs are minimums (ADL keeps longer values): up to 4 x SPM is accepted, more
    is refused (406); 1.2 CMIString255/4096 are maximums (405)."""
    rt = running("2004")
    assert rt.set_value("cmi.suspend_data", "x" * 64001) == "true" and rt.error == 0
    assert rt.set_value("cmi.suspend_data", "x" * 256000) == "true"
    assert rt.set_value("cmi.suspend_data", "x" * 256001) == "false" and rt.error == 406
    assert len(rt.get_value("cmi.suspend_data")) == 256000
    assert rt.set_value("cmi.location", "x" * 4001) == "false"
    assert rt.set_value("cmi.learner_preference.language", "x" * 300) == "false"
    rt12 = running("1.2")
    assert rt12.set_value("cmi.suspend_data", "x" * 4096) == "true"
    assert rt12.set_value("cmi.suspend_data", "x" * 4097) == "false" and rt12.error == 405
    assert rt12.set_value("cmi.core.lesson_location", "x" * 256) == "false"


def test_scores_ranges():
    """R6.5: score ranges (2004 scaled -1..1, 1.2 raw 0..100 or blank, CMISInteger)."""
    rt = running("2004")
    assert rt.set_value("cmi.score.scaled", "-1") == "true"
    assert rt.set_value("cmi.score.scaled", "1.0000001") == "false" and rt.error == 407
    assert rt.set_value("cmi.score.raw", "-250.5") == "true"
    assert rt.set_value("cmi.score.raw", "abc") == "false" and rt.error == 406
    for written_by_javascript in ("1e-7", "+0.5", "5.", ".5", "-2E3"):
        assert rt.set_value("cmi.score.raw", written_by_javascript) == "true"
    for not_a_number in ("NaN", "Infinity", "0x10", "1,5", " 1", "1e", ""):
        assert rt.set_value("cmi.score.raw", not_a_number) == "false" and rt.error == 406
    assert rt.set_value("cmi.score.scaled", "1e-7") == "true"
    assert rt.set_value("cmi.score.scaled", "2e0") == "false" and rt.error == 407
    assert rt.set_value("cmi.progress_measure", "1.1") == "false" and rt.error == 407
    rt12 = running("1.2")
    assert rt12.set_value("cmi.core.score.raw", "") == "true"  # CMIBlank
    assert rt12.set_value("cmi.core.score.raw", "100") == "true"
    assert rt12.set_value("cmi.core.score.raw", "-1") == "false" and rt12.error == 405
    assert rt12.set_value("cmi.student_preference.audio", "-1") == "true"
    assert rt12.set_value("cmi.student_preference.audio", "0.5") == "false"


@pytest.mark.parametrize(
    "value,ok",
    [
        ("PT0S", True),
        ("P1Y2M3DT4H5M6.78S", True),
        ("PT1.5S", True),
        ("P", False),
        ("PT", False),
        ("PT1.234S", False),
        ("P1DT", False),
        ("PT-1S", False),
        ("1H", False),
        ("P2W", False),
    ],
)
def test_timeinterval(value, ok):
    """R6.5: 2004 timeinterval (ISO 8601 duration, seconds to 2 decimals)."""
    rt = running("2004")
    assert (rt.set_value("cmi.session_time", value) == "true") is ok


@pytest.mark.parametrize(
    "value,ok",
    [
        ("2026", True),
        ("2026-11", True),
        ("2026-11-26T08", True),
        ("2026-11-26T08:30:00Z", True),
        ("2026-11-26T08:30:00.12-05:00", True),
        ("1969-01-01", False),
        ("2039-01-01", False),
        ("2026-13-01", False),
        ("2026-02-29", False),
        ("2028-02-29", True),
        ("2026-11-26T24:00", False),
        ("2026-11-26Z", False),
        ("2026-11-26T08:30:00.123", False),
        ("2026-11-26T08Z", False),
        ("2026-11-26T08:30+01:00", False),
        ("2026-11-26T08:30:00z", True),
        ("2026-11-26T08:30:00-05", True),
    ],
)
def test_timestamps(value, ok):
    """R6.5: 2004 time(second,10,0): ISO 8601 timestamps, 1970-2038, real dates."""
    rt = running("2004")
    rt.set_value("cmi.interactions.0.id", "q")
    assert (rt.set_value("cmi.interactions.0.timestamp", value) == "true") is ok


@pytest.mark.parametrize(
    "value,ok",
    [
        ("00:00:00", True),
        ("9999:59:59.99", True),
        ("12:60:00", False),
        ("1:00:00", False),
        ("0000:00:00.123", False),
    ],
)
def test_cmitimespan(value, ok):
    """R6.5: 1.2 CMITimespan HHHH:MM:SS.SS."""
    rt = running("1.2")
    assert (rt.set_value("cmi.core.session_time", value) == "true") is ok


def test_state_rules_2004():
    """R6.5: Initialize/Terminate/Commit state rules and codes 103, 104, 112, 113, 122, 123,
    132, 133, 142, 143, 201."""
    rt = Runtime("2004")
    assert rt.get_value("cmi.location") == "" and rt.error == 122
    assert rt.set_value("cmi.location", "a") == "false" and rt.error == 132
    assert rt.commit("") == "false" and rt.error == 142
    assert rt.terminate("") == "false" and rt.error == 112
    assert rt.initialize("x") == "false" and rt.error == 201
    assert rt.initialize("") == "true" and rt.error == 0
    assert rt.initialize("") == "false" and rt.error == 103
    assert rt.commit("x") == "false" and rt.error == 201
    assert rt.commit("") == "true"
    assert rt.terminate("x") == "false" and rt.error == 201
    assert rt.terminate("") == "true"
    assert rt.terminate("") == "false" and rt.error == 113
    assert rt.get_value("cmi.location") == "" and rt.error == 123
    assert rt.set_value("cmi.location", "a") == "false" and rt.error == 133
    assert rt.commit("") == "false" and rt.error == 143
    assert rt.initialize("") == "false" and rt.error == 104


def test_state_rules_12():
    """R6.5: 1.2 LMSInitialize/LMSFinish state rules (101, 201, 301)."""
    rt = Runtime("1.2")
    assert rt.get_value("cmi.core.lesson_location") == "" and rt.error == 301
    assert rt.set_value("cmi.core.lesson_location", "a") == "false" and rt.error == 301
    assert rt.initialize("x") == "false" and rt.error == 201
    assert rt.initialize("") == "true"
    assert rt.initialize("") == "false" and rt.error == 101
    assert rt.terminate("") == "true"
    assert rt.get_value("cmi.core.lesson_location") == "" and rt.error == 301


def test_error_strings_and_diagnostic():
    """R6.5: GetLastError / GetErrorString / GetDiagnostic."""
    rt = running("2004")
    rt.set_value("cmi.score.scaled", "7")
    assert rt.get_last_error() == "407"
    assert rt.get_error_string("407") == "Data Model Element Value Out Of Range"
    assert rt.get_error_string("999") == ""
    assert rt.get_diagnostic("") == "Data Model Element Value Out Of Range"
    rt.set_value("cmi.exit", "bye")
    assert "Allowed" in rt.get_diagnostic("")
    rt.get_value("cmi.location")
    assert rt.get_last_error() == "403"
    rt.get_value("cmi._version")
    assert rt.get_last_error() == "0"
    assert running("1.2").get_error_string("405") == "Incorrect data type"


def test_status_evaluation_2004():
    """R6.5: completion against completion_threshold, success against scaled_passing_score."""
    rt = running("2004", {"cmi.completion_threshold": "0.8", "cmi.scaled_passing_score": "0.7"})
    assert rt.get_value("cmi.completion_status") == "unknown"
    rt.set_value("cmi.completion_status", "completed")
    assert rt.get_value("cmi.completion_status") == "unknown"  # measure decides
    rt.set_value("cmi.progress_measure", "0.5")
    assert rt.get_value("cmi.completion_status") == "incomplete"
    rt.set_value("cmi.progress_measure", "0.8")
    assert rt.get_value("cmi.completion_status") == "completed"
    assert rt.get_value("cmi.success_status") == "unknown"
    rt.set_value("cmi.score.scaled", "0.69")
    assert rt.get_value("cmi.success_status") == "failed"
    rt.set_value("cmi.score.scaled", "0.7")
    assert rt.get_value("cmi.success_status") == "passed"


def test_navigation_requests():
    """R6.5: adl.nav.request vocabulary and request_valid answers."""
    rt = Runtime("2004", {"adl.nav.request_valid.continue": "true"}, targets=["s1", "s2"])
    rt.initialize("")
    assert rt.get_value("adl.nav.request_valid.continue") == "true"
    assert rt.get_value("adl.nav.request_valid.choice.{target=s2}") == "true"
    assert rt.get_value("adl.nav.request_valid.choice.{target=zz}") == "false"
    assert rt.set_value("adl.nav.request", "continue") == "true"
    assert rt.set_value("adl.nav.request", "{target=s2}choice") == "true"
    assert rt.set_value("adl.nav.request", "suivant") == "false" and rt.error == 406
    assert rt.get_value("adl.data._count") == "0"
    assert rt.set_value("adl.data.0.store", "x") == "false" and rt.error == 351


def test_time_formats():
    """R6.5: session_time is summed into total_time with these conversions."""
    assert runtime.duration_seconds("P1DT1H1M1.5S") == 86400 + 3661.5
    assert runtime.duration_seconds("P1Y1M") == 31536000 + 2628029
    assert runtime.timespan_seconds("0001:00:30.25") == 3630.25
    assert runtime.format_duration(3661.5) == "PT1H1M1.5S"
    assert runtime.format_timespan(3661.5) == "0001:01:01.50"


def test_client_tables_carry_the_model():
    """R6.5: api.js receives this module's tables (one source for both sides)."""
    tables = runtime.client_tables("2004-4")
    assert tables["version"] == "2004"
    assert tables["model"]["cmi.exit"][0] == "wo"
    assert tables["codes"]["dependency"] == 408
    assert runtime.client_tables("1.2")["codes"]["read_only"] == 403


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_array_record_limits(version):
    """R6.5: arrays keep 4 x their 2004 SPM (interactions 1000, their objectives 40); one
    more record fails with a set failure (2004: 351; 1.2: 201)."""
    rt = running(version)
    for i in range(1000):
        assert rt.set_value(f"cmi.interactions.{i}.id", f"q{i}") == "true"
    assert rt.set_value("cmi.interactions.1000.id", "q") == "false"
    assert rt.error == code(rt, "set_failure")
    for j in range(40):
        assert rt.set_value(f"cmi.interactions.0.objectives.{j}.id", f"o{j}") == "true"
    assert rt.set_value("cmi.interactions.0.objectives.40.id", "o") == "false"
    assert rt.get_value("cmi.interactions._count") == "1000"


@pytest.mark.parametrize(
    "value,ok",
    [
        ("q1", True),
        ("urn:ilmis:objectif-1", True),
        ("urn:x", True),
        ("http://x.fr/q?a=1#f", True),
        ("Scene1_Slide3_MultiChoice_0_0", True),
        ("question-é", True),
        ("q%20a", True),
        ("", False),
        ("a b", False),
        ("urn:", False),
        (":x", False),
        ("1a:b", False),
        ("q%2", False),
        ("a#b#c", False),
        ("a{b}", False),
        ("a|b", False),
        ("a[0]", False),
        ("tab\there", False),
    ],
)
def test_long_identifier(value, ok):
    """R6.5: long_identifier_type is a URI, checked as ADL's RTE does."""
    rt = running("2004")
    assert (rt.set_value("cmi.interactions.0.id", value) == "true") is ok
