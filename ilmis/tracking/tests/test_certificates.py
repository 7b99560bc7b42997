"""Certified hours with partial completion (R11.5); certificates and evidence as PDFs (R11.6,
R11.4), read back with pypdf."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ilmis.learning.services import mark_completed
from ilmis.tracking import documents, services
from ilmis.tracking.models import DocumentTemplate, Job


def text_of(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_certified_hours_from_completed_activities(enrolment, alice, activities):
    """R11.5: hours = announced durations of completed activities (30 + 90 min = 2 h)."""
    mark_completed(alice, activities[0])
    mark_completed(alice, activities[2])
    row = services.progress(enrolment)
    assert row["planned_minutes"] == 180
    assert row["done_minutes"] == 120
    assert str(row["hours"]) == "2.00"
    assert row["rate"] == pytest.approx(66.7)
    assert row["status"] == "in_progress"


def test_announced_durations_are_the_published_ones(enrolment, alice, activities, programme):
    """R11.1, R11.5: editing a duration after publication does not change certified hours."""
    activities[0].duration_minutes = 600
    activities[0].save()
    mark_completed(alice, activities[0])
    assert services.progress(enrolment)["done_minutes"] == 30


def test_partial_completion_when_the_learner_stops(client, staff, enrolment, alice, activities):
    """R11.5: staff record the stop; rate, hours not done and reason follow."""
    mark_completed(alice, activities[1])
    client.force_login(staff)
    url = reverse("tracking:outcome", args=[enrolment.pk])
    response = client.post(url, {"action": "stop", "stop-stopped_at": "", "stop-reason": ""})
    assert response.status_code == 200
    assert services.progress(enrolment)["status"] == "in_progress"  # nothing half-written
    stopped = timezone.localdate() - timedelta(days=2)
    response = client.post(
        url,
        {
            "action": "stop",
            "stop-stopped_at": stopped.isoformat(),
            "stop-reason": "Reprise d'emploi",
        },
    )
    assert response.status_code == 302
    row = services.progress(enrolment)
    assert row["status"] == "partial"
    assert str(row["hours"]) == "1.00"
    assert str(row["hours_not_done"]) == "2.00"
    assert row["rate"] == pytest.approx(33.3)
    assert row["stop_reason"] == "Reprise d'emploi"


def test_only_staff_record_a_stop(client, alice, enrolment):
    client.force_login(alice)
    url = reverse("tracking:outcome", args=[enrolment.pk])
    response = client.post(
        url, {"action": "stop", "stop-stopped_at": "2026-01-01", "stop-reason": "x"}
    )
    assert response.status_code == 403


def test_certificat_de_realisation_pdf(client, alice, enrolment, activities, session):
    """R11.6: the certificate names the learner, the employer, the action, hours and dates."""
    mark_completed(alice, activities[0])
    mark_completed(alice, activities[1])
    services.record_stop(enrolment, stopped_at=timezone.localdate(), reason="Maladie", by=None)
    client.force_login(alice)
    response = client.get(reverse("tracking:certificate", args=[enrolment.pk, "realisation"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(text_of(response.content).split())
    assert "CERTIFICAT DE RÉALISATION" in text
    assert "Alice Martin" in text
    assert alice.client.name in text
    assert "Gestion de projet agile" in text
    assert "action de formation" in text
    assert "1,50 heures" in text
    assert session.start_date.strftime("%d/%m/%Y") in text
    assert timezone.localdate().strftime("%d/%m/%Y") in text
    assert "Camille Martin" in text  # the legal representative (settings.ORGANISATION)
    assert "Maladie" in text


def test_attestation_pdf(client, alice, enrolment, activities, staff):
    """R11.6: objectives, nature, duration, evaluation results."""
    for activity in activities:
        mark_completed(alice, activity)
    services.record_evaluation(enrolment, passed=True, evaluation="Très bonne maîtrise", by=staff)
    client.force_login(alice)
    response = client.get(reverse("tracking:certificate", args=[enrolment.pk, "attestation"]))
    text = " ".join(text_of(response.content).split())
    assert "ATTESTATION DE FIN DE FORMATION" in text
    assert "Piloter un projet." in text
    assert "3,00 heures" in text
    assert "Objectifs atteints" in text and "Très bonne maîtrise" in text


def test_staff_edit_the_template(client, staff, alice, enrolment):
    """R11.6: a new template version is used at once; a broken one is refused."""
    client.force_login(staff)
    url = reverse("tracking:template_edit", args=["realisation"])
    response = client.post(url, {"body": "{% if %}", "note": ""})
    assert response.status_code == 200
    assert "Erreur dans le modèle" in response.content.decode()
    assert DocumentTemplate.objects.filter(kind="realisation").count() == 1
    client.post(url, {"body": "<p>Attestation pour {{ learner.full_name }} : {{ hours }} h</p>"})
    assert DocumentTemplate.objects.filter(kind="realisation").count() == 2
    data = documents.certificate(enrolment, "realisation")
    assert "Attestation pour Alice Martin : 0,00 h" in text_of(data)


def test_the_template_cannot_reach_server_files(staff, enrolment):
    """R8.1: the sandbox has no loaders and the PDF fetches nothing."""
    documents.save_template(
        "realisation", '<img src="file:///etc/passwd"><p>{{ learner.full_name }}</p>', by=staff
    )
    assert "Alice Martin" in text_of(documents.certificate(enrolment, "realisation"))
    with pytest.raises(Exception, match="modèle"):
        documents.save_template("realisation", '{% include "base.html" %}', by=staff)


def test_learner_cannot_download_someone_elses_certificate(client, make_user, enrolment):
    other = make_user(role="learner")
    client.force_login(other)
    response = client.get(reverse("tracking:certificate", args=[enrolment.pk, "realisation"]))
    assert response.status_code == 403


def test_session_certificates_job_builds_a_zip(
    client, staff, session, make_user, activities, django_capture_on_commit_callbacks
):
    """R11.6: whole session as a background job with a progress status, then a zip."""
    from ilmis.enrolment.testing import enrol

    learners = [make_user(role="learner", last_name=f"Nom{i}") for i in range(3)]
    for learner in learners:
        enrol(learner, session)
    mark_completed(learners[0], activities[0])
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tracking:session", args=[session.pk]), {"action": "certificates"}
        )
    job = Job.objects.get()
    assert response.url == reverse("tracking:job", args=[job.pk])
    status = client.get(response.url, headers={"Accept": "application/json"}).json()
    assert status == {"status": "done", "progress": 100, "done": 3, "total": 3}
    download = client.get(reverse("tracking:job_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = sorted(archive.namelist())
    assert len(names) == 6
    first = [n for n in names if n.startswith("nom0") and "realisation" in n][0]
    text = " ".join(text_of(archive.read(first)).split())
    assert learners[0].get_full_name() in text and "0,50 heures" in text
    assert learners[1].get_full_name() not in text


def test_evidence_file_csv_and_pdf(client, staff, alice, enrolment, activities, tutored, trainer):
    """R11.4: identity, enrolment, connections, time, completion, exchanges in CSV and PDF."""
    client.force_login(alice)  # a connection
    mark_completed(alice, activities[0])
    thread_msg = services.write_to_tutor(alice, enrolment.session.programme, "Une question ?")
    services.answer(thread_msg.thread, trainer, "Voici la réponse.")
    client.force_login(staff)
    csv_text = client.get(reverse("tracking:evidence", args=[enrolment.pk, "csv"])).content.decode()
    assert "Alice Martin" in csv_text and "connexion" in csv_text
    assert "Introduction" in csv_text and "Une question ?" in csv_text
    pdf = client.get(reverse("tracking:evidence", args=[enrolment.pk, "pdf"]))
    text = " ".join(text_of(pdf.content).split())
    assert "Dossier de preuve" in text and "Alice Martin" in text
    assert "Voici la réponse." in text and "0,50 h" in text.replace("0.50 h", "0,50 h")
    both = client.get(reverse("tracking:evidence", args=[enrolment.pk, "zip"]))
    names = sorted(zipfile.ZipFile(io.BytesIO(both.content)).namelist())
    assert [n.rsplit(".", 1)[1] for n in names] == ["csv", "pdf"]
    assert client.get(reverse("tracking:evidence", args=[enrolment.pk, "exe"])).status_code == 404


def test_certificate_is_one_page(alice, enrolment):
    """R11.6: the Ministry model fits on one page."""
    data = documents.certificate(enrolment, "realisation")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_session_hours_at_constant_queries(
    session, make_user, activities, django_assert_max_num_queries
):
    """R11.5: certified hours of a whole session in a constant number of queries."""
    from ilmis.enrolment.testing import enrol
    from ilmis.tracking.documents import session_enrolments

    for n in range(12):
        learner = make_user(role="learner")
        enrol(learner, session)
        mark_completed(learner, activities[n % 3])
    with django_assert_max_num_queries(8):
        rows = services.progress_for(list(session_enrolments(session)))
    assert len(rows) == 12 and {str(r["hours"]) for r in rows} == {"0.50", "1.00", "1.50"}
