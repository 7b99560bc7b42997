"""The demo content loads, is idempotent and is visible to the demo learner."""

import pytest
from django.urls import reverse

from ilmis.learning.models import Activity, ProgrammeVersion

pytestmark = pytest.mark.django_db


def test_load_demo(client, make_user):
    """R6.1, R11.1: two modules, a page, a PDF, an exercise, one published version."""
    from ilmis.enrolment import demo as enrolment_demo
    from ilmis.enrolment.testing import enrol
    from ilmis.learning.demo import load_demo

    enrolment_demo.load_demo()
    load_demo()
    load_demo()
    from ilmis.catalog.models import Programme

    programme = Programme.objects.get(slug=enrolment_demo.DEMO_SLUG)
    kinds = sorted(
        Activity.objects.filter(module__programme=programme).values_list("kind", flat=True)
    )
    assert kinds == ["document", "exercise", "page", "page", "quiz", "scorm"]
    assert ProgrammeVersion.objects.filter(programme=programme).count() == 1
    learner = make_user(role="learner")
    enrol(learner, programme)
    client.force_login(learner)
    page = client.get(reverse("learning:programme", args=[programme.slug])).content.decode()
    assert "Fiche mémo (PDF)" in page and "Exercice : tarif par référence" in page
    document = Activity.objects.get(module__programme=programme, kind="document")
    assert client.get(reverse("learning:file", args=[document.uuid])).status_code == 200
    exercise = Activity.objects.get(module__programme=programme, kind="exercise")
    response = client.get(reverse("exercises:exercise", args=[exercise.uuid]))
    assert "RECHERCHEX" in response.content.decode()
