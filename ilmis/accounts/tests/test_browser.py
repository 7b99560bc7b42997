"""R3.2 and R1.1 in a real browser (Playwright driving Debian's Chromium)."""

import pytest

from ilmis.accounts.models import User
from ilmis.core.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_signs_up_in_a_browser(browser, live_server, terms):
    """The proof of work is solved by the page's script; the person never sees it."""
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/signup/")
    page.check("input[value=person]")
    page.fill("#id_first_name", "Jeanne")
    page.fill("#id_last_name", "Durand")
    page.fill("#id_email", "jeanne.browser@example.test")
    page.fill("#id_phone", "06 12 34 56 78")
    page.fill("#id_address", "3 rue des Écoles, 75005 Paris")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    assert not page.is_visible(".human-question")  # JavaScript replaces the question
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/confirm-email/**")
    assert User.objects.filter(email="jeanne.browser@example.test").exists()


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/conditions/"])
def test_no_horizontal_scroll_at_360_px(browser, live_server, terms, path):
    """R1.1: phones first."""
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
