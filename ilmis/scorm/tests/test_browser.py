"""The player in a real browser (R6.5): a SCO written for the test finds the API, sets status,
score and location; the learner leaves and comes back; cmi.entry is resume with the location
and suspend data restored. For SCORM 1.2 (LMSCommit) and 2004 (no Commit: the page's beacon)."""

import time

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from ilmis.enrolment.testing import enrol, make_programme
from ilmis.scorm import services
from ilmis.scorm.models import ApiCall, ScormAttempt
from ilmis.scorm.testing import TEST_SCO_12, TEST_SCO_2004, build_zip, manifest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def logged_in_page(browser, client, live_server, user, **options):
    client.force_login(user)
    context = browser.new_context(**options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_leave_and_resume(browser, live_server, client, staff, learner, tmp_path, version):
    """R6.5: status, score and location are recorded; after leaving, the SCO resumes with
    cmi.entry=resume, its location and its suspend data; a normal finish completes it."""
    programme = make_programme()
    sco_html = TEST_SCO_12 if version == "1.2" else TEST_SCO_2004
    path = tmp_path / "sco.zip"
    path.write_bytes(
        build_zip(
            {
                "imsmanifest.xml": manifest(version, scos=(("sco1", "Leçon", "sco/index.html"),)),
                "sco/index.html": sco_html,
            }
        )
    )
    package = services.import_package(path, by=staff, programme=programme)
    enrol(learner, programme)
    page = logged_in_page(browser, client, live_server, learner)
    player = live_server.url + reverse("scorm:player", args=[package.uuid])

    page.goto(player)
    frame = page.frame_locator("#scorm-frame")
    expect(frame.locator("#init")).to_have_text("true")
    expect(frame.locator("#entry")).to_have_text("ab-initio")
    frame.locator("#work").click()
    expect(frame.locator("#done")).to_have_text("ok")
    # the API refused a bad value with the exact code, synchronously
    expect(frame.locator("#bad")).to_have_text("false 405" if version == "1.2" else "false 407")

    # The learner leaves (no Finish / Terminate): the page's beacon carries the calls. If the
    # test server was busy (SQLite in memory), the calls kept in the browser are sent when the
    # player opens again (see the lost-connection test): the learner loses nothing either way.
    page.goto("about:blank")
    location = "page-7" if version == "1.2" else "slide-12"
    wait_for(lambda: ScormAttempt.objects.filter(learner=learner, location=location).exists())

    page.goto(player)
    expect(frame.locator("#entry")).to_have_text("resume")
    expect(frame.locator("#location")).to_have_text(location)
    expect(frame.locator("#suspend")).to_have_text(
        '{"answers":[1,2,3]}' if version == "1.2" else "state=42;seen=1,2,3"
    )
    attempt = ScormAttempt.objects.get(learner=learner)
    assert attempt.location == location and attempt.entry == "resume"
    if version == "2004":
        assert attempt.score_scaled is not None and float(attempt.score_scaled) == 0.9
        assert attempt.data["cmi.interactions.0.learner_response"] == "a[,]b"
    else:
        assert attempt.score_raw == 85
    expect(frame.locator("#status")).to_have_text("incomplete")

    frame.locator("#finish").click()
    expect(frame.locator("#done")).to_have_text("finished")
    finished = wait_for(lambda: ScormAttempt.objects.filter(pk=attempt.pk, state="closed").first())
    assert finished is not None
    assert finished.is_completed and finished.is_passed
    assert finished.total_seconds == (90.5 if version == "1.2" else 90)  # first session
    assert finished.session_count == 2
    assert ApiCall.objects.filter(attempt=attempt, error_code__gt=0).exists()  # the bad value
    page.context.close()


def test_unenrolled_learner_gets_nothing_in_browser(
    browser, live_server, client, staff, make_user, tmp_path
):
    """R6.2: a learner who is not enrolled gets a 404 for the player and the files."""
    programme = make_programme()
    path = tmp_path / "sco.zip"
    path.write_bytes(build_zip({"imsmanifest.xml": manifest("2004"), "index.html": "secret"}))
    package = services.import_package(path, by=staff, programme=programme)
    page = logged_in_page(browser, client, live_server, make_user(role="learner"))
    response = page.goto(live_server.url + reverse("scorm:player", args=[package.uuid]))
    assert response.status == 404
    response = page.goto(live_server.url + reverse("scorm:file", args=[package.uuid, "index.html"]))
    assert response.status == 404 and "secret" not in page.content()
    page.context.close()


def test_multi_sco_table_of_contents_and_continue(browser, live_server, client, staff):
    """R6.5: the table of contents lists the SCOs; Terminate with adl.nav.request=continue
    opens the next one; the first is recorded completed; a trainer/staff may play without
    enrolment."""
    from ilmis.scorm import demo
    from ilmis.scorm.models import ScormPackage

    demo.load_demo()
    package = ScormPackage.objects.get()
    page = logged_in_page(browser, client, live_server, staff)
    page.goto(live_server.url + reverse("scorm:player", args=[package.uuid]))
    toc = page.locator(".scorm-toc button")
    expect(toc).to_have_count(2)
    expect(toc.first).to_have_attribute("aria-current", "true")
    frame = page.frame_locator("#scorm-frame")
    expect(frame.locator("#n")).to_have_text("1 / 3")
    frame.get_by_role("button", name="Suivant").click()
    expect(frame.locator("#n")).to_have_text("2 / 3")
    frame.get_by_role("button", name="J'ai terminé cette partie").click()
    expect(toc.nth(1)).to_have_attribute("aria-current", "true")
    expect(frame.locator("h1")).to_have_text("Se déplacer vite")
    first = package.scos.get(identifier="copier")
    attempt = wait_for(lambda: ScormAttempt.objects.filter(sco=first, state="closed").first())
    assert attempt is not None and attempt.is_completed and attempt.is_passed
    assert attempt.location == "1"
    # back to the first SCO from the table of contents: a new attempt (2004, normal exit)
    toc.first.click()
    expect(frame.locator("#n")).to_have_text("1 / 3")
    assert wait_for(lambda: ScormAttempt.objects.filter(sco=first).count() == 2)
    page.context.close()


def test_unsent_calls_survive_a_lost_connection(
    browser, live_server, client, staff, learner, tmp_path
):
    """R6.5 (learner work is never lost): while the API endpoint is unreachable, the calls stay
    in the browser; when the learner opens the player again they are sent first, and the SCO
    resumes with its location and suspend data."""
    programme = make_programme()
    path = tmp_path / "sco.zip"
    path.write_bytes(
        build_zip(
            {
                "imsmanifest.xml": manifest("2004", scos=(("sco1", "Leçon", "index.html"),)),
                "index.html": TEST_SCO_2004,
            }
        )
    )
    package = services.import_package(path, by=staff, programme=programme)
    enrol(learner, programme)
    page = logged_in_page(browser, client, live_server, learner)
    context = page.context
    player = live_server.url + reverse("scorm:player", args=[package.uuid])
    # The API endpoint is unreachable from this tab (fetch fails, sendBeacon refuses).
    page.add_init_script("""
      const realFetch = window.fetch;
      window.fetch = (url, options) => String(url).includes('/appels/')
        ? Promise.reject(new TypeError('offline')) : realFetch(url, options);
      navigator.sendBeacon = () => false;
    """)
    page.goto(player)
    frame = page.frame_locator("#scorm-frame")
    expect(frame.locator("#entry")).to_have_text("ab-initio")
    frame.locator("#work").click()
    expect(frame.locator("#done")).to_have_text("ok")
    page.goto(live_server.url + "/")
    page.wait_for_timeout(500)
    attempt = ScormAttempt.objects.get()
    assert "cmi.location" not in attempt.data  # nothing arrived
    # back online, in a new tab of the same browser
    page.close()
    page = context.new_page()
    frame = page.frame_locator("#scorm-frame")
    page.goto(player)
    expect(frame.locator("#entry")).to_have_text("resume")
    expect(frame.locator("#location")).to_have_text("slide-12")
    expect(frame.locator("#suspend")).to_have_text("state=42;seen=1,2,3")
    attempt.refresh_from_db()
    assert attempt.data["cmi.interactions.0.type"] == "choice"
    assert attempt.total_seconds == 90
    page.context.close()


def test_player_fits_360px(browser, live_server, client, staff, tmp_path):
    """R6.5: the player and the staff package page work at 360 px wide (no sideways scroll)."""
    from ilmis.scorm import demo
    from ilmis.scorm.models import ScormPackage

    demo.load_demo()
    package = ScormPackage.objects.get()
    page = logged_in_page(
        browser, client, live_server, staff, viewport={"width": 360, "height": 740}
    )
    for name in ("scorm:player", "scorm:package"):
        page.goto(live_server.url + reverse(name, args=[package.uuid]))
        if name == "scorm:player":
            expect(page.frame_locator("#scorm-frame").locator("h1")).to_be_visible()
        page.screenshot(path=str(tmp_path / f"{name.split(':')[1]}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (name, width)
    page.context.close()
