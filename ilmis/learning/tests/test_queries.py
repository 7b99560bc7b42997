"""R1.2: query counts stay constant as activities and learners grow."""

import pytest
from django.urls import reverse

from ilmis.enrolment.testing import enrol
from ilmis.learning.services import mark_completed
from ilmis.learning.testing import add_activity, add_module, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_learning_panels(monkeypatch):
    from ilmis.core import dashboard
    from ilmis.learning import dashboard as ours

    monkeypatch.setattr(dashboard, "app_modules", lambda name: [ours])


def _grow(course, make_user, modules, per_module, learners):
    from django.utils import timezone

    from ilmis.learning.models import ActivityCompletion

    programme = course["programme"]
    others = [make_user(role="learner") for _ in range(learners)]
    for other in others:
        enrol(other, programme)
    for m in range(modules):
        module = add_module(programme, f"Module {m}")
        for a in range(per_module):
            activity = add_activity(module, "page", f"Activité {m}.{a}")
            ActivityCompletion.objects.bulk_create(
                ActivityCompletion(user=o, activity=activity, completed_at=timezone.now())
                for o in others
            )
    publish(programme)


@pytest.mark.parametrize("size", [(1, 1, 1), (6, 8, 6)])
def test_programme_page_queries_constant(
    client, enrolled, course, make_user, size, django_assert_max_num_queries
):
    """R1.2: the programme page costs the same with 3 or 51 activities and many learners."""
    _grow(course, make_user, *size)
    mark_completed(enrolled, course["page"])
    client.force_login(enrolled)
    url = reverse("learning:programme", args=[course["programme"].slug])
    with django_assert_max_num_queries(22):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("size", [(1, 1, 1), (6, 8, 6)])
def test_activity_page_and_dashboard_queries_constant(
    client, enrolled, course, make_user, size, only_learning_panels, django_assert_max_num_queries
):
    """R1.2: the activity page and the dashboard do not grow with the programme."""
    _grow(course, make_user, *size)
    client.force_login(enrolled)
    with django_assert_max_num_queries(24):
        assert (
            client.get(reverse("learning:activity", args=[course["page"].uuid])).status_code == 200
        )
    with django_assert_max_num_queries(30):
        response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
