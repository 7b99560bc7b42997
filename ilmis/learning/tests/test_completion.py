"""R6.1, R11.4: completion per activity and per programme; dashboard panel."""

import math

import pytest
from django.urls import reverse
from django.utils import timezone

from ilmis.enrolment.access import current_enrolment
from ilmis.learning.models import ActivityCompletion
from ilmis.learning.services import mark_completed, outline
from ilmis.learning.testing import add_activity, add_module, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_learning_panels(monkeypatch):
    """Other apps' panels are built at the same time as this one: show ours alone."""
    from ilmis.core import dashboard
    from ilmis.learning import dashboard as ours

    monkeypatch.setattr(dashboard, "app_modules", lambda name: [ours])


def test_mark_as_done_is_idempotent(client, enrolled, course):
    """R6.1: marking twice records one completion, with its first time."""
    client.force_login(enrolled)
    url = reverse("learning:complete", args=[course["page"].uuid])
    assert client.post(url).status_code == 302
    first = ActivityCompletion.objects.get(user=enrolled, activity=course["page"])
    client.post(url)
    assert ActivityCompletion.objects.filter(user=enrolled).count() == 1
    assert ActivityCompletion.objects.get(pk=first.pk).completed_at == first.completed_at
    completion, created = mark_completed(enrolled, course["page"], source="quiz")
    assert not created and completion.pk == first.pk


def test_progress_and_next_activity(client, enrolled, course):
    """R6.1: the programme's percentage and the next activity."""
    client.force_login(enrolled)
    client.post(reverse("learning:complete", args=[course["page"].uuid]))
    data = outline(enrolled, course["programme"])
    assert (data["done"], data["total"], data["percent"]) == (1, 3, 33)
    assert data["next"]["activity"] == course["document"]
    page = client.get(reverse("learning:programme", args=[course["programme"].slug]))
    assert "33 % terminé" in page.content.decode()


def test_video_completion_posted_by_javascript_is_idempotent(client, enrolled, course):
    """R6.1: the end of a video posts once (JSON); repeating changes nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ilmis.learning.testing import video_bytes

    module = add_module(course["programme"], "Vidéos")
    upload = SimpleUploadedFile("v.mp4", video_bytes(200), content_type="video/mp4")
    video = add_activity(module, "video", "Vidéo", upload=upload)
    publish(course["programme"])
    client.force_login(enrolled)
    page = client.get(reverse("learning:activity", args=[video.uuid])).content.decode()
    assert "learning/video.js" in page and "data-complete-form" in page
    url = reverse("learning:complete", args=[video.uuid])
    first = client.post(url, HTTP_ACCEPT="application/json")
    second = client.post(url, HTTP_ACCEPT="application/json")
    assert first.json() == {"completed": True, "created": True}
    assert second.json() == {"completed": True, "created": False}
    assert ActivityCompletion.objects.filter(user=enrolled, activity=video).count() == 1


def test_completion_refused_to_others(client, make_user, course):
    """R6.2: an unenrolled learner cannot record anything."""
    client.force_login(make_user(role="learner"))
    response = client.post(reverse("learning:complete", args=[course["page"].uuid]))
    assert response.status_code == 403
    assert not ActivityCompletion.objects.exists()


def test_quiz_kind_cannot_be_marked_by_hand(client, enrolled, course):
    """R6.1: a quiz is completed by its app, not by a button."""
    quiz = add_activity(course["page"].module, "quiz", "QCM")
    publish(course["programme"])
    client.force_login(enrolled)
    assert client.post(reverse("learning:complete", args=[quiz.uuid])).status_code == 403


def test_dashboard_panel_shows_progress_next_activity_and_days_left(
    client, enrolled, course, only_learning_panels
):
    """R6.1, R5.4: the learner's dashboard."""
    mark_completed(enrolled, course["page"])
    client.force_login(enrolled)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert course["programme"].title in page
    assert "33 % terminé" in page
    assert "Fiche PDF" in page  # the next activity
    enrolment = current_enrolment(enrolled, course["programme"])
    days = math.ceil((enrolment.access_end - timezone.now()).total_seconds() / 86400)
    assert f"encore {days} jours" in page


def test_dashboard_for_trainers_links_the_editor(client, make_user, course, only_learning_panels):
    """R6.1: trainers reach the content editor and the correction queue from the dashboard."""
    client.force_login(make_user(role="trainer"))
    page = client.get(reverse("core:dashboard")).content.decode()
    assert reverse("learning:staff_programmes") in page
    assert reverse("exercises:queue") in page


def test_activity_page_links_previous_and_next(client, enrolled, course):
    """R6.1: the learner moves through the ordered activities."""
    client.force_login(enrolled)
    page = client.get(reverse("learning:activity", args=[course["document"].uuid])).content.decode()
    assert reverse("learning:activity", args=[course["page"].uuid]) in page
    assert reverse("learning:activity", args=[course["last"].uuid]) in page
