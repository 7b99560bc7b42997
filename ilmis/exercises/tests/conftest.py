from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ilmis.enrolment.testing import enrol, make_programme
from ilmis.exercises.models import Exercise
from ilmis.learning.testing import add_activity, add_module, pdf_bytes, publish


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def trainer(make_user):
    return make_user(role="trainer", first_name="Claire", last_name="Formatrice")


@pytest.fixture
def exercise(db, trainer):
    programme = make_programme()
    module = add_module(programme, "Module 1")
    activity = add_activity(module, "exercise", "Exercice : budget", minutes=45)
    publish(programme)
    return Exercise.objects.create(
        activity=activity,
        instructions="Construisez le budget prévisionnel.",
        due_at=timezone.now() + timedelta(days=7),
        allowed_types=["pdf", "docx", "png"],
        max_file_mb=1,
        max_files=2,
        corrector=trainer,
    )


@pytest.fixture
def alice(make_user, exercise):
    user = make_user(role="learner", first_name="Alice", last_name="Martin")
    enrol(user, exercise.activity.module.programme)
    return user


@pytest.fixture
def bob(make_user, exercise):
    user = make_user(role="learner", first_name="Bob", last_name="Durand")
    enrol(user, exercise.activity.module.programme)
    return user


def pdf_file(name="copie.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(1), content_type="application/pdf")


def docx_file(name="copie.docx"):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/msword")
