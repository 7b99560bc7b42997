"""The player, files, API endpoint, attempts, resume and tracking through HTTP (R6.5, R6.2)."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from ilmis.enrolment.testing import enrol, make_programme
from ilmis.scorm import services
from ilmis.scorm.models import ApiCall, ScormAttempt
from ilmis.scorm.testing import package_zip

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(db):
    return make_programme()


def make_package(tmp_path, staff, version="2004", programme=None, **kwargs):
    path = tmp_path / f"p{version}.zip"
    path.write_bytes(package_zip(version, **kwargs))
    return services.import_package(path, by=staff, programme=programme)


def launch(client, package, sco=None):
    sco = sco or package.scos.first()
    response = client.post(reverse("scorm:launch", args=[package.uuid, sco.pk]))
    assert response.status_code == 200, response.content
    return response.json()


def send(client, payload, calls, first=None):
    """Post API calls as api.js does (numbered after the payload's seq)."""
    numbered = []
    seq = payload["seq"]
    for call in calls:
        seq += 1
        fn, element, value, error = (list(call) + ["", "", 0])[:4]
        numbered.append(
            {
                "seq": seq,
                "fn": fn,
                "element": element,
                "value": value,
                "error": error,
                "t": 1764145800000,
            }
        )
    payload["seq"] = seq
    return client.post(
        payload["commit_url"],
        {
            "session": payload["session"],
            "calls": json.dumps(numbered),
            "first": first or (numbered[0]["seq"] if numbered else ""),
        },
    )


def test_enrolled_learner_plays_unenrolled_refused(
    client, tmp_path, staff, learner, make_user, programme
):
    """R6.2: the enrolled learner gets the player and files; another learner gets 404."""
    package = make_package(tmp_path, staff, programme=programme)
    enrol(learner, programme)
    client.force_login(learner)
    assert client.get(reverse("scorm:player", args=[package.uuid])).status_code == 200
    response = client.get(reverse("scorm:file", args=[package.uuid, "index.html"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    other = make_user(role="learner")
    client.force_login(other)
    assert client.get(reverse("scorm:player", args=[package.uuid])).status_code == 404
    assert client.get(reverse("scorm:file", args=[package.uuid, "index.html"])).status_code == 404
    sco = package.scos.first()
    assert client.post(reverse("scorm:launch", args=[package.uuid, sco.pk])).status_code == 404


def test_package_without_programme_is_staff_only(client, tmp_path, staff, learner, make_user):
    """R6.2: without a programme only staff and trainers may open it."""
    package = make_package(tmp_path, staff)
    client.force_login(learner)
    assert client.get(reverse("scorm:player", args=[package.uuid])).status_code == 404
    client.force_login(make_user(role="trainer"))
    assert client.get(reverse("scorm:player", args=[package.uuid])).status_code == 200
    client.logout()
    response = client.get(reverse("scorm:file", args=[package.uuid, "index.html"]))
    assert response.status_code == 302  # to the login page


def test_expired_access_window_refused(client, tmp_path, staff, learner, programme):
    """R6.2: a learner whose access window has ended is refused."""
    from datetime import timedelta

    from django.utils import timezone

    package = make_package(tmp_path, staff, programme=programme)
    now = timezone.now()
    enrol(learner, programme, start=now - timedelta(days=100), end=now - timedelta(days=1))
    client.force_login(learner)
    assert client.get(reverse("scorm:file", args=[package.uuid, "index.html"])).status_code == 404


@pytest.mark.parametrize("path", ["../../secret", "..%2F..%2Fsecret", "a/../../x", "%5C..%5Cx"])
def test_file_traversal_refused(client, tmp_path, staff, path):
    """R6.2: file URLs cannot leave the package folder."""
    package = make_package(tmp_path, staff)
    (package.root.parent / "secret").write_text("secret")
    client.force_login(staff)
    url = reverse("scorm:file", args=[package.uuid, "index.html"]).replace("index.html", path)
    assert client.get(url).status_code == 404


def test_x_accel_redirect(client, tmp_path, staff, settings):
    """R6.2: behind nginx, files are handed over with X-Accel-Redirect."""
    settings.ILMIS_X_ACCEL_REDIRECT_PREFIX = "/protected/"
    package = make_package(tmp_path, staff)
    client.force_login(staff)
    response = client.get(reverse("scorm:file", args=[package.uuid, "index.html"]))
    assert response["X-Accel-Redirect"] == f"/protected/scorm/{package.uuid}/index.html"
    assert response.content == b""


def test_session_2004_suspend_and_resume(client, tmp_path, staff, learner, programme):
    """R6.5: data is stored, session_time summed, exit=suspend resumes with location and
    suspend_data; a normal exit starts a new attempt; attempts are kept."""
    package = make_package(tmp_path, staff, programme=programme, min_measure="0.6")
    enrol(learner, programme)
    client.force_login(learner)
    payload = launch(client, package)
    assert payload["data"]["cmi.entry"] == "ab-initio"
    assert payload["data"]["cmi.scaled_passing_score"] == "0.6"
    response = send(
        client,
        payload,
        [
            ("Initialize",),
            ("SetValue", "cmi.location", "p4"),
            ("SetValue", "cmi.suspend_data", "abc"),
            ("SetValue", "cmi.score.scaled", "0.8"),
            ("SetValue", "cmi.session_time", "PT1M"),
            ("SetValue", "cmi.exit", "suspend"),
            ("Terminate",),
        ],
    )
    assert response.json()["last_seq"] == 7
    attempt = ScormAttempt.objects.get()
    assert attempt.state == "suspended" and attempt.location == "p4"
    assert attempt.is_passed and attempt.score_scaled == Decimal("0.8")
    assert attempt.total_seconds == 60
    again = launch(client, package)
    assert again["attempt"] == attempt.pk
    assert again["data"]["cmi.entry"] == "resume"
    assert again["data"]["cmi.location"] == "p4" and again["data"]["cmi.suspend_data"] == "abc"
    assert "cmi.exit" not in again["data"] and "cmi.session_time" not in again["data"]
    send(
        client,
        again,
        [
            ("Initialize",),
            ("SetValue", "cmi.session_time", "PT30S"),
            ("SetValue", "cmi.completion_status", "completed"),
            ("SetValue", "cmi.exit", "normal"),
            ("Terminate",),
        ],
    )
    attempt.refresh_from_db()
    assert attempt.state == "closed" and attempt.is_completed and attempt.total_seconds == 90
    third = launch(client, package)
    assert third["attempt"] != attempt.pk and third["data"]["cmi.entry"] == "ab-initio"
    assert ScormAttempt.objects.count() == 2
    result = services.package_result(learner, package)
    assert result["completed"] and result["passed"]


def test_session_12_mastery_and_abandon(client, tmp_path, staff, learner, programme):
    """R6.5: 1.2 mastery score decides passed/failed; a closed browser resumes."""
    package = make_package(tmp_path, staff, version="1.2", programme=programme, mastery="70")
    enrol(learner, programme)
    client.force_login(learner)
    payload = launch(client, package)
    assert payload["data"]["cmi.student_data.mastery_score"] == "70"
    send(
        client,
        payload,
        [
            ("Initialize",),
            ("SetValue", "cmi.core.lesson_location", "p2"),
            ("SetValue", "cmi.core.score.raw", "65"),
            ("SetValue", "cmi.core.session_time", "00:02:00"),
        ],
    )
    # the browser closes without LMSFinish: next launch resumes
    again = launch(client, package)
    assert again["data"]["cmi.core.entry"] == "resume"
    assert again["data"]["cmi.core.lesson_location"] == "p2"
    assert again["data"]["cmi.core.total_time"] == "0000:02:00.00"
    send(
        client,
        again,
        [("Initialize",), ("SetValue", "cmi.core.lesson_status", "completed"), ("Terminate",)],
    )
    attempt = ScormAttempt.objects.get()
    assert attempt.success_status == "failed"  # 65 < 70
    assert attempt.is_completed and not attempt.is_passed
    assert attempt.score_scaled == Decimal("0.65")


def test_calls_idempotent_and_gap(client, tmp_path, staff):
    """R6.5: a batch sent twice is applied once; a batch after a hole asks for a resend."""
    package = make_package(tmp_path, staff)
    client.force_login(staff)
    payload = launch(client, package)
    calls = [
        {"seq": 1, "fn": "Initialize", "error": 0},
        {"seq": 2, "fn": "SetValue", "element": "cmi.location", "value": "x", "error": 0},
    ]
    body = {"session": payload["session"], "calls": json.dumps(calls), "first": 1}
    assert client.post(payload["commit_url"], body).json() == {"last_seq": 2}
    assert client.post(payload["commit_url"], body).json() == {"last_seq": 2}
    assert ApiCall.objects.count() == 2
    late = {
        "session": payload["session"],
        "first": 5,
        "calls": json.dumps([{"seq": 5, "fn": "Commit", "error": 0}]),
    }
    response = client.post(payload["commit_url"], late)
    assert response.status_code == 409 and response.json()["last_seq"] == 2


def test_server_refuses_invalid_values(client, tmp_path, staff):
    """R6.5: a value the server's runtime refuses is not stored, and the log says so."""
    package = make_package(tmp_path, staff)
    client.force_login(staff)
    payload = launch(client, package)
    send(
        client,
        payload,
        [
            ("Initialize",),
            ("SetValue", "cmi.score.scaled", "5"),
            ("SetValue", "cmi.entry", "resume"),
            ("SetValue", "cmi.location", "ok"),
        ],
    )
    attempt = ScormAttempt.objects.get()
    assert "cmi.score.scaled" not in attempt.data
    assert attempt.data["cmi.entry"] == "ab-initio" and attempt.location == "ok"
    errors = dict(
        ApiCall.objects.filter(function="SetValue").values_list("element", "server_error")
    )
    assert errors == {"cmi.score.scaled": 407, "cmi.entry": 404, "cmi.location": None}


def test_stale_session_refused(client, tmp_path, staff):
    """R6.5: calls from a session reopened elsewhere are refused (410), nothing is applied."""
    package = make_package(tmp_path, staff)
    client.force_login(staff)
    first = launch(client, package)
    launch(client, package)
    response = send(client, first, [("Initialize",), ("SetValue", "cmi.location", "old")])
    assert response.status_code == 410
    assert "cmi.location" not in ScormAttempt.objects.get().data


def test_calls_of_another_learner_refused(client, tmp_path, staff, make_user):
    """R6.2: a learner cannot write into someone else's attempt."""
    package = make_package(tmp_path, staff)
    client.force_login(staff)
    payload = launch(client, package)
    client.force_login(make_user(role="trainer"))
    assert send(client, payload, [("Initialize",)]).status_code == 404


def test_staff_import_page_and_diagnostics(client, tmp_path, staff, learner, programme):
    """R6.5: staff import through the page (problems in French), then read the call log."""
    client.force_login(staff)
    url = reverse("scorm:packages")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"nope")
    with bad.open("rb") as handle:
        response = client.post(url, {"file": handle})
    assert "n&#x27;est pas une archive zip valide" in response.content.decode()
    good = tmp_path / "good.zip"
    good.write_bytes(package_zip("1.2"))
    with good.open("rb") as handle:
        page = client.post(url, {"file": handle, "check": "1"}).content.decode()
    assert "Paquet valide" in page and "Leçon 1" in page and "index.html" in page
    assert not programme.scorm_packages.exists()  # only checked
    with good.open("rb") as handle:
        response = client.post(url, {"file": handle, "programme": programme.pk})
    assert response.status_code == 302
    package = programme.scorm_packages.get()
    enrol(learner, programme)
    client.force_login(learner)
    payload = launch(client, package)
    send(client, payload, [("Initialize",), ("SetValue", "cmi.core.score.raw", "abc", 405)])
    assert client.get(url).status_code == 403  # learners do not manage packages
    attempt = ScormAttempt.objects.get()
    assert client.get(reverse("scorm:attempt", args=[attempt.pk])).status_code == 403
    client.force_login(staff)
    page = client.get(reverse("scorm:attempt", args=[attempt.pk])).content.decode()
    assert "cmi.core.score.raw" in page and "405" in page
    detail = client.get(reverse("scorm:package", args=[package.uuid])).content.decode()
    assert str(learner) in detail


def test_launch_query_count_constant(client, tmp_path, staff, django_assert_max_num_queries):
    """R6.5: recording a batch costs a bounded number of queries whatever its size."""
    package = make_package(tmp_path, staff)
    client.force_login(staff)
    payload = launch(client, package)
    send(client, payload, [("Initialize",)])
    calls = [("SetValue", "cmi.location", str(i)) for i in range(50)]
    with django_assert_max_num_queries(25):
        assert send(client, payload, calls).status_code == 200


def test_dashboard_panel_for_staff_only(rf, staff, learner):
    """R6.5: staff get the SCORM panel on their dashboard; learners do not."""
    from django.template.loader import render_to_string

    from ilmis.scorm import dashboard

    request = rf.get("/")
    request.user = staff
    [panel] = dashboard.panels(request)
    html = render_to_string(panel["template"], panel)
    assert reverse("scorm:packages") in html and "0 paquet" in html
    request.user = learner
    assert dashboard.panels(request) == []


def test_completion_reaches_learning(client, tmp_path, staff, learner, programme):
    """R6.5: completing every SCO marks the SCORM activity completed in the learning app."""
    from ilmis.learning.models import Activity, ActivityCompletion, Module
    from ilmis.scorm import integration

    module = Module.objects.create(programme=programme, title="Module")
    activity = Activity.objects.create(module=module, kind="scorm", title="SCORM")
    package = make_package(tmp_path, staff, scos=(("a", "A", "a.html"), ("b", "B", "b.html")))
    integration.attach(activity, package)
    enrol(learner, programme)
    client.force_login(learner)
    first, second = package.scos.all()
    done = [("Initialize",), ("SetValue", "cmi.completion_status", "completed"), ("Terminate",)]
    send(client, launch(client, package, first), done)
    assert not ActivityCompletion.objects.filter(user=learner, activity=activity).exists()
    payload = launch(client, package, second)
    assert payload["data"]["adl.nav.request_valid.previous"] == "true"
    assert payload["data"]["adl.nav.request_valid.continue"] == "false"
    send(client, payload, done)
    assert ActivityCompletion.objects.filter(user=learner, activity=activity).exists()
    assert integration.is_completed(learner, activity)
    page = client.get(reverse("scorm:player", args=[package.uuid])).content.decode()
    assert reverse("learning:activity", args=[activity.uuid]) in page  # the way back


def test_file_byte_ranges(client, tmp_path, staff):
    """R6.5: videos can seek: a Range request gets 206 with the right bytes."""
    package = make_package(tmp_path, staff)
    (package.root / "clip.mp4").write_bytes(bytes(range(256)) * 4)
    client.force_login(staff)
    url = reverse("scorm:file", args=[package.uuid, "clip.mp4"])
    response = client.get(url, headers={"Range": "bytes=10-19"})
    assert response.status_code == 206 and b"".join(response) == bytes(range(10, 20))
    assert response["Content-Range"] == "bytes 10-19/1024"
    assert response["Content-Type"] == "video/mp4"
    assert b"".join(client.get(url, headers={"Range": "bytes=-4"})) == bytes(range(252, 256))
    assert client.get(url, headers={"Range": "bytes=5000-"}).status_code == 416
    assert client.get(url).status_code == 200


def test_player_starts_where_the_learner_is(client, tmp_path, staff):
    """R6.5: the player opens the SCO the learner left unfinished, else the first one not
    completed; the table of contents keeps showing a SCO completed in an earlier attempt."""
    package = make_package(tmp_path, staff, scos=(("a", "A", "a.html"), ("b", "B", "b.html")))
    client.force_login(staff)
    first, second = package.scos.all()
    url = reverse("scorm:player", args=[package.uuid])
    assert f'data-start="{first.pk}"' in client.get(url).content.decode()
    send(
        client,
        launch(client, package, first),
        [
            ("Initialize",),
            ("SetValue", "cmi.completion_status", "completed"),
            ("SetValue", "cmi.success_status", "passed"),
            ("Terminate",),
        ],
    )
    page = client.get(url).content.decode()
    assert f'data-start="{second.pk}"' in page and "réussi" in page
    launch(client, package, first)  # reopened: a new attempt, not completed yet
    page = client.get(url).content.decode()
    assert f'data-start="{first.pk}"' in page  # where the learner is now
    assert "réussi" in page  # the earlier attempt still counts
    send(
        client,
        launch(client, package, second),
        [("Initialize",), ("SetValue", "cmi.location", "2")],
    )
    assert f'data-start="{second.pk}"' in client.get(url).content.decode()


def test_12_suspend_with_low_score_keeps_the_attempt(client, tmp_path, staff):
    """R6.5: a 1.2 learner who suspends half-way with a score under the mastery score resumes
    the same attempt (the mastery score applies once the SCO says it is done)."""
    package = make_package(tmp_path, staff, version="1.2", mastery="80")
    client.force_login(staff)
    payload = launch(client, package)
    send(
        client,
        payload,
        [
            ("Initialize",),
            ("SetValue", "cmi.core.score.raw", "20"),
            ("SetValue", "cmi.core.lesson_status", "incomplete"),
            ("SetValue", "cmi.core.exit", "suspend"),
            ("Terminate",),
        ],
    )
    attempt = ScormAttempt.objects.get()
    assert attempt.data["cmi.core.lesson_status"] == "incomplete"
    assert attempt.state == "suspended"
    again = launch(client, package)
    assert again["attempt"] == attempt.pk and again["data"]["cmi.core.entry"] == "resume"
    send(
        client,
        again,
        [
            ("Initialize",),
            ("SetValue", "cmi.core.score.raw", "90"),
            ("SetValue", "cmi.core.lesson_status", "completed"),
            ("Terminate",),
        ],
    )
    attempt.refresh_from_db()
    assert attempt.is_passed and attempt.data["cmi.core.lesson_status"] == "passed"


def test_file_access_check_runs_once_a_minute(client, tmp_path, staff, learner, programme):
    """R6.2: the access check for files is remembered for a minute per user and package (a SCO
    loads many files); after that, a learner whose access ended is refused."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    package = make_package(tmp_path, staff, programme=programme)
    enrolment = enrol(learner, programme)
    client.force_login(learner)
    url = reverse("scorm:file", args=[package.uuid, "index.html"])
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    enrolment.delete()
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).status_code == 200  # still within the minute
    assert len(second) < len(first)
    assert not any("enrolment" in q["sql"] for q in second.captured_queries)
    cache.delete(f"scorm:play:{learner.pk}:{package.uuid}")  # the minute is over
    assert client.get(url).status_code == 404
    assert client.get(reverse("scorm:player", args=[package.uuid])).status_code == 404


def test_asset_completes_when_opened(client, tmp_path, staff):
    """R6.5: an asset (a resource without the API) is completed when the learner opens it, and
    counts in the package's completion."""
    from ilmis.scorm.testing import build_zip, manifest

    xml = manifest("2004", scos=(("a", "Lecture", "a.html"), ("b", "Quiz", "b.html")))
    xml = xml.replace(
        'identifier="r_a" type="webcontent" adlcp:scormType="sco"',
        'identifier="r_a" type="webcontent" adlcp:scormType="asset"',
    )
    path = tmp_path / "mixed.zip"
    path.write_bytes(build_zip({"imsmanifest.xml": xml, "a.html": "a", "b.html": "b"}))
    package = services.import_package(path, by=staff)
    asset, sco = package.scos.all()
    assert asset.kind == "asset" and sco.kind == "sco"
    client.force_login(staff)
    launch(client, package, asset)
    assert ScormAttempt.objects.get(sco=asset).is_completed
    assert not services.package_result(staff, package)["completed"]
    send(
        client,
        launch(client, package, sco),
        [("Initialize",), ("SetValue", "cmi.completion_status", "completed"), ("Terminate",)],
    )
    assert services.package_result(staff, package)["completed"]


def test_closed_browser_after_normal_exit_ends_the_attempt(client, tmp_path, staff):
    """R6.5: a SCO that set exit=normal and lost its Terminate (browser closed) is finished:
    the next launch is a new attempt; without an exit it would resume."""
    package = make_package(tmp_path, staff)
    client.force_login(staff)
    payload = launch(client, package)
    send(
        client,
        payload,
        [
            ("Initialize",),
            ("SetValue", "cmi.completion_status", "completed"),
            ("SetValue", "cmi.exit", "normal"),
        ],
    )
    again = launch(client, package)
    assert again["attempt"] != payload["attempt"] and again["data"]["cmi.entry"] == "ab-initio"
    assert ScormAttempt.objects.get(pk=payload["attempt"]).state == "closed"
    send(client, again, [("Initialize",), ("SetValue", "cmi.location", "p2")])
    third = launch(client, package)
    assert third["attempt"] == again["attempt"] and third["data"]["cmi.entry"] == "resume"


def test_12_resume_keeps_interaction_count(client, tmp_path, staff):
    """R6.5: 1.2 interactions are write-only, yet a resumed SCO must append after them:
    _count is right and their values are still not readable."""
    package = make_package(tmp_path, staff, version="1.2")
    client.force_login(staff)
    payload = launch(client, package)
    send(
        client,
        payload,
        [
            ("Initialize",),
            ("SetValue", "cmi.interactions.0.id", "q1"),
            ("SetValue", "cmi.interactions.0.student_response", "a"),
            ("SetValue", "cmi.core.exit", "suspend"),
            ("Terminate",),
        ],
    )
    again = launch(client, package)
    from ilmis.scorm.runtime import Runtime

    rt = Runtime("1.2", again["data"])
    rt.initialize("")
    assert rt.get_value("cmi.interactions._count") == "1"
    assert rt.get_value("cmi.interactions.0.id") == "" and rt.error == 404
    assert rt.set_value("cmi.interactions.1.id", "q2") == "true"


def test_concurrent_duplicate_batch_answers_409(client, tmp_path, staff, monkeypatch):
    """R6.5: when the same calls arrive twice at once (a beacon and a fetch), the loser gets
    409 with what the server has, and the browser carries on from there."""
    from django.db import IntegrityError

    package = make_package(tmp_path, staff)
    client.force_login(staff)
    payload = launch(client, package)
    send(client, payload, [("Initialize",)])

    def collide(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: scorm_apicall.attempt_id, seq")

    monkeypatch.setattr(services, "record_calls", collide)
    response = send(client, payload, [("SetValue", "cmi.location", "x")])
    assert response.status_code == 409 and response.json() == {"last_seq": 1}
