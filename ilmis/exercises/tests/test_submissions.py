"""R6.4: learners submit text and files, checked by content; every version is kept."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ilmis.exercises import services
from ilmis.exercises.models import Submission, SubmissionFile
from ilmis.learning.models import ActivityCompletion

from .conftest import docx_file, pdf_file

pytestmark = pytest.mark.django_db


def url(exercise):
    return reverse("exercises:exercise", args=[exercise.activity.uuid])


def test_learner_submits_text_and_files_and_both_sides_are_told(
    client, alice, exercise, trainer, mailbox
):
    """R6.4: a copy with text and two files; receipt to the learner, notice to the trainer."""
    client.force_login(alice)
    page = client.get(url(exercise))
    assert "Construisez le budget" in page.content.decode()
    response = client.post(
        url(exercise),
        {"text": "Mon budget", "files": [pdf_file(), docx_file()]},
    )
    assert response.status_code == 302
    submission = Submission.objects.get(learner=alice)
    assert submission.version == 1 and submission.text == "Mon budget"
    kinds = sorted(f.content_type for f in submission.files.all())
    assert kinds[0] == "application/pdf" and "wordprocessingml" in kinds[1]
    for item in submission.files.all():
        assert item.original_name in {"copie.pdf", "copie.docx"}
        assert "copie" not in item.file.name  # random stored name
    sent = mailbox()
    recipients = {m.to[0]: m for m in sent}
    assert alice.email in recipients and trainer.email in recipients
    assert "Copie reçue" in recipients[alice.email].subject
    assert reverse("exercises:grade", args=[submission.uuid]) in recipients[trainer.email].body


def test_submission_marks_the_activity_completed_once(client, alice, exercise):
    """R6.4, R11.5: completion on submission (documented in docs/learning.md), idempotent."""
    client.force_login(alice)
    client.post(url(exercise), {"text": "v1"})
    client.post(url(exercise), {"text": "v2"})
    assert ActivityCompletion.objects.filter(user=alice, activity=exercise.activity).count() == 1


def test_resubmission_keeps_every_version(client, alice, exercise):
    """R6.4: the learner may resubmit until the deadline; every version is kept."""
    client.force_login(alice)
    client.post(url(exercise), {"text": "Première version"})
    client.post(url(exercise), {"text": "Seconde version"})
    versions = list(
        Submission.objects.filter(learner=alice).order_by("version").values_list("version", "text")
    )
    assert versions == [(1, "Première version"), (2, "Seconde version")]
    page = client.get(url(exercise)).content.decode()
    assert "Première version" in page and "Seconde version" in page


def test_after_the_deadline_the_copy_is_refused(client, alice, exercise):
    """R6.4: no resubmission after the deadline; nothing written."""
    exercise.due_at = timezone.now() - timedelta(minutes=1)
    exercise.save()
    client.force_login(alice)
    page = client.get(url(exercise)).content.decode()
    assert "date limite est passée" in page
    response = client.post(url(exercise), {"text": "trop tard"})
    assert response.status_code == 200
    assert "date limite de remise est passée" in response.content.decode()
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "upload,message",
    [
        (
            SimpleUploadedFile("virus.pdf", b"MZ\x90\x00\x03binary", "application/pdf"),
            "pas d&#x27;un type accepté",
        ),
        (
            SimpleUploadedFile("faux.pdf", b"%PDF-1.4 broken", "application/pdf"),
            "pas d&#x27;un type accepté",
        ),
        (
            SimpleUploadedFile("notes.txt", b"texte simple", "text/plain"),
            "pas d&#x27;un type accepté",
        ),
        (
            SimpleUploadedFile(
                "gros.png", b"\x89PNG\r\n\x1a\n" + b"0" * (1024 * 1024 + 1), "image/png"
            ),
            "taille maximale",
        ),
    ],
)
def test_bad_files_are_refused_by_content_and_nothing_is_written(
    client, alice, exercise, upload, message
):
    """R6.4, R8.1: types and sizes checked from the content, clear French error, nothing saved."""
    client.force_login(alice)
    response = client.post(url(exercise), {"text": "avec pièce", "files": [upload]})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Submission.objects.exists() and not SubmissionFile.objects.exists()


def test_too_many_files_and_empty_copies_are_refused(client, alice, exercise):
    """R6.4: limits stated to the learner."""
    client.force_login(alice)
    response = client.post(url(exercise), {"files": [pdf_file(), pdf_file(), pdf_file()]})
    assert "au plus 2 fichier" in response.content.decode()
    response = client.post(url(exercise), {"text": "   "})
    assert "Écrivez une réponse" in response.content.decode()
    assert not Submission.objects.exists()


def test_content_detection():
    """R8.1: what a file is comes from its bytes."""
    from ilmis.exercises.content import detect

    assert detect(pdf_file()) == "pdf"
    assert detect(docx_file()) == "docx"
    assert detect(SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0rest")) == "jpg"
    assert detect(SimpleUploadedFile("x.zip", b"PK\x03\x04garbage")) is None
    assert detect(SimpleUploadedFile("x.txt", "été".encode())) == "txt"
    assert detect(SimpleUploadedFile("x.bin", b"\x00\x01\x02")) is None


def test_service_refuses_text_when_exercise_wants_files(alice, exercise):
    """R6.4: an exercise may accept files only."""
    from django.core.exceptions import ValidationError

    exercise.accepts_text = False
    exercise.save()
    with pytest.raises(ValidationError):
        services.submit(exercise, alice, text="texte")
    assert not Submission.objects.exists()
