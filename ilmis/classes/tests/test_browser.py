"""R1.1 for the classes pages: no horizontal scroll at 360 px; the learner signs with a click."""

from unittest import mock

import pytest
from django.conf import settings
from django.test import Client

from ilmis.classes.models import Attendance

from .conftest import paris
from .test_invitations import make_class

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logged_in_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 360, "height": 740})
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


def test_pages_fit_360_px_and_learner_signs(
    browser, live_server, session, trainer, enrolled, tomorrow
):
    live_class = make_class(session, trainer, tomorrow, start=10, end=16)
    page = logged_in_page(browser, live_server, trainer)
    for path in (
        "/classes/",
        "/classes/planifier/",
        f"/classes/{live_class.pk}/",
        f"/classes/{live_class.pk}/emargement/",
        "/classes/calendrier/",
    ):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path

    page = logged_in_page(browser, live_server, enrolled)
    with mock.patch("ilmis.classes.services.clock", return_value=paris(tomorrow, 10, 2)):
        page.goto(f"{live_server.url}/classes/{live_class.pk}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.get_by_role("button", name="Je signe ma présence").click()
        page.wait_for_load_state()
        assert "Votre présence est enregistrée" in page.content()
    assert Attendance.objects.get(learner=enrolled).slot == "am"
