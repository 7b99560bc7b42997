"""Question bank pages (R6.3): trainers and staff browse, import with a progress bar, export;
learners and managers are refused; embedded files are never public."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ilmis.quizzes import services
from ilmis.quizzes.gift import parse_gift
from ilmis.quizzes.models import Category, ImportJob, Question, QuestionFile
from ilmis.quizzes.moodlexml import parse_xml

from .samples import GIFT_ALL_TYPES, MOODLE_XML, PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(make_user):
    return make_user(role="trainer")


@pytest.fixture
def bank():
    services.import_questions(MOODLE_XML.encode(), fmt="xml")
    return Category.objects.get(path="Default for Bureautique/Excel")


def upload(client, name, content, hooks, **data):
    with hooks(execute=True):
        return client.post(
            reverse("quizzes:import"), {"file": SimpleUploadedFile(name, content), **data}
        )


def test_trainer_imports_with_progress_page_and_json(
    client, trainer, django_capture_on_commit_callbacks
):
    """R6.3: the upload becomes a job; its page polls JSON with progress.js; counts shown."""
    client.force_login(trainer)
    response = upload(
        client,
        "demo.gift",
        GIFT_ALL_TYPES.encode(),
        django_capture_on_commit_callbacks,
        category="Cours 1",
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:import_status", args=[job.pk])
    status = client.get(response["Location"], HTTP_ACCEPT="application/json").json()
    assert status["status"] == "done" and status["progress"] == 100
    assert status["counts"]["single"] == 1 and sum(status["counts"].values()) == 8
    page = client.get(response["Location"]).content.decode()
    assert "8 questions importées" in page and "choix multiple : 1" in page
    assert Category.objects.filter(path="Cours 1/Démo").exists()
    assert not job.upload  # the uploaded file is not kept


def test_pending_job_page_shows_progress_bar(client, trainer):
    client.force_login(trainer)
    job = ImportJob.objects.create(created_by=trainer, filename="big.gift", progress=40)
    page = client.get(reverse("quizzes:import_status", args=[job.pk])).content.decode()
    assert '<progress id="progress" max="100" value="40">' in page
    assert 'data-status="pending"' in page and "js/progress" in page


def test_bad_import_lists_errors_and_imports_nothing(
    client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    content = b"Ok {T}\n\n::Bad:: Pick {~%33%a ~b}\n\n::Worse:: {#abc}\n"
    response = upload(client, "bad.gift", content, django_capture_on_commit_callbacks)
    page = client.get(response["Location"]).content.decode()
    assert "Aucune question n'a été importée" in page
    assert "ligne 3" in page and "ligne 5" in page
    assert Question.objects.count() == 0
    assert ImportJob.objects.get().status == "invalid"


def test_hostile_xml_upload_gives_clear_error(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><quiz>&b;</quiz>'
    )
    response = upload(client, "bomb.xml", bomb, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "DOCTYPE" in page and Question.objects.count() == 0


def test_upload_over_the_limit_refused_in_the_form(client, staff, settings):
    settings.ILMIS_QUESTION_IMPORT_MAX_BYTES = 100
    client.force_login(staff)
    response = client.post(
        reverse("quizzes:import"), {"file": SimpleUploadedFile("x.gift", b"Q {T}\n\n" * 50)}
    )
    assert response.status_code == 200
    assert "la limite est de" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_browse_by_category_and_preview(client, trainer, bank, django_assert_max_num_queries):
    client.force_login(trainer)
    client.get(reverse("quizzes:bank"))  # the session's first request records it
    with django_assert_max_num_queries(20):  # ~12 are the shared middleware's
        page = client.get(reverse("quizzes:bank"), {"category": bank.pk}).content.decode()
    assert "Cellule active" in page and "Raccourcis" in page
    question = Question.objects.get(name="Cellule active")
    page = client.get(reverse("quizzes:question", args=[question.pk])).content.decode()
    image = QuestionFile.objects.get()
    assert reverse("quizzes:question_file", args=[image.pk, "grille.png"]) in page
    assert "Regardez le cadre." in page


def test_bank_queries_do_not_grow_with_questions(client, trainer, bank):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(trainer)
    client.get(reverse("quizzes:bank"))

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("quizzes:bank"), {"category": bank.pk})
        assert response.status_code == 200
        return len(context), response.content.decode()

    few, _page = queries()
    services.import_questions(
        b"\n\n".join(b"Q%d {T}" % i for i in range(120)),
        category="Default for Bureautique/Excel/Sub",
    )
    services.import_questions(
        b"\n\n".join(b"Q%d {T}" % i for i in range(120)), category="Default for Bureautique/Excel"
    )
    many, page = queries()
    assert "Page 1 sur 3" in page
    assert many == few


def test_html_is_sanitised_on_display(client, trainer):
    services.import_questions(
        b"::X::[html]<p>Hi</p><script>alert(1)</script><img src=x onerror=alert(2)>{T}"
    )
    client.force_login(trainer)
    question = Question.objects.get()
    page = client.get(reverse("quizzes:question", args=[question.pk])).content.decode()
    assert "<p>Hi</p>" in page and "alert(1)" not in page and "onerror" not in page


def test_embedded_file_served_to_trainer_only(client, trainer, learner, manager, bank):
    """R6.2: files embedded in questions have no public URL."""
    image = QuestionFile.objects.get()
    url = reverse("quizzes:question_file", args=[image.pk, image.name])
    client.force_login(trainer)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff"
    for user in (learner, manager):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_export_downloads(client, staff, bank):
    client.force_login(staff)
    response = client.get(reverse("quizzes:export"), {"format": "gift", "category": bank.pk})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert len(parse_gift(response.content.decode())) == 8
    response = client.get(reverse("quizzes:export"), {"format": "xml"})
    assert len(parse_xml(response.content)) == 8
    assert client.get(reverse("quizzes:export"), {"format": "pdf"}).status_code == 400


@pytest.mark.parametrize("name", ["bank", "import", "export"])
def test_learners_and_managers_refused(client, learner, manager, name):
    """R6.3: the bank is for trainers and staff only."""
    url = reverse(f"quizzes:{name}") + ("?format=gift" if name == "export" else "")
    for user in (learner, manager):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_other_users_import_job_refused(client, trainer, make_user, staff):
    job = ImportJob.objects.create(created_by=trainer, filename="mine.gift")
    url = reverse("quizzes:import_status", args=[job.pk])
    client.force_login(make_user(role="trainer"))
    assert client.get(url).status_code == 403
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_dashboard_panel_for_trainers_only(rf, trainer, learner, bank):
    from django.template.loader import render_to_string

    from ilmis.quizzes.dashboard import panels

    request = rf.get("/")
    request.user = trainer
    [panel] = panels(request)
    html = render_to_string(panel["template"], {"panel": panel}, request=request)
    assert "8 questions." in html and reverse("quizzes:bank") in html
    request.user = learner
    assert panels(request) == []


def test_unexpected_failure_marks_the_job_and_writes_nothing(
    client, staff, monkeypatch, django_capture_on_commit_callbacks
):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "store", boom)
    client.force_login(staff)
    response = upload(client, "ok.gift", b"Q {T}", django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == "invalid" and "Erreur inattendue" in job.errors[0]["message"]
    assert "Erreur inattendue" in client.get(response["Location"]).content.decode()
    assert Question.objects.count() == 0 and not job.upload


def test_pasted_gift_imports_through_the_same_job(
    client, trainer, django_capture_on_commit_callbacks
):
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("quizzes:import"),
            {"text": "::Collée:: Deux et deux ? {=4 ~5}", "category": "Saisie"},
        )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("quizzes:import_status", args=[job.pk])
    assert job.status == "done" and job.counts == {"single": 1}
    assert Question.objects.get().category.path == "Saisie"
    page = client.post(reverse("quizzes:import"), {"category": "X"}).content.decode()
    assert "Choisissez un fichier ou collez des questions GIFT." in page


def test_delete_unused_question_only(client, trainer, learner, bank):
    from ilmis.quizzes.models import Quiz, QuizSlot

    used, unused = Question.objects.filter(files__isnull=True).order_by("id")[:2]
    quiz = Quiz.objects.create(title="Q")
    QuizSlot.objects.create(quiz=quiz, position=0, question=used)
    client.force_login(learner)
    assert client.post(reverse("quizzes:question_delete", args=[unused.pk])).status_code == 403
    client.force_login(trainer)
    response = client.post(reverse("quizzes:question_delete", args=[used.pk]), follow=True)
    assert "ne peut pas être supprimée" in response.content.decode()
    assert Question.objects.filter(pk=used.pk).exists()
    image = QuestionFile.objects.get()
    path = image.file.path
    response = client.post(reverse("quizzes:question_delete", args=[image.question_id]))
    assert not Question.objects.filter(pk=image.question_id).exists()
    import os

    assert not os.path.exists(path)
    assert client.get(reverse("quizzes:question_delete", args=[unused.pk])).status_code == 405
