"""R6.4: the trainer's queue, grading, annotated copy, model correction released on decision."""

import pytest
from django.urls import reverse

from ilmis.exercises import services
from ilmis.exercises.models import Submission

from .conftest import pdf_file

pytestmark = pytest.mark.django_db


def test_queue_shows_latest_ungraded_versions(client, trainer, alice, bob, exercise):
    """R6.4: one line per learner (their latest version), graded copies leave the queue."""
    services.submit(exercise, alice, text="a1")
    services.submit(exercise, alice, text="a2")
    bob_copy = services.submit(exercise, bob, text="b1")
    queue = list(services.queue())
    assert [(s.learner, s.version) for s in queue] == [(alice, 2), (bob, 1)]
    services.grade(bob_copy, by=trainer, grade=12)
    assert [s.learner for s in services.queue()] == [alice]
    client.force_login(trainer)
    page = client.get(reverse("exercises:queue")).content.decode()
    assert "Alice" in page and "Bob" not in page
    assert list(services.queue(corrector=trainer)) == [queue[0]]
    assert list(services.queue(corrector=bob)) == []
    assert "Alice" in client.get(reverse("exercises:queue") + "?mes=1").content.decode()


def test_trainer_grades_with_comments_and_annotated_file(client, trainer, alice, exercise, mailbox):
    """R6.4: grade, comments, annotated file; the learner is told by email."""
    submission = services.submit(exercise, alice, text="copie")
    mailbox().clear()
    client.force_login(trainer)
    address = reverse("exercises:grade", args=[submission.uuid])
    assert client.get(address).status_code == 200
    response = client.post(
        address,
        {"grade": "16.5", "comments": "Très clair.", "annotated": pdf_file("annotations.pdf")},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.grade == 16.5 and submission.graded_by == trainer
    assert submission.annotated_file_name == "annotations.pdf"
    sent = mailbox()
    assert [m.to for m in sent] == [[alice.email]]
    assert "corrigée" in sent[0].subject and "16" in sent[0].body
    client.force_login(alice)
    page = client.get(reverse("exercises:exercise", args=[exercise.activity.uuid]))
    assert "Très clair." in page.content.decode()


def test_grade_out_of_range_is_refused(client, trainer, alice, exercise):
    """R6.4: a grade above the maximum is refused, nothing changes."""
    submission = services.submit(exercise, alice, text="copie")
    client.force_login(trainer)
    response = client.post(reverse("exercises:grade", args=[submission.uuid]), {"grade": "21"})
    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.grade is None and submission.graded_at is None


def test_model_correction_is_released_when_the_trainer_decides(
    client, trainer, alice, exercise, mailbox
):
    """R6.4: hidden until released; released by the trainer; learners notified."""
    services.submit(exercise, alice, text="copie")
    client.force_login(trainer)
    configure = reverse("exercises:configure", args=[exercise.activity.uuid])
    response = client.post(
        configure,
        {
            "instructions": exercise.instructions,
            "accepts_text": "on",
            "allowed_types": ["pdf"],
            "max_file_mb": 5,
            "max_files": 2,
            "max_grade": "20",
            "correction_text": "La solution détaillée.",
            "correction_upload": pdf_file("corrige.pdf"),
        },
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.correction_file and not exercise.correction_released
    correction_url = reverse("exercises:correction_file", args=[exercise.activity.uuid])
    client.force_login(alice)
    page = client.get(reverse("exercises:exercise", args=[exercise.activity.uuid]))
    assert "La solution détaillée." not in page.content.decode()
    assert client.get(correction_url).status_code == 404
    mailbox().clear()
    client.force_login(trainer)
    client.post(configure, {"release": "1"})
    exercise.refresh_from_db()
    assert exercise.correction_released_at is not None
    sent = mailbox()
    assert [m.to for m in sent] == [[alice.email]] and "Corrigé disponible" in sent[0].subject
    client.force_login(alice)
    page = client.get(reverse("exercises:exercise", args=[exercise.activity.uuid]))
    assert "La solution détaillée." in page.content.decode()
    assert client.get(correction_url).status_code == 200


@pytest.mark.parametrize("count", [2, 12])
def test_queue_query_count_is_constant(
    client, trainer, exercise, make_user, count, django_assert_max_num_queries
):
    """R1.2: the queue costs the same with 2 or 12 learners' copies."""
    from ilmis.enrolment.testing import enrol

    programme = exercise.activity.module.programme
    for _ in range(count):
        user = make_user(role="learner")
        enrol(user, programme)
        Submission.objects.create(exercise=exercise, learner=user, version=1, text="x")
        Submission.objects.create(exercise=exercise, learner=user, version=2, text="y")
    client.force_login(trainer)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("exercises:queue"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("/exercices/corrections/") >= count


def test_learner_work_survives_deleting_the_activity(client, alice, exercise, make_user):
    """R6.4, R11.4: removing an exercise from the programme never deletes learners' copies."""
    from ilmis.learning.services import delete_activity

    services.submit(exercise, alice, text="ma copie")
    assert delete_activity(exercise.activity, by=make_user(role="staff")) == "archived"
    assert Submission.objects.filter(learner=alice).count() == 1
