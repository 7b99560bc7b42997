"""`ilmis demo`: what a newcomer gets from `make run` works for each demo role."""

import pytest
from django.core.management import call_command

from ilmis.accounts.models import User
from ilmis.core.testing import accept_current_terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(tmp_path):
    with open(tmp_path / "out.txt", "w") as out:
        call_command("demo", stdout=out)
        call_command("demo", stdout=out)  # idempotent


def as_user(client, email):
    user = User.objects.get(email=email)
    accept_current_terms(user)
    client.force_login(user)
    return user


def test_the_demo_learner_reaches_every_kind_of_activity(client, demo):
    from ilmis.learning import kinds
    from ilmis.learning.models import Activity

    as_user(client, "apprenant@demo.ilmis.fr")
    assert client.get("/tableau-de-bord/").status_code == 200
    activities = Activity.objects.filter(module__programme__slug__isnull=False)
    assert {"page", "document", "exercise", "quiz", "scorm"} <= set(
        activities.values_list("kind", flat=True)
    )
    for activity in activities:
        response = client.get(f"/apprendre/a/{activity.uuid}/", follow=True)
        assert response.status_code == 200, activity.kind
    quiz = activities.get(kind="quiz")
    assert client.get(kinds.launch_url(quiz)).status_code == 200
    started = client.post(kinds.launch_url(quiz), follow=True)
    assert started.status_code == 200 and "/qcm/tentative/" in started.redirect_chain[-1][0]
    assert "Quelle touche fige une référence" in started.content.decode()


@pytest.mark.parametrize(
    "email",
    ["responsable@demo.ilmis.fr", "salarie1@demo.ilmis.fr", "formateur@demo.ilmis.fr"],
)
def test_every_demo_role_has_a_working_dashboard(client, demo, email):
    as_user(client, email)
    assert client.get("/tableau-de-bord/").status_code == 200
