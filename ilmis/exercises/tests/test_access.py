"""R6.2, R6.4: a learner reaches only their own submissions, inside their access window."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ilmis.enrolment.models import Enrolment
from ilmis.exercises import services

from .conftest import pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(alice, exercise, trainer):
    submission = services.submit(exercise, alice, text="Ma copie", files=[pdf_file()])
    services.grade(submission, by=trainer, grade=15, comments="Bien", annotated=pdf_file("a.pdf"))
    return submission


def private_urls(submission):
    return [
        reverse("exercises:submission", args=[submission.uuid]),
        reverse("exercises:file", args=[submission.files.get().uuid]),
        reverse("exercises:annotated_file", args=[submission.uuid]),
    ]


def test_owner_sees_their_submission_and_files(client, alice, graded):
    """R6.4: the learner gets their copy, files and annotated copy."""
    client.force_login(alice)
    for address in private_urls(graded):
        assert client.get(address).status_code == 200, address


def test_second_learner_is_refused_with_404(client, bob, graded):
    """R6.2: another learner of the same programme cannot see Alice's copy or files."""
    client.force_login(bob)
    for address in private_urls(graded):
        response = client.get(address)
        assert response.status_code == 404, address
        assert b"Ma copie" not in response.content and b"%PDF" not in response.content
    page = client.get(reverse("exercises:exercise", args=[graded.exercise.activity.uuid]))
    assert "Ma copie" not in page.content.decode()


def test_owner_outside_window_is_refused(client, alice, graded):
    """R5.4, R6.2: after the window, even one's own copy is refused (data kept)."""
    now = timezone.now()
    Enrolment.objects.filter(learner=alice).update(
        access_start=now - timedelta(days=10), access_end=now - timedelta(days=1)
    )
    client.force_login(alice)
    for address in private_urls(graded) + [
        reverse("exercises:exercise", args=[graded.exercise.activity.uuid])
    ]:
        response = client.get(address)
        assert response.status_code == 403, address
        assert "a pris fin" in response.content.decode()
    response = client.post(
        reverse("exercises:exercise", args=[graded.exercise.activity.uuid]), {"text": "x"}
    )
    assert response.status_code == 403
    assert graded.exercise.submissions.count() == 1


def test_unenrolled_learner_is_refused(client, make_user, exercise):
    """R6.2: no enrolment, no exercise."""
    client.force_login(make_user(role="learner"))
    response = client.get(reverse("exercises:exercise", args=[exercise.activity.uuid]))
    assert response.status_code == 403
    assert "Construisez" not in response.content.decode()


def test_learners_cannot_reach_the_queue_or_grade(client, alice, graded):
    """R6.4: only trainers and staff correct."""
    client.force_login(alice)
    assert client.get(reverse("exercises:queue")).status_code == 403
    response = client.post(reverse("exercises:grade", args=[graded.uuid]), {"grade": "20"})
    assert response.status_code == 403
    graded.refresh_from_db()
    assert graded.grade == 15
