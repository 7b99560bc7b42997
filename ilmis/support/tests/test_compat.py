"""R4.1: the public compatibility check, the rate measure, attaching a result to an incident."""

import json
import re
import zlib

import pytest

from ilmis.support.models import CompatibilityReport, Incident

pytestmark = pytest.mark.django_db

GOOD = {
    "cookies": "ok",
    "javascript": "ok",
    "local_storage": "ok",
    "pdf": "warn",
    "video": "ok",
    "rate_mbps": 1.4,
    "extra": "<script>",
}


def test_public_page_explains_each_check_in_french(client):
    """R4.1: public, no login; every check has its plain French sentence."""
    response = client.get("/assistance/compatibilite/")
    assert response.status_code == 200
    page = response.content.decode()
    for key in ("cookies", "javascript", "local_storage", "pdf", "video", "rate"):
        assert f'data-check="{key}"' in page
    assert "Les cookies sont bloqués" in page
    assert "inférieur aux 2 Mbit/s" in page
    assert "<noscript>" in page
    assert "support/compat.js" in page
    assert 'id="compat-attach"' not in page  # visitors cannot attach a result


def test_rate_endpoint_streams_n_incompressible_bytes(client):
    """R4.1: the measure downloads from our own server bytes that no proxy can compress."""
    response = client.get("/assistance/compatibilite/debit/?octets=300000")
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert len(body) == 300000 == int(response["Content-Length"])
    assert "no-store" in response["Cache-Control"]
    assert len(zlib.compress(body)) > 0.99 * len(body)
    big = client.get("/assistance/compatibilite/debit/?octets=999999999")
    assert int(big["Content-Length"]) == 4 * 1024 * 1024
    assert client.get("/assistance/compatibilite/debit/?octets=abc")["Content-Length"] == "262144"


def test_rate_endpoint_is_rate_limited(client, settings):
    settings.ILMIS_SPEEDTEST_PER_10_MIN = 3
    codes = [
        client.get("/assistance/compatibilite/debit/?octets=1024").status_code for _i in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_learner_attaches_a_result_to_a_new_incident(client, learner):
    """R4.1: the stored result keeps known keys only; the incident shows it in French."""
    client.force_login(learner)
    page = client.get("/assistance/compatibilite/").content.decode()
    assert 'id="compat-attach"' in page
    response = client.post(
        "/assistance/compatibilite/joindre/", {"results": json.dumps(GOOD), "incident": "new"}
    )
    report = CompatibilityReport.objects.get()
    assert response["Location"] == f"/assistance/signaler/?compat={report.pk}"
    assert "extra" not in report.results
    assert report.results["rate"] == "fail" and report.rate_mbps == 1.4
    form = client.get(response["Location"]).content.decode()
    assert "inférieur aux 2 Mbit/s" in form
    client.post(
        "/assistance/signaler/",
        {"summary": "Vidéos saccadées", "happened_at": "2026-01-05T10:00", "compat": report.pk},
    )
    incident = Incident.objects.get()
    report.refresh_from_db()
    assert report.incident == incident
    page = client.get(f"/assistance/incidents/{incident.pk}/").content.decode()
    assert "1.4 Mbit/s" in page or "1,4 Mbit/s" in page


def test_result_attached_to_an_existing_incident_but_not_to_someone_elses(
    client, learner, make_user
):
    from django.utils import timezone

    from ilmis.support import services

    mine = services.report_incident(learner, summary="Son", happened_at=timezone.now())
    other = make_user(role="learner")
    theirs = services.report_incident(other, summary="Image", happened_at=timezone.now())
    client.force_login(learner)
    client.post(
        "/assistance/compatibilite/joindre/",
        {"results": json.dumps(GOOD), "incident": str(mine.pk)},
    )
    assert mine.compat_reports.count() == 1
    response = client.post(
        "/assistance/compatibilite/joindre/",
        {"results": json.dumps(GOOD), "incident": str(theirs.pk)},
    )
    assert response.status_code == 404
    assert theirs.compat_reports.count() == 0
    # Someone else's stored result cannot be pulled into my report form either.
    foreign = CompatibilityReport.objects.create(user=other, results={"cookies": "ok"})
    page = client.get(f"/assistance/signaler/?compat={foreign.pk}").content.decode()
    assert "Résultat du test de compatibilité joint" not in page


def test_garbage_result_is_refused_with_a_french_message(client, learner):
    client.force_login(learner)
    response = client.post(
        "/assistance/compatibilite/joindre/",
        {"results": "{not json", "incident": "new"},
        follow=True,
    )
    assert "illisible" in response.content.decode()
    response = client.post(
        "/assistance/compatibilite/joindre/",
        {"results": json.dumps({"rate_mbps": "fast"})},
        follow=True,
    )
    assert "illisible" in response.content.decode()
    assert CompatibilityReport.objects.count() == 0


def test_visitor_cannot_store_a_result(client):
    response = client.post("/assistance/compatibilite/joindre/", {"results": json.dumps(GOOD)})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert CompatibilityReport.objects.count() == 0


def _login_cookie(client, user, live_server, context):
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_runs_the_check_and_attaches_it(browser, live_server, client, make_user):
    """R4.1 in Chromium: cookies, JavaScript, storage pass, the rate is measured against our
    server and shown, the verdict is in French; the learner attaches it to a new incident."""
    learner = make_user(role="learner")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    _login_cookie(client, learner, live_server, context)
    page = context.new_page()
    page.goto(f"{live_server.url}/assistance/compatibilite/")
    page.wait_for_selector("#compat[data-done]", timeout=20000)
    for key in ("cookies", "javascript", "local_storage"):
        assert page.get_attribute(f'[data-check="{key}"]', "data-level") == "ok"
    assert page.get_attribute('[data-check="rate"]', "data-level") == "ok"  # local server
    rate = page.inner_text("#rate-value")
    assert (
        re.match(r"^[\d\s\u202f.,]+$", rate)
        and float(re.sub(r"[\s\u202f]", "", rate).replace(",", ".")) >= 2
    )
    assert page.is_visible('[data-check="cookies"] [data-when="ok"]')
    assert "Les cookies sont acceptés" in page.inner_text("#compat")
    assert page.evaluate("document.documentElement.scrollWidth <= 360")
    page.click("#compat-attach button[type=submit]")
    page.wait_for_url("**/assistance/signaler/?compat=*")
    assert "Résultat du test de compatibilité joint" in page.content()
    page.fill("#id_summary", "Le quiz ne s'affiche pas")
    page.fill("#id_happened_at", "2026-01-05T10:00")
    page.click("form button[type=submit]")
    page.wait_for_url("**/assistance/incidents/*/")
    incident = Incident.objects.get()
    assert incident.compat_reports.get().results["cookies"] == "ok"
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_without_javascript_is_told_so(browser, live_server):
    """R4.1: with JavaScript off, the page says plainly that it is needed."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/assistance/compatibilite/")
    text = page.inner_text("main")
    assert "JavaScript est désactivé" in text
    assert not page.is_visible(".compat-list")
    context.close()
