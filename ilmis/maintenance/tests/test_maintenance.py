"""R5.8: maintenance windows — notice, notices, banner, maintenance mode, recorded downtime."""

from datetime import UTC, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from ilmis.audit.models import AuditEvent
from ilmis.maintenance import services
from ilmis.maintenance.models import MaintenanceWindow
from ilmis.maintenance.signals import outage_ended
from ilmis.notifications.models import OutgoingEmail

PARIS = ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def at(moment):
    return mock.patch("ilmis.maintenance.services.clock", return_value=moment)


def local_input(moment):
    """What a staff member types in the datetime-local field (Paris time)."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def schedule_form(client, starts_at, hours=2, **extra):
    data = {
        "starts_at": local_input(starts_at),
        "ends_at": local_input(starts_at + timedelta(hours=hours)),
        "affected": "Vidéos et quiz",
        "emergency_reason": "",
    }
    data |= extra
    return client.post("/maintenance/", data)


def store_window(starts_at, ends_at, **kwargs):
    """Write a window straight into the database, as another process would: no service call,
    no cache invalidation, nothing in this process's memory."""
    kwargs.setdefault("affected", "Mise à jour du serveur")
    return MaintenanceWindow.objects.bulk_create(
        [MaintenanceWindow(starts_at=starts_at, ends_at=ends_at, **kwargs)]
    )[0]


@pytest.fixture
def users(make_user, learner):
    active = [learner] + [make_user(role="learner") for _i in range(3)]
    inactive = make_user(role="learner", is_active=False)
    return active, inactive


def test_window_71_hours_ahead_is_refused_73_accepted_everyone_emailed_once(
    client, staff, users, mailbox, django_capture_on_commit_callbacks
):
    """R5.8: less than 72 h of notice is refused (nothing saved, nobody emailed); at 73 h the
    window is accepted and every active user gets exactly one email; inactive users none."""
    active, inactive = users
    client.force_login(staff)
    now = timezone.now()
    response = schedule_form(client, now + timedelta(hours=71))
    assert response.status_code == 200
    assert "au moins 72 heures à l'avance" in response.content.decode().replace("&#x27;", "'")
    assert MaintenanceWindow.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = schedule_form(client, now + timedelta(hours=73))
    window = MaintenanceWindow.objects.get()
    assert response.status_code == 302
    assert window.emergency is False
    sent = mailbox()
    everyone = [*active, staff]
    for user in everyone:
        assert sum(1 for m in sent if m.to == [user.email]) == 1, user.email
    assert not any(m.to == [inactive.email] for m in sent)
    assert len(sent) == len(everyone)
    assert "heure de Paris" in sent[0].body
    assert AuditEvent.objects.filter(action="maintenance.scheduled").count() == 1
    event = AuditEvent.objects.get(action="maintenance.notified")
    assert event.data["recipients"] == len(everyone)


def test_emergency_needs_a_reason(client, staff, learner):
    """R5.8: under 72 h only as an emergency, and only with a reason."""
    client.force_login(staff)
    soon = timezone.now() + timedelta(hours=1)
    response = schedule_form(client, soon, emergency="on")
    assert "doit être motivée" in response.content.decode()
    assert MaintenanceWindow.objects.count() == 0
    response = schedule_form(
        client, soon, emergency="on", emergency_reason="Faille de sécurité à corriger"
    )
    assert response.status_code == 302
    window = MaintenanceWindow.objects.get()
    assert window.emergency and window.emergency_reason == "Faille de sécurité à corriger"


def test_bad_dates_are_refused_in_french(client, staff):
    client.force_login(staff)
    start = timezone.now() + timedelta(days=5)
    response = schedule_form(client, start, hours=-1)
    assert "La fin doit être après le début." in response.content.decode()
    assert MaintenanceWindow.objects.count() == 0


def test_banner_on_every_page_in_paris_time(client, staff, learner):
    """R5.8: from scheduling, a banner on every page, with the dates in French (Paris) time:
    21:00 UTC on Tuesday 15 January 2030 is 22:00 in Paris (UTC+1 in winter)."""
    start = datetime(2030, 1, 15, 21, 0, tzinfo=UTC)
    services.schedule(
        by=staff, starts_at=start, ends_at=start + timedelta(hours=3), affected="Quiz et vidéos"
    )
    client.force_login(learner)
    for url in ("/", "/tableau-de-bord/", "/assistance/compatibilite/"):
        page = client.get(url).content.decode()
        assert (
            "Maintenance prévue du mardi 15 janvier 2030 à 22:00 au mercredi 16 janvier 2030 "
            "à 01:00 (heure de Paris)"
        ) in page, url
        assert "Quiz et vidéos" in page
    client.logout()
    assert "mardi 15 janvier 2030 à 22:00" in client.get("/").content.decode()


def test_during_the_window_learners_get_503_staff_do_not(client, learner, staff):
    """R5.8: a window stored directly in the database (no service, no cache invalidation) puts
    the site in maintenance: 503 + Retry-After for learners and visitors, not for staff."""
    now = timezone.now()
    store_window(now - timedelta(minutes=1), now + timedelta(hours=1))
    client.force_login(learner)
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 503
    assert 3500 <= int(response["Retry-After"]) <= 3600
    page = response.content.decode()
    assert 'lang="fr"' in page and 'lang="en"' in page
    assert "Maintenance en cours" in page
    assert "Mise à jour du serveur" in page
    assert client.post("/assistance/signaler/", {"summary": "x"}).status_code == 503
    client.logout()
    assert client.get("/").status_code == 503
    assert client.get("/healthz").status_code == 200  # the load balancer still sees the app
    assert client.get("/accounts/login/").status_code == 200  # staff can still log in
    client.force_login(staff)
    response = client.get("/maintenance/")
    assert response.status_code == 200
    assert "Maintenance en cours jusqu'au" in response.content.decode().replace("&#x27;", "'")


def test_mode_switches_on_and_off_by_itself_on_a_second_process(client, learner, staff):
    """R5.8: the mode follows the stored times. The first request caches the stored *times*;
    when the clock passes the start, this client and a brand-new one (a fresh WSGI handler,
    as in another process) both get 503 with no call to any service; after the end, 200."""
    now = timezone.now()
    store_window(now + timedelta(hours=1), now + timedelta(hours=2))
    client.force_login(learner)
    assert client.get("/tableau-de-bord/").status_code == 200
    second = Client()
    second.force_login(learner)
    staff_client = Client()
    staff_client.force_login(staff)
    with at(now + timedelta(hours=1, minutes=1)):
        assert client.get("/tableau-de-bord/").status_code == 503
        response = second.get("/tableau-de-bord/")
        assert response.status_code == 503
        assert 3500 <= int(response["Retry-After"]) <= 3540
        assert staff_client.get("/maintenance/").status_code == 200
    with at(now + timedelta(hours=2, seconds=1)):
        assert client.get("/tableau-de-bord/").status_code == 200
        assert second.get("/tableau-de-bord/").status_code == 200


def test_staff_end_early_records_actual_times_and_extends_deadlines(client, learner, staff):
    """R5.8: staff end the window early; actual start/end are recorded and audited, the
    outage_ended signal is sent once with them, and learners are back at once."""
    now = timezone.now()
    window = store_window(now - timedelta(minutes=30), now + timedelta(hours=1))
    received = []

    def receiver(sender, window, start, end, duration, **kwargs):
        received.append((window.pk, start, end, duration))

    outage_ended.connect(receiver)
    try:
        learner_client = Client()
        learner_client.force_login(learner)
        assert learner_client.get("/tableau-de-bord/").status_code == 503
        client.force_login(staff)
        client.post(f"/maintenance/{window.pk}/terminer/")
        client.post(f"/maintenance/{window.pk}/terminer/")  # a second click changes nothing
    finally:
        outage_ended.disconnect(receiver)
    window.refresh_from_db()
    assert window.actual_start == window.starts_at
    assert now <= window.actual_end <= timezone.now()
    assert window.ended_by == staff
    assert len(received) == 1
    assert received[0][0] == window.pk
    assert received[0][3] == window.actual_end - window.actual_start
    assert learner_client.get("/tableau-de-bord/").status_code == 200
    assert AuditEvent.objects.filter(action="maintenance.ended", actor=staff).count() == 1


def test_tick_records_the_stored_times_and_signals_once(staff):
    """R5.8: the periodic job records the actual start and end from the stored times."""
    now = timezone.now()
    window = services.schedule(
        by=staff,
        starts_at=now + timedelta(hours=73),
        ends_at=now + timedelta(hours=75),
        affected="Base de données",
    )
    received = []
    outage_ended.connect(receiver := lambda sender, **kw: received.append(kw))
    try:
        services.tick(now + timedelta(hours=74))
        window.refresh_from_db()
        assert window.actual_start == window.starts_at and window.actual_end is None
        services.tick(now + timedelta(hours=76))
        services.tick(now + timedelta(hours=77))
    finally:
        outage_ended.disconnect(receiver)
    window.refresh_from_db()
    assert window.actual_end == window.ends_at
    assert len(received) == 1
    assert received[0]["duration"] == timedelta(hours=2)


def test_change_and_cancel_are_notified(
    client, staff, learner, mailbox, django_capture_on_commit_callbacks
):
    """R5.8: changes and cancellations are notified to every active user."""
    now = timezone.now()
    window = services.schedule(
        by=staff,
        starts_at=now + timedelta(days=5),
        ends_at=now + timedelta(days=5, hours=2),
        affected="Tout",
    )
    mailbox().clear()
    client.force_login(staff)
    new_start = now + timedelta(days=6)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/maintenance/{window.pk}/",
            {
                "starts_at": local_input(new_start),
                "ends_at": local_input(new_start + timedelta(hours=1)),
                "affected": "Tout",
                "emergency_reason": "",
            },
        )
    window.refresh_from_db()
    assert window.starts_at.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M") == local_input(new_start)
    changed = [m for m in mailbox() if m.to == [learner.email]]
    assert len(changed) == 1 and "modifiée" in changed[0].subject
    mailbox().clear()
    # Moving it to 10 hours from now is refused (notice), and nothing changes.
    too_soon = now + timedelta(hours=10)
    response = client.post(
        f"/maintenance/{window.pk}/",
        {
            "starts_at": local_input(too_soon),
            "ends_at": local_input(too_soon + timedelta(hours=1)),
            "affected": "Tout",
            "emergency_reason": "",
        },
    )
    assert "72 heures" in response.content.decode()
    window.refresh_from_db()
    assert window.starts_at > now + timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/maintenance/{window.pk}/annuler/")
    window.refresh_from_db()
    assert window.cancelled_at is not None
    cancelled = [m for m in mailbox() if m.to == [learner.email]]
    assert len(cancelled) == 1 and "annulée" in cancelled[0].subject
    client.force_login(learner)
    assert "Maintenance prévue" not in client.get("/").content.decode()


def test_a_running_window_cannot_be_cancelled_only_ended(staff):
    now = timezone.now()
    window = store_window(now - timedelta(minutes=5), now + timedelta(hours=1))
    with pytest.raises(ValidationError):
        services.cancel(window.pk, by=staff)
    window.refresh_from_db()
    assert window.cancelled_at is None


def test_learners_cannot_manage_maintenance(client, learner):
    """R5.8: only staff schedule or end windows; the second user is refused."""
    now = timezone.now()
    window = store_window(now - timedelta(minutes=5), now + timedelta(hours=1))
    client.force_login(learner)
    # During the window the learner only ever sees the maintenance page.
    assert client.post(f"/maintenance/{window.pk}/terminer/").status_code == 503
    with at(now + timedelta(hours=2)):
        assert client.get("/maintenance/").status_code == 403
        assert client.post(f"/maintenance/{window.pk}/terminer/").status_code == 403
    window.refresh_from_db()
    assert window.actual_end is None


def test_monthly_downtime_report(client, staff):
    """R5.8: monthly downtime from the recorded actual start and end."""
    start = datetime(2030, 1, 15, 21, 0, tzinfo=UTC)
    ended = store_window(
        start,
        start + timedelta(hours=2),
        actual_start=start,
        actual_end=start + timedelta(minutes=30),
    )
    store_window(
        datetime(2030, 1, 20, 21, 0, tzinfo=UTC),
        datetime(2030, 1, 20, 22, 0, tzinfo=UTC),
        emergency=True,
        emergency_reason="Panne",
    )  # not recorded: 60 min
    store_window(
        datetime(2030, 1, 25, 21, 0, tzinfo=UTC),
        datetime(2030, 1, 25, 23, 0, tzinfo=UTC),
        cancelled_at=start,
    )
    assert ended.pk
    with at(datetime(2030, 2, 10, tzinfo=UTC)):
        rows = services.monthly_downtime()
        client.force_login(staff)
        page = client.get("/maintenance/rapport/").content.decode()
    january = next(row for row in rows if row["month"] == "2030-01")
    assert january["windows"] == 2 and january["emergencies"] == 1
    assert january["planned_minutes"] == 180
    assert january["downtime_minutes"] == 90
    # 90 minutes out of 31 days × 1440 minutes.
    assert january["availability"] == round(100 * (1 - 90 / (31 * 1440)), 3)
    assert 'data-month="2030-01"' in page


def test_public_upcoming_page(client, staff):
    start = datetime(2030, 7, 2, 20, 0, tzinfo=UTC)  # 22:00 in Paris (UTC+2 in summer)
    services.schedule(
        by=staff, starts_at=start, ends_at=start + timedelta(hours=1), affected="Messagerie"
    )
    page = client.get("/maintenance/a-venir/").content.decode()
    assert "mardi 2 juillet 2030 à 22:00" in page


def test_notice_is_sent_once_to_everyone_even_if_the_job_stops_half_way(users, staff, mailbox):
    """R5.8: the notice goes out in batches that commit with their bookmark; a job that dies
    half-way and runs again (or the every-minute tick) sends each active user exactly one."""
    from ilmis.maintenance.models import MaintenanceNotice

    active, inactive = users
    now = timezone.now()
    window = services.schedule(
        by=staff,
        starts_at=now + timedelta(days=4),
        ends_at=now + timedelta(days=4, hours=1),
        affected="Tout",
    )
    notice = MaintenanceNotice.objects.get(window=window)
    real_enqueue = services.enqueue
    calls = []

    def flaky(message):
        calls.append(message)
        if len(calls) == 3:
            raise ConnectionError("database went away")
        return real_enqueue(message)

    with mock.patch("ilmis.maintenance.services.enqueue", flaky), pytest.raises(ConnectionError):
        services.send_notice(notice.pk, batch_size=2)
    notice.refresh_from_db()
    assert notice.recipients == 2 and notice.completed_at is None
    assert OutgoingEmail.objects.count() == 2  # the failed batch left nothing behind
    services.tick(now + timedelta(minutes=2))  # the safety net finishes it
    services.send_notice(notice.pk)  # and a late retry of the job does nothing
    notice.refresh_from_db()
    assert notice.completed_at is not None
    sent = mailbox()
    for user in [*active, staff]:
        assert sum(1 for m in sent if m.to == [user.email]) == 1, user.email
    assert not any(m.to == [inactive.email] for m in sent)
