from datetime import timedelta

import pytest
from django.utils import timezone

from ilmis.enrolment.testing import enrol, make_programme, make_session
from ilmis.learning.testing import add_activity, add_module, publish
from ilmis.tracking.models import SessionTutor


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def programme(db):
    programme = make_programme(title="Gestion de projet agile", objectives="Piloter un projet.")
    module = add_module(programme, "Module 1")
    add_activity(module, "page", "Introduction", minutes=30)
    add_activity(module, "page", "Les rôles", minutes=60)
    add_activity(module, "page", "Le backlog", minutes=90)
    publish(programme)
    return programme


@pytest.fixture
def activities(programme):
    from ilmis.learning.models import Activity

    return list(Activity.objects.filter(module__programme=programme).order_by("position", "id"))


@pytest.fixture
def session(programme):
    today = timezone.localdate()
    return make_session(
        programme,
        start_date=today - timedelta(days=10),
        end_date=today + timedelta(days=20),
        place="À distance (plateforme en ligne)",
    )


@pytest.fixture
def trainer(make_user):
    return make_user(role="trainer", first_name="Claire", last_name="Formatrice")


@pytest.fixture
def tutored(session, trainer):
    SessionTutor.objects.create(session=session, trainer=trainer)
    return session


@pytest.fixture
def alice(make_user, company, session):
    user = make_user(role="learner", first_name="Alice", last_name="Martin", client=company)
    enrol(user, session)
    return user


@pytest.fixture
def enrolment(alice, session):
    return alice.enrolments.get(session=session)
