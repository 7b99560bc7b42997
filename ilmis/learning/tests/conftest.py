import pytest

from ilmis.enrolment.testing import enrol, make_programme
from ilmis.learning.testing import add_activity, add_module, pdf_upload, publish


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """Many learners per test: hashing their passwords quickly keeps the suite short."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def course(db):
    """A published programme: module 1 (page, PDF document), module 2 (page)."""
    programme = make_programme()
    first = add_module(programme, "Les bases")
    second = add_module(programme, "Pour aller plus loin")
    page = add_activity(first, "page", "Introduction", minutes=15, body="<p>Bienvenue</p>")
    document = add_activity(first, "document", "Fiche PDF", minutes=20, upload=pdf_upload(3))
    last = add_activity(second, "page", "Conclusion", minutes=5)
    publish(programme)
    return {"programme": programme, "page": page, "document": document, "last": last}


@pytest.fixture
def enrolled(learner, course):
    enrol(learner, course["programme"])
    return learner
