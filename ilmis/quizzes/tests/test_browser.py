"""R6.3 in a real browser: answers given with the network cut are kept and sent when it
returns; nothing is lost. R1.1: the attempt page fits 360 px."""

import pytest

from ilmis.quizzes import attempts
from ilmis.quizzes.models import Attempt, Question

from .test_attempts import programme, quiz, student  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logged_in_page(browser, live_server, client, user, **options):
    client.force_login(user)
    context = browser.new_context(**options)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context, context.new_page()


def saved(attempt, name):
    return attempt.items.get(question__name=name).response


def test_answers_given_offline_are_saved_when_the_network_returns(
    browser,
    live_server,
    client,
    quiz,  # noqa: F811
    student,  # noqa: F811
):
    attempt = attempts.start_attempt(quiz, student)
    context, page = logged_in_page(browser, live_server, client, student)
    page.goto(f"{live_server.url}/qcm/tentative/{attempt.pk}/")
    tf = Question.objects.get(name="TF").pk
    page.check(f"#q{tf} input[value=true]")
    page.wait_for_function(
        f"document.querySelector('#q{tf} .quiz-status').textContent === 'Enregistré'"
    )
    assert saved(attempt, "TF") is True

    context.set_offline(True)
    sa, mc, es = (Question.objects.get(name=n).pk for n in ("SA", "MC", "ES"))
    page.fill(f"#q{sa}_text", "Paris")
    page.check(f"#q{mc}_1")
    page.check(f"#q{mc}_2")
    page.fill(f"#q{es}_text", "Écrit hors ligne.")
    page.locator(f"#q{es}_text").blur()
    page.wait_for_timeout(1500)
    assert page.text_content(f"#q{sa} .quiz-status") == "Pas encore enregistré"
    assert "pas encore enregistrées" in page.text_content("#quiz-connection")
    assert saved(attempt, "SA") is None and saved(attempt, "MC") is None
    page.click("#quiz-finish")  # refused in the page while answers are unsent
    assert Attempt.objects.get().status == "in_progress"

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.quiz-status'))"
        ".every(p => p.textContent === '' || p.textContent === 'Enregistré')",
        timeout=15000,
    )
    page.wait_for_function("document.querySelector('#quiz-connection').textContent === ''")
    assert saved(attempt, "SA") == "Paris"
    assert saved(attempt, "ES") == "Écrit hors ligne."
    mc_item = attempt.items.get(question__name="MC")
    order = mc_item.layout["order"]
    assert sorted(mc_item.response) == sorted(order[:2])  # the first two boxes shown

    page.click("#quiz-finish")
    page.wait_for_url(f"**/qcm/tentative/{attempt.pk}/resultat/")
    assert Attempt.objects.get().status == "finished"
    context.close()


def test_attempt_page_fits_360_px(browser, live_server, client, quiz, student):  # noqa: F811
    attempt = attempts.start_attempt(quiz, student)
    context, page = logged_in_page(
        browser, live_server, client, student, viewport={"width": 360, "height": 740}
    )
    page.goto(f"{live_server.url}/qcm/tentative/{attempt.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
