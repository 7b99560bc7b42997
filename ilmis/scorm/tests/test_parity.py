"""api.js and runtime.py give the same answers (R6.5): the same scripts of API calls are run in
Chromium against api.js and in Python against Runtime; every return value and error code must
match.
"""

from pathlib import Path

import pytest

from ilmis.scorm import runtime
from ilmis.scorm.tests.test_runtime import VALID, concrete, sample

API_JS = Path(__file__).resolve().parents[1] / "static" / "scorm" / "api.js"

HARNESS = """
(input) => {
  const out = [];
  for (const script of input.scripts) {
    const payload = Object.assign({data: JSON.parse(JSON.stringify(script.data)),
                                   targets: script.targets, attempt: 1, session: 1, seq: 0},
                                  input.tables[script.version]);
    const s = new window.IlmisScorm.Session(payload, {commitUrl: '/x', csrf: 'x'});
    s.flush = () => Promise.resolve(); s.schedule = () => {}; s.save = () => {};
    const api = s.api, v12 = script.version === '1.2';
    const names = v12 ? {init: 'LMSInitialize', term: 'LMSFinish', commit: 'LMSCommit',
      get: 'LMSGetValue', set: 'LMSSetValue', err: 'LMSGetLastError'} :
      {init: 'Initialize', term: 'Terminate', commit: 'Commit', get: 'GetValue',
       set: 'SetValue', err: 'GetLastError'};
    const results = [];
    for (const [fn, a, b] of script.calls) {
      const r = api[names[fn]](a, b);
      results.push([r, api[names.err]()]);
    }
    out.push(results);
  }
  return out;
}
"""


def run_python(script):
    rt = runtime.Runtime(script["version"], script["data"], targets=script["targets"])
    methods = {
        "init": rt.initialize,
        "term": rt.terminate,
        "commit": rt.commit,
        "get": rt.get_value,
        "set": rt.set_value,
    }
    results = []
    for fn, *args in script["calls"]:
        results.append([methods[fn](*args), rt.get_last_error()])
    return results


def run_in_browser(browser, scripts):
    """Run the scripts against api.js in Chromium (the browser the learners use)."""
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><title>api.js</title>")
        page.add_script_tag(content=API_JS.read_text(encoding="utf-8"))
        tables = {"1.2": runtime.client_tables("1.2"), "2004": runtime.client_tables("2004-4")}
        return page.evaluate(HARNESS, {"scripts": scripts, "tables": tables})
    finally:
        page.close()


def scripts():
    """Every element with a valid and an invalid value, read and written, plus state rules."""
    out = []
    for version, model in (("1.2", runtime.MODEL_12), ("2004", runtime.MODEL_2004)):
        seed = (
            {"cmi.completion_threshold": "0.5", "cmi.scaled_passing_score": "0.5"}
            if version == "2004"
            else {}
        )
        for pattern, spec in model.items():
            element = concrete(pattern).replace("{target}", "{target=s1}")
            calls = [("get", element), ("init", ""), ("get", element)]
            for prefix in ("cmi.interactions.0", "cmi.objectives.0"):
                if element.startswith(prefix + "."):
                    calls += [("set", f"{prefix}.id", "q1")]
            if element.startswith("cmi.interactions.0."):
                calls += [
                    ("set", "cmi.interactions.0.type", "choice" if version == "1.2" else "fill-in")
                ]
            kind = spec[1]
            if kind not in ("fixed", "count", "navvalid") and (
                kind in VALID
                or kind in ("vocab", "real", "dec12", "int12", "pattern", "response", "response12")
            ):
                good, bad, _failure = sample(spec, None)
                calls += [("set", element, good), ("get", element)]
                if bad is not None:
                    calls += [("set", element, bad), ("get", element)]
            else:
                calls += [("set", element, "x")]
            calls += [
                ("get", element + "._children"),
                ("get", element + "._count"),
                ("set", element + "._count", "1"),
                ("get", "cmi.interactions.3.id"),
                ("set", "cmi.interactions.2.id", "x"),
                ("get", "cmi.nope"),
                ("get", ""),
                ("set", "", "x"),
                ("commit", "x"),
                ("commit", ""),
                ("term", ""),
                ("get", element),
                ("set", element, "x"),
                ("term", ""),
                ("init", ""),
            ]
            out.append({"version": version, "data": seed, "targets": ["s1"], "calls": calls})
    out.append(
        {
            "version": "2004",
            "data": {},
            "targets": [],
            "calls": [
                ("init", ""),
                ("set", "cmi.objectives.0.id", "o1"),
                ("set", "cmi.objectives.1.id", "o1"),
                ("set", "cmi.objectives.0.id", "o2"),
                ("set", "cmi.objectives.1.id", "o2"),
                ("get", "cmi.objectives._count"),
                ("get", "cmi.objectives.0.success_status"),
                ("get", "cmi.objectives.0.completion_status"),
                ("get", "cmi.objectives.0.description"),
                ("set", "cmi.interactions.0.id", "q"),
                ("set", "cmi.interactions.0.type", "true-false"),
                ("set", "cmi.interactions.0.correct_responses.0.pattern", "true"),
                ("set", "cmi.interactions.0.correct_responses.1.pattern", "false"),
                ("set", "cmi.interactions.0.objectives.0.id", "o1"),
                ("set", "cmi.interactions.0.objectives.1.id", "o1"),
                ("set", "cmi.interactions.1.objectives.0.id", "o1"),
                ("set", "cmi.interactions.01.id", "x"),
                ("set", "cmi.interactions.0.latency", "PT1.234S"),
                ("set", "cmi.session_time", "P1DT"),
                ("set", "cmi.progress_measure", "0.7"),
                ("get", "cmi.completion_status"),
                ("set", "adl.data.0.store", "x"),
                ("get", "adl.nav.request_valid.jump.{target=x}"),
                ("set", "cmi.exit", "suspend"),
                ("get", "cmi.exit"),
                ("init", ""),
                ("term", "x"),
                ("term", ""),
                ("init", ""),
            ],
        }
    )
    long_calls = [("init", "")]
    for element, spm in (
        ("cmi.suspend_data", 64000),
        ("cmi.location", 1000),
        ("cmi.learner_name", 250),
        ("cmi.interactions.0.id", 4000),
        ("cmi.interactions.0.description", 250),
        ("cmi.comments_from_learner.0.comment", 4000),
    ):
        for size in (spm, spm + 1, 4 * spm, 4 * spm + 1):
            long_calls.append(("set", element, "x" * size))
    long_calls += [("set", "cmi.interactions.0.type", "fill-in")]
    for size in (250, 1000, 1001):
        long_calls += [
            ("set", "cmi.interactions.0.learner_response", "a" * size),
            (
                "set",
                "cmi.interactions.0.correct_responses.0.pattern",
                "{case_matters=true}" + "b" * size,
            ),
        ]
    out.append({"version": "2004", "data": {}, "targets": [], "calls": long_calls})
    out.append(
        {
            "version": "1.2",
            "data": {},
            "targets": [],
            "calls": [
                ("init", ""),
                ("set", "cmi.suspend_data", "x" * 4097),
                ("set", "cmi.core.lesson_location", "x" * 255),
                ("set", "cmi.comments", "x" * 4097),
            ],
        }
    )
    for version in ("1.2", "2004"):
        many = [("init", "")]
        many += [("set", f"cmi.objectives.{i}.id", f"o{i}") for i in range(401)]
        many += [("set", "cmi.interactions.0.id", "q")]
        many += [("set", f"cmi.interactions.0.objectives.{j}.id", f"o{j}") for j in range(41)]
        out.append({"version": version, "data": {}, "targets": [], "calls": many})
    numbers = [("init", "")]
    for value in (
        "1e-7",
        "+0.5",
        "5.",
        ".5",
        "-2E3",
        "NaN",
        "Infinity",
        "0x10",
        "1,5",
        " 1",
        "1e",
        "",
        "1e400",
        "-0",
        "00.10",
    ):
        numbers += [
            ("set", "cmi.score.raw", value),
            ("set", "cmi.score.scaled", value),
            ("set", "cmi.progress_measure", value),
            ("set", "cmi.learner_preference.audio_level", value),
        ]
    out.append({"version": "2004", "data": {}, "targets": [], "calls": numbers})
    out.append(
        {
            "version": "1.2",
            "data": {},
            "targets": [],
            "calls": [("init", "")]
            + [("set", "cmi.core.score.raw", v) for v in ("1e1", "1e3", "+5", "5.", "", "x")],
        }
    )
    stamps = [("init", ""), ("set", "cmi.interactions.0.id", "q")]
    for value in (
        "2026",
        "2026-11",
        "2026-11-26T08",
        "2026-11-26T08:30:00Z",
        "2026-11-26T08Z",
        "2026-11-26T08:30+01:00",
        "2026-11-26T08:30:00z",
        "2026-02-29",
        "2028-02-29T23:59:59.99-12:30",
        "2026-11-26T08:30:00.1+24",
        "1970-01-01",
        "2038-12-31",
        "2039-01-01",
        "2026-1-1",
    ):
        stamps.append(("set", "cmi.interactions.0.timestamp", value))
    out.append({"version": "2004", "data": {}, "targets": [], "calls": stamps})
    ids = [("init", "")]
    for value in (
        "q1",
        "urn:x",
        "urn:",
        ":x",
        "1a:b",
        "q%2",
        "q%20",
        "a#b#c",
        "a{b}",
        "a b",
        "a[0]",
        "x:",
        "é:x",
        "http://h/p?q#f",
        "a\\b",
        "a^b",
        "a`b",
        "a\tb",
        "-x",
    ):
        ids.append(("set", "cmi.objectives.0.id" if not ids[1:] else "cmi.learner_id", value))
        ids.append(("set", "cmi.interactions.0.id", value))
    out.append({"version": "2004", "data": {}, "targets": [], "calls": ids})
    return out


@pytest.mark.browser
def test_api_js_matches_runtime(browser):
    """R6.5: for every element and state rule, api.js answers exactly as runtime.py."""
    all_scripts = scripts()
    js_results = run_in_browser(browser, all_scripts)
    mismatches = []
    for script, js in zip(all_scripts, js_results, strict=True):
        py = run_python(script)
        for call, a, b in zip(script["calls"], js, py, strict=True):
            if a != b:
                mismatches.append((script["version"], call, "js", a, "python", b))
    assert not mismatches, mismatches[:20]
    assert sum(len(s["calls"]) for s in all_scripts) > 3000
