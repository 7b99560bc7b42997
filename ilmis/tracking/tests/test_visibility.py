"""Who sees whose time (R11.4): the learner, staff, their tutor, their company's manager."""

import uuid

import pytest
from django.urls import reverse

from ilmis.core.testing import ClientFactory
from ilmis.enrolment.testing import enrol
from ilmis.tracking.models import Beat


@pytest.fixture
def bob(make_user, session):
    """An employee of another company, same session."""
    user = make_user(role="learner", first_name="Bob", last_name="Autre", client=ClientFactory())
    enrol(user, session)
    return user


@pytest.fixture
def with_time(alice, bob, activities):
    from datetime import timedelta

    from django.utils import timezone

    now, tab = timezone.now(), uuid.uuid4()
    for user in (alice, bob):
        for seq in (1, 2, 3):  # 90 s of active time
            Beat.objects.create(
                learner=user,
                activity=activities[0],
                tab=tab,
                seq=seq,
                at=now - timedelta(seconds=30 * (3 - seq)),
            )


def test_manager_sees_their_employees_time_and_nobody_elses(client, manager, alice, bob, with_time):
    """R11.4: a company manager sees their own employees only (tested with a second company)."""
    client.force_login(manager)
    listing = client.get(reverse("tracking:home")).content.decode()
    assert "Alice Martin" in listing and "Bob Autre" not in listing
    page = client.get(reverse("tracking:learner", args=[alice.pk]))
    assert page.status_code == 200
    assert "0 h 02 min" in page.content.decode()  # 90 s, rounded
    assert client.get(reverse("tracking:learner", args=[bob.pk])).status_code == 403
    bob_enrolment = bob.enrolments.get()
    assert (
        client.get(reverse("tracking:evidence", args=[bob_enrolment.pk, "pdf"])).status_code == 403
    )


def test_other_company_manager_sees_nothing_of_ours(client, make_user, alice, with_time):
    other = make_user(role="manager", client=ClientFactory())
    client.force_login(other)
    assert "Alice Martin" not in client.get(reverse("tracking:home")).content.decode()
    assert client.get(reverse("tracking:learner", args=[alice.pk])).status_code == 403


def test_learner_sees_own_time_only(client, alice, bob, with_time):
    client.force_login(alice)
    page = client.get(reverse("tracking:home"))
    assert page.status_code == 200 and "Mon temps de formation" in page.content.decode()
    assert client.get(reverse("tracking:learner", args=[bob.pk])).status_code == 403


def test_trainer_sees_the_learners_they_tutor(
    client, trainer, make_user, alice, tutored, with_time
):
    client.force_login(trainer)
    assert client.get(reverse("tracking:learner", args=[alice.pk])).status_code == 200
    stranger = make_user(role="trainer")
    client.force_login(stranger)
    assert client.get(reverse("tracking:learner", args=[alice.pk])).status_code == 403


def test_staff_see_everyone(client, staff, alice, bob, with_time):
    client.force_login(staff)
    listing = client.get(reverse("tracking:home")).content.decode()
    assert "Alice Martin" in listing and "Bob Autre" in listing
