"""The active-time beacon in a real browser (R11.4): beats while active, none when idle, a last
beat on leaving the page."""

import time

import pytest
from django.db import OperationalError
from django.test import Client

from ilmis.tracking import services
from ilmis.tracking.models import Beat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLOCK = "window.__skew = 0; const __now = Date.now; Date.now = () => __now() + window.__skew;"


def settled(query):
    """Run `query`, retrying while the live server's thread holds SQLite's shared test database."""
    for _attempt in range(100):
        try:
            return query()
        except OperationalError:
            time.sleep(0.05)
    return query()


def beat_count(learner):
    return settled(lambda: Beat.objects.filter(learner=learner).count())


def wait_for(predicate, seconds=6.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_beacon_beats_only_while_active(browser, live_server, alice, activities):
    """R11.4: visible tab + recent input or media playing → beats (tab id, seq); idle → none;
    pagehide → one last beat (sendBeacon)."""
    client = Client()
    client.force_login(alice)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    context.add_init_script(CLOCK)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/suivi/")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360  # R1.1
    token = services.beat_token(alice, activities[0])
    csrf = tab.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    tab.evaluate(
        """([token, csrf]) => {
          const d = document.createElement("div");
          d.id = "tracking-beat"; d.hidden = true;
          Object.assign(d.dataset, {url: "/suivi/beat/", token, csrf, interval: "1"});
          document.body.append(d);
          const s = document.createElement("script"); s.src = "/static/tracking/beat.js";
          document.body.append(s);
        }""",
        [token, csrf],
    )
    tab.mouse.move(10, 10)
    assert wait_for(lambda: beat_count(alice) >= 2)
    beats = settled(lambda: list(Beat.objects.filter(learner=alice).order_by("seq")))
    assert len({b.tab for b in beats}) == 1 and [b.seq for b in beats][:2] == [1, 2]

    tab.evaluate("window.__skew = 61000")  # no input for more than 60 s, no media playing
    time.sleep(0.5)
    idle_count = beat_count(alice)
    time.sleep(2.5)
    assert beat_count(alice) == idle_count

    # A video playing counts as activity, without any input.
    tab.evaluate(
        """() => { const v = document.createElement("video");
          Object.defineProperty(v, "paused", {get: () => false}); document.body.append(v); }"""
    )
    assert wait_for(lambda: beat_count(alice) > idle_count)
    tab.evaluate("document.querySelector('video').remove()")

    tab.mouse.move(50, 50)  # back to work
    working = beat_count(alice)
    assert wait_for(lambda: beat_count(alice) > working)
    before_leaving = beat_count(alice)
    tab.mouse.move(60, 60)
    tab.goto(f"{live_server.url}/suivi/enquetes/")  # pagehide: navigator.sendBeacon
    assert wait_for(lambda: beat_count(alice) > before_leaving, 3)
    context.close()
