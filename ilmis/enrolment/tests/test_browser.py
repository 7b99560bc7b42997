"""The whole enrolment path in a real browser (Playwright driving Debian's Chromium)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ilmis.core.testing import PASSWORD
from ilmis.enrolment.models import Enrolment, PreRegistration
from ilmis.enrolment.testing import make_programme, make_session
from ilmis.notifications.models import OutgoingEmail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _var(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def _mail(address, pattern):
    for email in OutgoingEmail.objects.order_by("-pk"):
        if address in email.to and re.search(pattern, email.subject + email.body):
            return email
    raise AssertionError(f"no email to {address} matching {pattern}")


def _path(url):
    return re.sub(r"^https?://[^/]+", "", url)


def _logged_in_context(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_preregister_accept_sign_activate_and_learn(browser, live_server, staff, terms):
    """R2.1 → R2.2 → R2.3 → R2.4 → R4.2 → R5.4: a visitor pre-registers, staff accept, the
    signatory signs with the code from the outbox, the enrolment is confirmed, the activation
    email lets the learner set a password, log in and see the programme inside the window."""
    today = timezone.localdate()
    programme = make_programme(title="Comptabilité en ligne", content="Module 1 : le bilan")
    make_session(
        programme,
        code="compta-1",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=60),
    )
    email = "camille.browser@example.test"

    # 1. A visitor pre-registers from the programme page (phone-sized screen).
    visitor = browser.new_page(viewport={"width": 360, "height": 740})
    visitor.goto(f"{live_server.url}/formations/{programme.slug}/")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 360
    visitor.click("text=Se préinscrire")
    visitor.check("input[name=kind][value=person]")
    assert not visitor.is_visible("#id_siret")  # company fields hidden for a person
    visitor.fill("#id_first_name", "Camille")
    visitor.fill("#id_last_name", "Navigateur")
    visitor.fill("#id_email", email)
    visitor.fill("#id_phone", "06 12 34 56 78")
    visitor.fill("#id_address", "3 rue des Écoles, 75005 Paris")
    visitor.select_option("#id_funder", "self")
    visitor.check("#id_consent")
    visitor.click("button[type=submit]")
    visitor.wait_for_url("**/inscription/merci/")
    prereg = PreRegistration.objects.get(email=email)
    assert prereg.reference in visitor.content()
    _mail(email, "reçue")

    # 2. Staff accept it from the back office.
    staff_page = _logged_in_context(browser, live_server, staff).new_page()
    staff_page.goto(f"{live_server.url}/inscription/equipe/?etat=new")
    staff_page.click(f"text={prereg.reference}")
    staff_page.click("#accept")
    staff_page.wait_for_selector("text=Convention envoyée.")
    prereg.refresh_from_db()
    assert prereg.status == "sent"

    # 3. The signatory opens the link from the outbox, consents, gets a code, signs.
    link = re.search(r"https?://\S+/inscription/signer/\S+/", _mail(email, "à signer").body)
    signer = browser.new_page(viewport={"width": 360, "height": 740})
    signer.goto(live_server.url + _path(link.group(0)))
    assert signer.evaluate("document.documentElement.scrollWidth") <= 360  # R1.1
    signer.check("#id_read")
    signer.check("#id_terms")
    signer.check("#id_esign")
    signer.click("text=Recevoir mon code de signature")
    signer.wait_for_url("**/code/")
    code = re.search(r"\d{6}", _mail(email, "code de signature").subject).group(0)
    signer.fill("#id_code", code)
    signer.click("button[name=sign]")
    signer.wait_for_url("**/signee/")
    assert "Inscription confirmée" in signer.content()
    prereg.refresh_from_db()
    assert prereg.status == "confirmed"
    enrolment = Enrolment.objects.get(preregistration=prereg)
    assert enrolment.access_start <= timezone.now() < enrolment.access_end

    # 4. The activation email: the learner sets their own password, then logs in.
    activation = _mail(email, r"/accounts/password/reset/key/")
    url = re.search(r"https?://\S+/accounts/password/reset/key/\S+", activation.body).group(0)
    learner = browser.new_page()
    learner.goto(live_server.url + _path(url))
    learner.fill("input[name=password1]", PASSWORD)
    learner.fill("input[name=password2]", PASSWORD)
    learner.click("button[type=submit]")
    learner.wait_for_load_state()
    learner.goto(f"{live_server.url}/accounts/login/")
    learner.fill("input[name=login]", email)
    learner.fill("input[name=password]", PASSWORD)
    learner.click("button[type=submit]")
    learner.wait_for_load_state()
    learner.goto(f"{live_server.url}/inscription/mes-inscriptions/")
    learner.click("text=Comptabilité en ligne")
    learner.wait_for_selector("#programme-content")
    assert "Module 1 : le bilan" in learner.content()
