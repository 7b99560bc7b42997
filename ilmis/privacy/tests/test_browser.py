"""The archive's progress in a real browser (R7.2): the page polls, the bar moves, the link
appears when the job is done; at 360 px nothing overflows."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from ilmis.privacy import exporting
from ilmis.privacy.models import DataExport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logged_in_page(browser, client, live_server, user, **context_options):
    client.force_login(user)
    context = browser.new_context(**context_options)
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


def test_progress_then_link(browser, live_server, client, learner):
    """R7.2: progress is shown while the archive is prepared, then its download link."""
    export = DataExport.objects.create(user=learner, steps_total=10)
    page = logged_in_page(
        browser, client, live_server, learner, viewport={"width": 360, "height": 740}
    )
    page.goto(live_server.url + reverse("privacy:export_status", args=[export.pk]))
    expect(page.locator("#export-link")).to_be_hidden()
    DataExport.objects.filter(pk=export.pk).update(status="running", steps_done=5)
    expect(page.locator("#export-percent")).to_have_text("50", timeout=10000)
    exporting.build(DataExport.objects.get(pk=export.pk))
    link = page.locator("#export-download")
    expect(link).to_be_visible(timeout=15000)
    assert "/archive/telecharger/" in link.get_attribute("href")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("mes-donnees-")
    assert DataExport.objects.get(pk=export.pk).downloaded_at is not None
