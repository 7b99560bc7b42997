"""Every tracking page renders for the roles that use it, and the session jobs (R11.4, R11.6)."""

import io
import zipfile

from django.urls import reverse

from ilmis.tracking import services
from ilmis.tracking.models import Job, SessionTutor


def test_staff_pages_render(client, staff, alice, enrolment, session, tutored, trainer):
    services.write_to_tutor(alice, session.programme, "Bonjour")
    client.force_login(staff)
    for url in [
        reverse("tracking:home"),
        reverse("tracking:learner", args=[alice.pk]),
        reverse("tracking:sessions"),
        reverse("tracking:session", args=[session.pk]),
        reverse("tracking:templates"),
        reverse("tracking:template_edit", args=["realisation"]),
        reverse("tracking:template_edit", args=["attestation"]),
        reverse("tracking:threads"),
        reverse("tracking:response_times"),
        reverse("tracking:quality"),
        reverse("tracking:alerts") + "?tous=1",
        reverse("tracking:accessibility_register"),
        reverse("tracking:outcome", args=[enrolment.pk]),
        reverse("core:dashboard"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_learner_pages_render(client, alice, enrolment, session):
    client.force_login(alice)
    for url in [
        reverse("tracking:home"),
        reverse("tracking:threads"),
        reverse("tracking:write_programme", args=[session.programme.slug]),
        reverse("tracking:surveys"),
        reverse("tracking:accessibility"),
        reverse("core:dashboard"),
    ]:
        assert client.get(url).status_code == 200, url
    for url in [
        reverse("tracking:sessions"),
        reverse("tracking:session", args=[session.pk]),
        reverse("tracking:templates"),
        reverse("tracking:quality"),
        reverse("tracking:alerts"),
    ]:
        assert client.get(url).status_code == 403, url


def test_staff_assign_tutors(client, staff, session, trainer, make_user):
    client.force_login(staff)
    learner = make_user(role="learner")
    url = reverse("tracking:session", args=[session.pk])
    client.post(url, {"action": "tutors", "trainers": [learner.pk]})  # not a trainer: refused
    assert not SessionTutor.objects.exists()
    client.post(url, {"action": "tutors", "trainers": [trainer.pk]})
    assert list(SessionTutor.objects.values_list("trainer_id", flat=True)) == [trainer.pk]


def test_tutor_sees_session_but_cannot_start_jobs(client, trainer, tutored):
    client.force_login(trainer)
    url = reverse("tracking:session", args=[tutored.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "evidence"}).status_code == 403
    assert not Job.objects.exists()


def test_session_evidence_job(client, staff, session, alice, django_capture_on_commit_callbacks):
    """R11.4: the whole session's evidence files as a zip (CSV and PDF per learner)."""
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tracking:session", args=[session.pk]), {"action": "evidence"}
        )
    job = Job.objects.get()
    page = client.get(response.url).content.decode()
    assert reverse("tracking:job_download", args=[job.pk]) in page
    download = client.get(reverse("tracking:job_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = sorted(archive.namelist())
    assert [n.rsplit(".", 1)[1] for n in names] == ["csv", "pdf"]
    assert "Alice Martin" in archive.read(names[0]).decode("utf-8-sig")
    client.force_login(alice)
    assert client.get(reverse("tracking:job_download", args=[job.pk])).status_code == 403


def test_demo_assigns_a_tutor_once(trainer, enrolment, session):
    from ilmis.tracking import demo

    demo.load_demo()
    demo.load_demo()
    assert list(SessionTutor.objects.values_list("session_id", "trainer_id")) == [
        (session.pk, trainer.pk)
    ]
