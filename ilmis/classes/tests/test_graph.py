"""R10.1: Teams meetings through Microsoft Graph, against a local server playing Graph.

The server speaks HTTPS with a self-signed certificate (msal accepts only https authorities):
msal really fetches the OpenID configuration and posts the client-credentials grant to it.
"""

import json

import pytest
from django.urls import reverse

from ilmis.audit.models import AuditEvent
from ilmis.classes import graph, services
from ilmis.classes.models import LiveClass, TeamsAttendance
from ilmis.notifications.models import OutgoingEmail

from . import fake_graph
from .conftest import paris

pytestmark = pytest.mark.django_db


def schedule(session, trainer, day, **overrides):
    fields = {
        "session": session,
        "title": "Tableaux croisés dynamiques",
        "start": paris(day, 10),
        "end": paris(day, 12),
        "trainer": trainer,
        "by": trainer,
    }
    return services.schedule(**(fields | overrides))


def form_data(session, trainer, day, **overrides):
    return {
        "session": session.pk,
        "title": "Tableaux croisés dynamiques",
        "day": day.isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "trainer": trainer.pk,
        **overrides,
    }


def test_msal_token_and_meeting_creation_follow_graph_shapes(
    graph_server, session, trainer, enrolled, tomorrow
):
    """R10.1: msal discovers the tenant, gets an app token (client credentials, .default scope),
    and the meeting is created with subject and UTC times; its id and join URL are stored."""
    live_class = schedule(session, trainer, tomorrow)

    discovery = graph_server.calls("GET", "/.well-known/openid-configuration")
    assert discovery and discovery[0]["path"] == (
        f"/{fake_graph.TENANT}/v2.0/.well-known/openid-configuration"
    )
    token = graph_server.calls("POST", "/oauth2/v2.0/token")[0]
    assert token["form"]["grant_type"] == "client_credentials"
    assert token["form"]["scope"] == "https://graph.microsoft.com/.default"
    assert token["form"]["client_id"] == fake_graph.CLIENT_ID
    create = graph_server.calls("POST", "/onlineMeetings")[0]
    assert create["path"] == (f"/v1.0/users/{fake_graph.ORGANIZER}/onlineMeetings/createOrGet")
    assert create["headers"]["Authorization"].startswith("Bearer jeton-")
    body = json.loads(create["body"])
    assert body["subject"] == "Tableaux croisés dynamiques"
    assert body["startDateTime"] == paris(tomorrow, 10).astimezone(
        __import__("datetime").UTC
    ).isoformat().replace("+00:00", "Z")
    assert body["externalId"] == str(live_class.uid)

    meeting = graph_server.meetings[live_class.graph_meeting_id]
    assert live_class.provider == LiveClass.Provider.GRAPH
    assert live_class.join_url == meeting["joinWebUrl"]
    assert live_class.graph_organizer == fake_graph.ORGANIZER


def test_token_is_cached_between_calls(graph_server, session, trainer, tomorrow):
    """The msal application keeps its token: a second call does not ask for a new one."""
    schedule(session, trainer, tomorrow)
    schedule(session, trainer, tomorrow, title="Deuxième classe")
    assert len(graph_server.calls("POST", "/oauth2/v2.0/token")) == 1
    assert len(graph_server.meetings) == 2


def test_429_with_retry_after_is_honoured_then_succeeds(graph_server, session, trainer, tomorrow):
    """R10.1: throttled (429 + Retry-After: 7) then created; the wait asked for is honoured."""
    graph_server.plan(
        "POST",
        "/onlineMeetings",
        (429, {"Retry-After": "7"}, {"error": {"code": "TooManyRequests"}}),
    )
    live_class = schedule(session, trainer, tomorrow)
    assert graph_server.waits == [7.0]
    assert len(graph_server.calls("POST", "/onlineMeetings")) == 2
    assert live_class.graph_meeting_id in graph_server.meetings


def test_retry_after_is_bounded(graph_server, settings, session, trainer, tomorrow):
    settings.ILMIS_GRAPH_MAX_RETRY_AFTER = 5
    graph_server.plan("POST", "/onlineMeetings", (429, {"Retry-After": "3600"}, None))
    schedule(session, trainer, tomorrow)
    assert graph_server.waits == [5]


def test_500_then_success(graph_server, session, trainer, tomorrow):
    graph_server.plan(
        "POST", "/onlineMeetings", (503, {}, {"error": {"code": "ServiceUnavailable"}})
    )
    live_class = schedule(session, trainer, tomorrow)
    assert LiveClass.objects.filter(pk=live_class.pk).exists()
    assert len(graph_server.waits) == 1


def test_persistent_5xx_is_reported_and_nothing_saved(
    graph_server, client, session, trainer, enrolled, tomorrow
):
    """R10.1: after the bounded retries the form says why; no class, no email, no audit."""
    graph_server.plan("POST", "/onlineMeetings", *[(500, {}, {"error": {"code": "x"}})] * 3)
    client.force_login(trainer)
    response = client.post(reverse("classes:schedule"), form_data(session, trainer, tomorrow))
    assert response.status_code == 200
    assert "Microsoft Graph est indisponible" in response.content.decode()
    assert "3 tentatives" in response.content.decode()
    assert LiveClass.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0
    assert not AuditEvent.objects.filter(action="classes.scheduled").exists()


def test_401_from_graph_is_reported_in_french(graph_server, client, session, trainer, tomorrow):
    graph_server.plan(
        "POST",
        "/onlineMeetings",
        (
            401,
            {},
            {
                "error": {
                    "code": "InvalidAuthenticationToken",
                    "message": "Access token has expired.",
                }
            },
        ),
    )
    client.force_login(trainer)
    response = client.post(reverse("classes:schedule"), form_data(session, trainer, tomorrow))
    page = response.content.decode()
    assert "refusé l&#x27;authentification (401)" in page
    assert LiveClass.objects.count() == 0
    assert len(graph_server.calls("POST", "/onlineMeetings")) == 1  # not retried


def test_403_names_the_missing_permission(graph_server, session, trainer, tomorrow):
    graph_server.plan(
        "POST",
        "/onlineMeetings",
        (403, {}, {"error": {"code": "Forbidden", "message": "No application access policy."}}),
    )
    with pytest.raises(graph.GraphError) as error:
        schedule(session, trainer, tomorrow)
    assert "OnlineMeetings.ReadWrite.All" in str(error.value)
    assert error.value.status == 403
    assert LiveClass.objects.count() == 0


def test_token_refused_wrong_secret(graph_server, settings, client, session, trainer, tomorrow):
    """A wrong client secret: the token endpoint answers 401 invalid_client; the form says so."""
    settings.ILMIS_GRAPH_CLIENT_SECRET = "mauvais-secret"
    client.force_login(trainer)
    response = client.post(reverse("classes:schedule"), form_data(session, trainer, tomorrow))
    assert "refusé les identifiants de l&#x27;application (invalid_client)" in (
        response.content.decode()
    )
    assert not graph_server.calls("POST", "/onlineMeetings")
    assert LiveClass.objects.count() == 0


def test_timeout_retried_then_reported(graph_server, session, trainer, tomorrow):
    graph_server.plan("POST", "/onlineMeetings", "timeout", "timeout", "timeout")
    with pytest.raises(graph.GraphError) as error:
        schedule(session, trainer, tomorrow)
    assert "ne répond pas (3 tentatives)" in str(error.value)
    assert graph_server.waits == [1, 2]
    assert LiveClass.objects.count() == 0


def test_timeout_then_success_creates_one_meeting(graph_server, session, trainer, tomorrow):
    """A timed-out create may have reached Graph; createOrGet with the class's externalId
    returns that same meeting on the retry instead of a second one."""
    graph_server.timeout_seconds = 0.8
    graph_server.plan("POST", "/onlineMeetings", "timeout")
    live_class = schedule(session, trainer, tomorrow)
    assert len(graph_server.calls("POST", "/onlineMeetings")) == 2
    assert list(graph_server.meetings) == [live_class.graph_meeting_id]


def test_failed_save_deletes_the_remote_meeting(
    graph_server, monkeypatch, session, trainer, enrolled, tomorrow
):
    """Never half-made: the meeting exists remotely, the save fails, the meeting is deleted."""

    def broken(*args, **kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(services, "_invite", broken)
    with pytest.raises(RuntimeError):
        schedule(session, trainer, tomorrow)
    assert LiveClass.objects.count() == 0
    assert graph_server.meetings == {}
    assert len(graph_server.calls("DELETE", "/onlineMeetings/")) == 1


def test_update_patches_and_cancel_deletes(graph_server, session, trainer, enrolled, tomorrow):
    live_class = schedule(session, trainer, tomorrow)
    meeting_id = live_class.graph_meeting_id
    live_class, changes = services.update(
        live_class,
        title="TCD — suite",
        start=paris(tomorrow, 14),
        end=paris(tomorrow, 16),
        trainer=trainer,
        by=trainer,
    )
    patch = graph_server.calls("PATCH", f"/onlineMeetings/{meeting_id}")[0]
    body = json.loads(patch["body"])
    assert body["subject"] == "TCD — suite"
    assert body["startDateTime"].startswith(
        paris(tomorrow, 14).astimezone(__import__("datetime").UTC).strftime("%Y-%m-%dT%H:%M")
    )
    assert graph_server.meetings[meeting_id]["subject"] == "TCD — suite"
    assert live_class.sequence == 1

    services.cancel(live_class, by=trainer, reason="Formateur malade")
    assert meeting_id not in graph_server.meetings
    live_class.refresh_from_db()
    assert live_class.is_cancelled and live_class.sequence == 2


def test_failed_patch_changes_nothing(graph_server, session, trainer, tomorrow):
    live_class = schedule(session, trainer, tomorrow)
    graph_server.plan("PATCH", "/onlineMeetings/", (403, {}, {"error": {"code": "Forbidden"}}))
    with pytest.raises(graph.GraphError):
        services.update(
            live_class,
            title="Autre",
            start=live_class.start,
            end=live_class.end,
            trainer=trainer,
            by=trainer,
        )
    live_class.refresh_from_db()
    assert live_class.title == "Tableaux croisés dynamiques" and live_class.sequence == 0


def test_cancel_when_meeting_already_gone(graph_server, session, trainer, tomorrow):
    """A meeting deleted in Teams (404) still lets the class be cancelled: cancelling is safe
    to repeat after a failure."""
    live_class = schedule(session, trainer, tomorrow)
    graph_server.meetings.clear()
    services.cancel(live_class, by=trainer)
    assert LiveClass.objects.get(pk=live_class.pk).is_cancelled


def test_cancel_graph_failure_keeps_class(graph_server, client, session, trainer, tomorrow):
    live_class = schedule(session, trainer, tomorrow)
    graph_server.plan("DELETE", "/onlineMeetings/", *[(502, {}, None)] * 3)
    client.force_login(trainer)
    response = client.post(reverse("classes:cancel", args=[live_class.pk]), {"reason": ""})
    assert "Microsoft Graph est indisponible" in response.content.decode()
    assert not LiveClass.objects.get(pk=live_class.pk).is_cancelled


def test_attendance_report_imported(
    graph_server, client, session, trainer, enrolled, outsider, tomorrow
):
    """R10.2: the Teams attendance report is fetched (reports, then records) and shown beside
    the sheet, matched to the session's learners by email."""
    live_class = schedule(session, trainer, tomorrow)
    graph_server.attendance[live_class.graph_meeting_id] = [
        fake_graph.attendance_record(
            enrolled.email.upper(),
            "Léa Moreau",
            3540,
            "2026-12-01T09:01:27.6027225Z",
            "2026-12-01T10:00:27.1234567Z",
        ),
        fake_graph.attendance_record(
            "invite@autre.example",
            "Invité externe",
            600,
            "2026-12-01T09:10:00Z",
            "2026-12-01T09:20:00Z",
        ),
    ]
    client.force_login(trainer)
    response = client.post(reverse("classes:import_teams", args=[live_class.pk]))
    assert response.status_code == 302
    lines = {line.email.lower(): line for line in TeamsAttendance.objects.all()}
    assert lines[enrolled.email.lower()].learner == enrolled
    assert lines[enrolled.email.lower()].total_seconds == 3540
    assert lines[enrolled.email.lower()].first_join.minute == 1
    assert lines["invite@autre.example"].learner is None
    assert graph_server.calls("GET", "/attendanceReports/rapport-")
    page = client.get(reverse("classes:attendance", args=[live_class.pk])).content.decode()
    assert "Invité externe" in page and "59" in page

    client.force_login(outsider)
    response = client.post(reverse("classes:import_teams", args=[live_class.pk]))
    assert response.status_code == 403


def test_not_configured_without_organizer(settings):
    settings.ILMIS_GRAPH_TENANT_ID = "t"
    settings.ILMIS_GRAPH_CLIENT_ID = "c"
    settings.ILMIS_GRAPH_CLIENT_SECRET = "s"
    assert graph.config() is None
    settings.ILMIS_GRAPH_ORGANIZER = "org@x"
    assert graph.config().authority == "https://login.microsoftonline.com/t"


def test_environment_configures_graph(monkeypatch):
    monkeypatch.setenv("ILMIS_GRAPH_TENANT_ID", "t")
    monkeypatch.setenv("ILMIS_GRAPH_CLIENT_ID", "c")
    monkeypatch.setenv("ILMIS_GRAPH_CERTIFICATE_PATH", "/nonexistent.pem")
    monkeypatch.setenv("ILMIS_GRAPH_CERTIFICATE_THUMBPRINT", "AB12")
    monkeypatch.setenv("ILMIS_GRAPH_ORGANIZER", "org@x")
    cfg = graph.config()
    assert cfg is not None and cfg.base_url == "https://graph.microsoft.com/v1.0"
    with pytest.raises(graph.GraphError) as error:
        graph.acquire_token(cfg)
    assert "certificat" in str(error.value)


def test_certificate_credential(graph_server, settings, tmp_path, session, trainer, tomorrow):
    """A certificate instead of a secret: msal signs a client assertion whose header carries the
    certificate's thumbprint (x5t); the token endpoint accepts it."""
    import base64

    path, thumbprint = fake_graph.client_certificate(tmp_path)
    settings.ILMIS_GRAPH_CLIENT_SECRET = ""
    settings.ILMIS_GRAPH_CERTIFICATE_PATH = str(path)
    settings.ILMIS_GRAPH_CERTIFICATE_THUMBPRINT = thumbprint
    graph_server.thumbprint_b64 = (
        base64.urlsafe_b64encode(bytes.fromhex(thumbprint)).decode().rstrip("=")
    )
    live_class = schedule(session, trainer, tomorrow)
    token = graph_server.calls("POST", "/oauth2/v2.0/token")[0]
    assert "client_secret" not in token["form"] and token["form"]["client_assertion"]
    assert live_class.graph_meeting_id in graph_server.meetings


def test_schedule_form_with_graph_needs_no_link(
    graph_server, client, staff, session, trainer, enrolled, tomorrow, mailbox
):
    """R10.1: with Graph configured the form has no link field; the meeting's join URL is the
    one Graph returned, and it is in the learners' invitations."""
    client.force_login(staff)
    page = client.get(reverse("classes:schedule")).content.decode()
    assert 'name="join_url"' not in page
    response = client.post(reverse("classes:schedule"), form_data(session, trainer, tomorrow))
    assert response.status_code == 302
    live_class = LiveClass.objects.get()
    assert live_class.join_url.startswith("https://teams.microsoft.com/l/meetup-join/")
    assert any(live_class.join_url in m.body for m in mailbox() if enrolled.email in m.to)


def test_failed_local_update_restores_the_remote_meeting(
    graph_server, monkeypatch, session, trainer, tomorrow
):
    """Never half-changed: PATCH went through, the save failed, the old values are PATCHed back."""
    live_class = schedule(session, trainer, tomorrow)

    def broken(*args, **kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(services, "_invite", broken)
    with pytest.raises(RuntimeError):
        services.update(
            live_class,
            title="Nouveau",
            start=paris(tomorrow, 14),
            end=paris(tomorrow, 15),
            trainer=trainer,
            by=trainer,
        )
    meeting = graph_server.meetings[live_class.graph_meeting_id]
    assert meeting["subject"] == "Tableaux croisés dynamiques"
    assert len(graph_server.calls("PATCH", "/onlineMeetings/")) == 2
    live_class.refresh_from_db()
    assert live_class.title == "Tableaux croisés dynamiques" and live_class.sequence == 0
