"""R5.6, R5.7: incident reports, the SLA clock, the desk queue, notifications."""

import io
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ilmis.audit.models import AuditEvent
from ilmis.support import services
from ilmis.support.models import Incident, IncidentEvent

PARIS = ZoneInfo("Europe/Paris")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

pytestmark = pytest.mark.django_db


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


def at(moment):
    """Freeze the clock the services read."""
    return mock.patch("ilmis.support.services.clock", return_value=moment)


def report(client, **overrides):
    data = {
        "summary": "La vidéo du module 2 ne se lance pas",
        "description": "Écran noir.",
        "happened_at": "",
        "page_url": "",
        "activity": "",
    }
    data |= overrides
    return client.post("/assistance/signaler/", data)


def make_incident(user, reported_at, **kwargs):
    with at(reported_at):
        return services.report_incident(
            user, summary=kwargs.pop("summary", "Problème"), happened_at=reported_at, **kwargs
        )


def test_report_shows_the_hand_checked_due_time_and_emails_it(client, learner, mailbox, settings):
    """R5.6/R5.7: reported Friday 26 March 2027 17:00 (before Easter Monday): due Thursday
    1 April 2027 17:00 (7 h Fri + Tue 24 + Wed 24 + 17 h Thu), shown and emailed."""
    settings.ILMIS_ALSACE_MOSELLE = False
    client.force_login(learner)
    with at(paris(2027, 3, 26, 17, 0)):
        response = report(client, happened_at="2027-03-26T16:30", page_url="/formations/")
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assistance/incidents/{incident.pk}/"
    assert incident.due_at == paris(2027, 4, 1, 17, 0)
    assert incident.late is False
    assert incident.page_url == "/formations/"
    page = client.get(response["Location"]).content.decode()
    assert "jeudi 1 avril 2027 à 17:00" in page
    sent = mailbox()
    to_learner = [m for m in sent if m.to == [learner.email]]
    assert len(to_learner) == 1
    assert "jeudi 1 avril 2027 à 17:00" in to_learner[0].body
    assert any(m.to != [learner.email] for m in sent), "the desk is alerted too"
    assert AuditEvent.objects.filter(action="support.incident_reported").count() == 1


def test_report_made_more_than_48_hours_later_is_accepted_and_marked_late(client, learner):
    """R5.6: a late report is accepted and marked late; within 48 h it is not."""
    client.force_login(learner)
    now = paris(2027, 6, 10, 12, 0)
    with at(now):
        report(client, happened_at="2027-06-08T11:59")  # 48 h 01 min before
        report(client, happened_at="2027-06-08T12:01")  # 47 h 59 min before
    late, on_time = Incident.objects.order_by("happened_at")
    assert late.late is True
    assert on_time.late is False
    page = client.get(f"/assistance/incidents/{late.pk}/").content.decode()
    assert "signalé plus de 48 h après" in page
    page = client.get(f"/assistance/incidents/{on_time.pk}/").content.decode()
    assert 'id="late-flag"' not in page


def test_a_date_in_the_future_is_refused_in_french_and_nothing_is_saved(client, learner):
    """R5.6: bad input gets a clear French error and writes nothing."""
    client.force_login(learner)
    with at(paris(2027, 6, 10, 12, 0)):
        response = report(client, happened_at="2027-06-11T12:00")
    assert response.status_code == 200
    assert "dans le futur" in response.content.decode()
    assert Incident.objects.count() == 0
    response = report(client, summary="", happened_at="2027-06-01T12:00")
    assert response.status_code == 200
    assert Incident.objects.count() == 0


def test_the_activity_is_linked_automatically_from_the_page(client, learner):
    """R5.6: the page the learner came from is stored and its activity resolved from the URL."""
    client.force_login(learner)
    response = client.get("/assistance/signaler/?page=/admin/accounts/user/5/change/")
    assert "/admin/accounts/user/5/change/" in response.content.decode()
    report(client, happened_at="2020-01-01T10:00", page_url="/admin/accounts/user/5/change/")
    incident = Incident.objects.get()
    assert incident.activity_ref == "admin:accounts_user_change object_id=5"
    # A learning activity page (the link learners use from an activity).
    activity = "/apprendre/a/6f1c1a34-0d5e-4a34-9f0b-2b8a3c1f4e11/"
    report(client, happened_at="2020-01-01T10:00", page_url=activity)
    latest = Incident.objects.order_by("-id").first()
    assert latest.activity_ref == "learning:activity uuid=6f1c1a34-0d5e-4a34-9f0b-2b8a3c1f4e11"
    # A foreign site is not stored as the page.
    report(client, happened_at="2020-01-01T10:00", page_url="https://evil.example/x")
    assert Incident.objects.order_by("-id").first().page_url == ""


def test_referer_gives_the_page_when_no_parameter(client, learner):
    client.force_login(learner)
    response = client.get("/assistance/signaler/", HTTP_REFERER="http://testserver/formations/")
    assert 'value="/formations/"' in response.content.decode()


def test_screenshot_must_be_an_image_and_is_private(client, learner, make_user, staff):
    """R5.6: optional screenshot; only the reporter and the desk can open it."""
    client.force_login(learner)
    bad = SimpleUploadedFile("capture.png", b"MZ\x90\x00 not an image", "image/png")
    response = report(client, happened_at="2026-01-04T10:00", screenshot=bad)
    assert "pas une image PNG, JPEG, GIF ou WebP" in response.content.decode()
    assert Incident.objects.count() == 0
    good = SimpleUploadedFile("capture.html", PNG, "text/html")  # the name is not trusted
    report(client, happened_at="2026-01-04T10:00", screenshot=good)
    incident = Incident.objects.get()
    url = f"/assistance/incidents/{incident.pk}/capture/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    other = make_user(role="learner")
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_another_learner_cannot_see_or_write_to_an_incident(client, learner, make_user):
    """R5.7: every object is checked against the requester; the second learner is refused."""
    incident = make_incident(learner, timezone.now())
    other = make_user(role="learner")
    client.force_login(other)
    assert client.get(f"/assistance/incidents/{incident.pk}/").status_code == 404
    client.post(f"/assistance/incidents/{incident.pk}/message/", {"body": "intrus"})
    assert not IncidentEvent.objects.filter(kind="message").exists()
    response = client.post(f"/assistance/incidents/{incident.pk}/status/", {"status": "resolved"})
    assert response.status_code in (403, 404)
    incident.refresh_from_db()
    assert incident.status == "open"
    assert client.get("/assistance/equipe/").status_code == 403
    client.logout()
    response = client.get(f"/assistance/incidents/{incident.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_status_changes_replies_and_notes(client, learner, staff, mailbox):
    """R5.7: the learner sees every status change (emailed too) and replies, never notes."""
    incident = make_incident(learner, timezone.now())
    mailbox().clear()
    client.force_login(staff)
    base = f"/assistance/incidents/{incident.pk}"
    client.post(f"{base}/status/", {"status": "in_progress", "message": "Nous regardons."})
    client.post(f"{base}/note/", {"body": "Serveur vidéo 2 à redémarrer"})
    client.post(f"{base}/reply/", {"body": "Pouvez-vous vider le cache ?"})
    client.post(f"{base}/status/", {"status": "resolved"})
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert incident.assigned_to == staff
    assert incident.resolved_at is not None
    sent = [m for m in mailbox() if m.to == [learner.email]]
    assert len(sent) == 3  # two status changes and the reply; the note is not sent
    assert any("en cours de traitement" in m.subject for m in sent)
    assert any("résolu" in m.subject for m in sent)
    assert any("vider le cache" in m.body for m in sent)
    assert not any("redémarrer" in m.body for m in sent)
    client.force_login(learner)
    page = client.get(f"{base}/").content.decode()
    assert "vider le cache" in page
    assert "Nous regardons." in page
    assert "redémarrer" not in page
    assert "résolu" in page
    client.force_login(staff)
    assert "redémarrer" in client.get(f"{base}/").content.decode()


def test_an_impossible_transition_is_refused_and_changes_nothing(client, learner, staff):
    """R5.7: closed is final; a refused transition leaves the incident as it was."""
    incident = make_incident(learner, timezone.now())
    client.force_login(staff)
    base = f"/assistance/incidents/{incident.pk}"
    client.post(f"{base}/status/", {"status": "resolved"})
    client.post(f"{base}/status/", {"status": "closed"})
    response = client.post(f"{base}/status/", {"status": "in_progress"}, follow=True)
    assert "Impossible de passer" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == "closed"
    assert incident.events.filter(kind="status").count() == 2


def test_learner_message_reaches_the_desk(client, learner, mailbox, settings):
    settings.STAFF_ALERT_EMAILS = ["desk@ilmis.example"]
    incident = make_incident(learner, timezone.now())
    mailbox().clear()
    client.force_login(learner)
    client.post(f"/assistance/incidents/{incident.pk}/message/", {"body": "Toujours en panne"})
    assert any(m.to == ["desk@ilmis.example"] and "Toujours en panne" in m.body for m in mailbox())


def test_queue_is_sorted_by_due_time_with_at_risk_and_breached(client, learner, staff, settings):
    """R5.7: the desk queue, sorted by due time; at risk (≤ 24 working hours left) and
    breached are derived at read time from stored timestamps."""
    settings.ILMIS_ALSACE_MOSELLE = False
    now = paris(2027, 6, 16, 12, 0)  # Wednesday
    breached = make_incident(learner, paris(2027, 6, 10, 9, 30), summary="Ancien")  # due Tue 15
    at_risk = make_incident(learner, paris(2027, 6, 14, 10, 0), summary="Lundi")  # due Thu 17 10h
    fine = make_incident(learner, paris(2027, 6, 16, 9, 0), summary="Mercredi")  # due Mon 21
    client.force_login(staff)
    with at(now):
        response = client.get("/assistance/equipe/")
    page = response.content.decode()
    rows = [
        f'data-incident="{i.pk}" data-sla="{state}"'
        for i, state in ((breached, "breached"), (at_risk, "at_risk"), (fine, "on_track"))
    ]
    positions = [page.index(row) for row in rows]
    assert positions == sorted(positions)
    with at(now):
        page = client.get("/assistance/equipe/?filtre=breached").content.decode()
    assert "Ancien" in page and "Lundi" not in page and "Mercredi" not in page
    with at(now):
        page = client.get("/assistance/equipe/?filtre=at_risk").content.decode()
    assert "Lundi" in page and "Ancien" not in page


def test_queue_query_count_does_not_grow(client, learner, staff, django_assert_max_num_queries):
    """R5.7: the queue costs the same number of queries for 1 or 15 incidents."""
    make_incident(learner, timezone.now())
    client.force_login(staff)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/assistance/equipe/").status_code == 200
    for _i in range(14):
        make_incident(learner, timezone.now())
    with django_assert_max_num_queries(len(one)):
        page = client.get("/assistance/equipe/").content.decode()
    assert page.count("data-incident=") == 15


def test_assignment(client, learner, staff, make_user):
    incident = make_incident(learner, timezone.now())
    colleague = make_user(role="staff")
    client.force_login(staff)
    client.post(f"/assistance/incidents/{incident.pk}/assign/", {"assignee": colleague.pk})
    incident.refresh_from_db()
    assert incident.assigned_to == colleague
    # A learner is not a valid assignee.
    client.post(f"/assistance/incidents/{incident.pk}/assign/", {"assignee": learner.pk})
    incident.refresh_from_db()
    assert incident.assigned_to == colleague
    page = client.get("/assistance/equipe/?filtre=unassigned").content.decode()
    assert f'data-incident="{incident.pk}"' not in page


def test_monthly_figures(client, learner, staff, settings):
    """R5.7: per month, on time, late and median time to fix (working hours)."""
    settings.ILMIS_ALSACE_MOSELLE = False
    a = make_incident(learner, paris(2027, 6, 10, 9, 30))  # due Tue 15 09:30
    b = make_incident(learner, paris(2027, 6, 14, 10, 0))  # due Thu 17 10:00
    c = make_incident(learner, paris(2027, 6, 16, 9, 0))
    with at(paris(2027, 6, 11, 9, 30)):  # 24 working hours after a
        services.change_status(a.pk, "resolved", by=staff)
    with at(paris(2027, 6, 18, 10, 0)):  # 96 working hours after b: late
        services.change_status(b.pk, "resolved", by=staff)
    assert c.status == "open"
    with at(paris(2027, 7, 1, 12, 0)):
        rows = services.monthly_figures()
        client.force_login(staff)
        page = client.get("/assistance/equipe/chiffres/").content.decode()
    june = next(row for row in rows if row["month"] == "2027-06")
    assert (june["reported"], june["on_time"], june["late"], june["open_breached"]) == (3, 1, 1, 1)
    assert june["median_working_hours"] == 60.0  # median of 24 and 96
    assert "2027-06" in page
    assert "50 %" in page


def test_dashboard_panels(client, learner, staff):
    make_incident(learner, timezone.now(), summary="Souci de son")
    client.force_login(learner)
    page = client.get("/tableau-de-bord/").content.decode()
    assert "Signaler un problème technique" in page
    assert "INC-" in page
    # The desk panel (rendered alone: the shared dashboard also shows other apps' panels).
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from ilmis.support.dashboard import panels

    request = RequestFactory().get("/tableau-de-bord/")
    request.user = staff
    (panel,) = panels(request)
    html = render_to_string(panel["template"], {"panel": panel}, request=request)
    assert "1 incidents ouverts" in html


def test_csv_safe_and_local_path_helpers():
    assert services._csv_safe("=HYPERLINK()") == "'=HYPERLINK()"
    assert services.local_path("//evil.example/x") == ""
    assert services.local_path("/a/b?c=1") == "/a/b?c=1"


def test_event_timestamps_are_ordered(learner):
    incident = make_incident(learner, timezone.now() - timedelta(hours=1))
    assert [e.kind for e in incident.events.all()] == ["reported"]
    assert io  # keep the import used for file helpers


def test_desk_is_alerted_once_when_at_risk_then_once_when_breached(learner, mailbox, settings):
    """R5.7: the job only notifies: once at risk, once breached, never twice."""
    settings.STAFF_ALERT_EMAILS = ["desk@ilmis.example"]
    settings.ILMIS_ALSACE_MOSELLE = False
    incident = make_incident(learner, paris(2027, 6, 14, 10, 0))  # due Thu 17 June 10:00
    mailbox().clear()

    def alerts():
        return [m for m in mailbox() if m.to == ["desk@ilmis.example"] and "menacé" in m.subject]

    assert services.alert_desk(paris(2027, 6, 15, 10, 0)) == 0  # 48 working hours left
    assert services.alert_desk(paris(2027, 6, 16, 11, 0)) == 1  # 23 h left: at risk
    assert services.alert_desk(paris(2027, 6, 16, 12, 0)) == 0
    assert services.alert_desk(paris(2027, 6, 17, 10, 30)) == 1  # breached
    assert services.alert_desk(paris(2027, 6, 18, 10, 30)) == 0
    sent = alerts()
    assert len(sent) == 2
    assert all(incident.reference in m.body for m in sent)
    assert sorted("bientôt en retard" in m.body for m in sent) == [False, True]
    assert sorted("délai dépassé" in m.body for m in sent) == [False, True]


def test_timeline_names_each_new_status(client, learner, staff):
    """R5.7: the learner sees every status change by name."""
    incident = make_incident(learner, timezone.now())
    services.change_status(incident.pk, "in_progress", by=staff)
    client.force_login(learner)
    page = client.get(f"/assistance/incidents/{incident.pk}/").content.decode()
    assert "Nouvel état : <strong>en cours de traitement</strong>" in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_fit_a_360_px_screen(browser, live_server, client, make_user):
    """R1.1 for the support pages: no horizontal scroll at 360 px, for the learner and the desk."""
    from allauth.mfa.totp.internal.auth import TOTP

    learner = make_user(role="learner")
    desk = make_user(role="staff")
    TOTP.activate(desk, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    incident = make_incident(learner, timezone.now(), summary="Une phrase assez longue " * 4)
    services.reply(incident.pk, "Réponse " * 40, by=desk)
    pages = {
        learner: [
            "/assistance/",
            "/assistance/signaler/",
            f"/assistance/incidents/{incident.pk}/",
            "/assistance/reclamation/",
        ],
        desk: [
            "/assistance/equipe/",
            f"/assistance/incidents/{incident.pk}/",
            "/assistance/equipe/chiffres/",
            "/assistance/equipe/reclamations/",
            "/maintenance/",
            "/maintenance/rapport/",
        ],
    }
    for user, urls in pages.items():
        context = browser.new_context(viewport={"width": 360, "height": 740})
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
        context.close()
