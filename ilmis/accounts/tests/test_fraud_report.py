"""R5.2: reporting fraudulent use ends every session, requires a reset, alerts staff."""

import re

import pytest
from django.test import Client as HttpClient

from ilmis.accounts.models import FraudReport
from ilmis.audit.models import AuditEvent
from ilmis.core.testing import PASSWORD, human_fields, links_in

pytestmark = pytest.mark.django_db


def login(client, user):
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    return client


def logged_in(client):
    return client.get("/tableau-de-bord/").status_code == 200


def test_report_from_the_account_ends_every_session(learner, settings, mailbox):
    settings.ILMIS_MAX_SESSIONS_PER_USER = 0
    me, intruder = login(HttpClient(), learner), login(HttpClient(REMOTE_ADDR="10.9.9.9"), learner)
    assert logged_in(me) and logged_in(intruder)
    me.post("/compte/signaler-fraude/", {"description": "Connexion inconnue depuis Lille"})
    assert not logged_in(me) and not logged_in(intruder)
    learner.refresh_from_db()
    assert not learner.has_usable_password()
    # The old password no longer works; a reset is required.
    assert not logged_in(login(HttpClient(), learner))
    report = FraudReport.objects.get(user=learner)
    assert report.sessions_ended == 2 and report.channel == "account"
    messages = mailbox()
    assert any(
        settings.STAFF_ALERT_EMAILS[0] in m.to and learner.email in m.subject for m in messages
    )
    assert any(
        learner.email in m.to and any("/password/reset/key/" in link for link in links_in(m))
        for m in messages
    )
    assert AuditEvent.objects.filter(action="account.fraud_reported").exists()


def test_report_from_the_login_page_needs_the_owners_confirmation(client, learner, mailbox):
    intruder = login(HttpClient(REMOTE_ADDR="10.9.9.9"), learner)
    url = "/compte/usage-frauduleux/"
    known = client.post(url, {"email": learner.email} | human_fields(client, url))
    anon = HttpClient()
    unknown = anon.post(url, {"email": "nobody@example.test"} | human_fields(anon, url))

    def page(response):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    assert known.status_code == unknown.status_code == 200
    assert page(known) == page(unknown)
    assert logged_in(intruder)  # nothing happens before the owner clicks the emailed link

    link = next(
        link
        for m in mailbox()
        if learner.email in m.to
        for link in links_in(m)
        if "/compte/usage-frauduleux/" in link
    )
    path = link.replace("http://testserver", "")
    assert HttpClient().get(path).status_code == 200
    HttpClient().post(path)
    assert not logged_in(intruder)
    assert FraudReport.objects.get(user=learner).channel == "login_page"


def test_a_forged_confirmation_link_does_nothing(client, learner):
    response = client.post("/compte/usage-frauduleux/forged-token/")
    assert response.status_code == 400
    assert not FraudReport.objects.exists()


def test_staff_see_reports(client, learner, staff):
    login(HttpClient(), learner).post("/compte/signaler-fraude/", {})
    client.force_login(staff)
    assert learner.email in client.get("/compte/securite/").content.decode()
