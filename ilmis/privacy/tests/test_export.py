"""R7.2 access and portability: the archive, its progress, its link, and nobody else's data."""

import io
import json
import time
import zipfile
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from ilmis.audit.services import record
from ilmis.core.testing import ClientFactory
from ilmis.enrolment.testing import make_session
from ilmis.privacy import registry, services
from ilmis.privacy.models import DataExport

from .helpers import make_preregistration, populate


def start_and_build(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:export_start"))
    assert response.status_code == 302
    return DataExport.objects.latest("id"), response


def read_zip(client, export):
    status = client.get(reverse("privacy:export_status", args=[export.pk]) + "?format=json")
    url = status.json()["url"]
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.django_db
def test_learner_downloads_every_kind_of_record(
    client, learner, django_capture_on_commit_callbacks
):
    """R7.2: a background job builds a zip with JSON and CSV for every declared kind of record,
    the person's own files, and a manifest; progress is shown until the link appears."""
    populate(learner)
    client.force_login(learner)
    export, response = start_and_build(client, django_capture_on_commit_callbacks)
    assert response.url == reverse("privacy:export_status", args=[export.pk])
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    page = client.get(response.url)
    assert b'id="export-progress"' in page.content and b"100" in page.content
    archive = read_zip(client, export)
    names = set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    declared = {d.model for d in registry.declarations()}
    assert {kind["model"] for kind in manifest["kinds"]} == declared
    for declaration in registry.declarations():
        stem = f"donnees/{declaration.model.lower()}"
        assert f"{stem}.json" in names and f"{stem}.csv" in names
    counts = {kind["model"]: kind["count"] for kind in manifest["kinds"]}
    for model in [
        "accounts.User",
        "enrolment.PreRegistration",
        "enrolment.Signature",
        "enrolment.Agreement",
        "enrolment.Enrolment",
        "legal.TermsAcceptance",
        "audit.AuditEvent",
        "notifications.OutgoingEmail",
        "support.Incident",
        "support.Complaint",
        "usersessions.UserSession",
        "accounts.FraudReport",
    ]:
        assert counts[model] >= 1, model
    identity = json.loads(archive.read("donnees/accounts.user.json"))
    assert identity[0]["email"] == learner.email
    assert "password" not in identity[0]
    csv_text = archive.read("donnees/accounts.user.csv").decode("utf-8-sig")
    assert learner.email in csv_text
    # Their own files: the agreement PDF and the incident screenshot.
    files = [n for n in names if n.startswith("fichiers/")]
    assert any("enrolment.agreement" in n for n in files)
    assert any("support.incident" in n for n in files)
    assert "LISEZMOI.txt" in names
    assert "Vos données personnelles" in archive.read("LISEZMOI.txt").decode()


@pytest.mark.django_db
def test_export_holds_nothing_of_anyone_else(
    client, make_user, manager, company, staff, django_capture_on_commit_callbacks
):
    """R7.2 isolation: two learners of the same company, sharing a session, a company
    pre-registration and audit events; one's archive holds nothing of the other, the manager
    or staff."""
    one = make_user(role="learner", client=company, first_name="Aline", last_name="Premiere")
    other = make_user(role="learner", client=company, first_name="Bruno", last_name="Second")
    session = make_session()
    populate(one, session=session, ip="198.51.100.1")
    populate(other, session=session, ip="198.51.100.2")
    # A company pre-registration signed by the manager, naming both learners.
    from ilmis.enrolment.models import Trainee

    prereg = make_preregistration(manager, session, kind="company", company=company)
    Trainee.objects.create(
        preregistration=prereg, first_name="Aline", last_name="Premiere", email=one.email, user=one
    )
    Trainee.objects.create(
        preregistration=prereg,
        first_name="Bruno",
        last_name="Second",
        email=other.email,
        user=other,
    )
    # Events that involve both: the manager acts on each, staff act on both.
    record("account.invited", one, actor=manager, email=one.email)
    record("account.invited", other, actor=manager, email=other.email)
    record("support.note", other, actor=staff, note=f"a parlé à {one.first_name}")
    from ilmis.audit.models import AuditEvent

    AuditEvent.objects.filter(actor=manager).update(ip="192.0.2.99")
    client.force_login(one)
    export, _ = start_and_build(client, django_capture_on_commit_callbacks)
    archive = read_zip(client, export)
    blob = "\n".join(
        archive.read(name).decode("utf-8", "replace")
        for name in archive.namelist()
        if not name.startswith("fichiers/")
    ).lower()
    assert one.email.lower() in blob
    for foreign in [
        other.email,
        "Bruno",
        "Second",
        "198.51.100.2",
        manager.email,
        manager.last_name,
        staff.email,
        staff.last_name,
        "192.0.2.99",
        company.email,
    ]:
        assert foreign.lower() not in blob, foreign
    trainees = json.loads(archive.read("donnees/enrolment.trainee.json"))
    assert {t["email"] for t in trainees} == {one.email}


@pytest.mark.django_db
def test_link_refused_to_another_user_and_after_expiry(
    client, learner, make_user, monkeypatch, django_capture_on_commit_callbacks
):
    """R7.2 bad input: an export link used by someone else, or after it expired, is refused;
    another user cannot even see the export's progress page."""
    client.force_login(learner)
    export, _ = start_and_build(client, django_capture_on_commit_callbacks)
    url = services.download_url(export)
    assert client.get(url).status_code == 200

    intruder = make_user(role="learner")
    client.force_login(intruder)
    response = client.get(url)
    assert response.status_code == 403
    assert "autre personne" in response.content.decode()
    assert client.get(reverse("privacy:export_status", args=[export.pk])).status_code == 404

    client.force_login(learner)
    later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(url)
    assert response.status_code == 403
    assert "expiré" in response.content.decode()
    monkeypatch.undo()
    # The stored date counts too (a link signed later cannot revive an old archive).
    DataExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert client.get(services.download_url(export)).status_code == 403
    assert client.get("/donnees-personnelles/archive/telecharger/pas-un-jeton/").status_code == 403


@pytest.mark.django_db
def test_expiry_is_configuration(settings, learner):
    """R7.2: the link's life is a setting (7 days by default)."""
    export = DataExport.objects.create(user=learner)
    assert export.expires_at - export.created_at == timedelta(days=7)
    settings.ILMIS_PRIVACY_EXPORT_DAYS = 2
    assert export.expires_at - export.created_at == timedelta(days=2)


@pytest.mark.django_db
def test_export_ready_email_and_one_at_a_time(
    client, learner, mailbox, django_capture_on_commit_callbacks
):
    """R7.2: the person is told by email when the archive is ready; asking twice while it is
    being prepared does not start a second one."""
    first = services.start_export(learner)
    again = services.start_export(learner)
    assert first.pk == again.pk
    with django_capture_on_commit_callbacks(execute=True):
        pass
    from ilmis.privacy.tasks import build_export_task

    build_export_task(first.pk)
    sent = mailbox()
    assert any(learner.email in m.to and "/archive/telecharger/" in m.body for m in sent)


@pytest.mark.django_db
def test_export_page_requires_login(client):
    """R7.2: anonymous visitors are sent to the login page."""
    response = client.post(reverse("privacy:export_start"))
    assert response.status_code == 302 and "login" in response.url
    assert DataExport.objects.count() == 0


@pytest.mark.django_db
def test_export_query_count_is_constant(learner, django_assert_max_num_queries):
    """The archive reads each kind of record in a bounded number of queries (not per row)."""
    from ilmis.privacy import exporting

    populate(learner)
    with django_assert_max_num_queries(len(registry.declarations()) * 2 + 10):
        exporting.collect(learner)
    for _ in range(5):
        record("account.profile_updated", learner, actor=learner)
    with django_assert_max_num_queries(len(registry.declarations()) * 2 + 10):
        exporting.collect(learner)


@pytest.mark.django_db
def test_person_client_exported_company_client_not(learner, make_user):
    """R7.2: a natural person's client record is theirs; an employer's is not exported."""
    from ilmis.privacy import exporting

    company = ClientFactory()
    employee = make_user(role="learner", client=company)
    rows = {d.model: rows for d, rows, _ in exporting.collect(learner)}
    assert len(rows["accounts.Client"]) == 1
    rows = {d.model: rows for d, rows, _ in exporting.collect(employee)}
    assert rows["accounts.Client"] == []


@pytest.mark.django_db
def test_failed_build_is_shown_and_no_archive_in_the_archive(client, learner, monkeypatch):
    """R7.2: a failure is shown to the person (who can retry); a new archive never contains the
    previous archives."""
    from ilmis.privacy import exporting

    first = DataExport.objects.create(user=learner)
    exporting.build(first)
    second = exporting.build(DataExport.objects.create(user=learner))
    with zipfile.ZipFile(second.file.open("rb")) as archive:
        assert not [n for n in archive.namelist() if n.endswith(".zip")]
        rows = json.loads(archive.read("donnees/privacy.dataexport.json"))
        assert len(rows) == 2 and all("file" not in row for row in rows)

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(exporting, "write_zip", broken)
    failed = exporting.build(DataExport.objects.create(user=learner))
    assert failed.status == DataExport.Status.FAILED
    client.force_login(learner)
    page = client.get(reverse("privacy:export_status", args=[failed.pk])).content.decode()
    assert "échoué" in page
