"""The video completion script and the learner pages in a real browser (Chromium, 360 px)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ilmis.enrolment.testing import enrol, make_programme
from ilmis.learning.models import ActivityCompletion
from ilmis.learning.testing import add_activity, add_module, publish, video_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logged_in_context(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_video_end_marks_done_once_and_page_is_marked_by_hand(browser, live_server, learner):
    """R6.1: the end of the video posts once (JS), the page has a button; R1.1 at 360 px."""
    programme = make_programme()
    module = add_module(programme, "Module vidéo")
    page = add_activity(module, "page", "Lecture", body="<p>Lisez ceci.</p>")
    upload = SimpleUploadedFile("v.mp4", video_bytes(4000), content_type="video/mp4")
    video = add_activity(module, "video", "Vidéo", upload=upload)
    publish(programme)
    enrol(learner, programme)
    context = _logged_in_context(browser, live_server, learner)
    tab = context.new_page()

    tab.goto(f"{live_server.url}/apprendre/a/{video.uuid}/")
    assert tab.locator("#done-badge").is_hidden()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360
    for _ in range(3):  # the learner replays the end: one completion only
        tab.evaluate("document.querySelector('video').dispatchEvent(new Event('ended'))")
    tab.locator("#done-badge").wait_for(state="visible")
    assert ActivityCompletion.objects.filter(user=learner, activity=video).count() == 1

    tab.goto(f"{live_server.url}/apprendre/a/{page.uuid}/")
    tab.get_by_role("button", name="Marquer comme terminé").click()
    tab.wait_for_load_state()
    assert ActivityCompletion.objects.filter(user=learner, activity=page).exists()
    tab.goto(f"{live_server.url}/apprendre/p/{programme.slug}/")
    assert "100 % terminé" in tab.content()
    context.close()
