"""R6.1, R11.1: editing content, sanitising pages, hostile uploads, versions, activity kinds."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ilmis.learning import kinds
from ilmis.learning.models import Activity, Module, ProgrammeVersion
from ilmis.learning.testing import add_activity, pdf_bytes, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(make_user):
    return make_user(role="trainer")


def test_page_html_is_sanitised_on_save_and_display(client, trainer, enrolled, course):
    """R6.1, R8.1: nh3 removes scripts and event handlers, on save and again on display."""
    client.force_login(trainer)
    module = course["page"].module
    response = client.post(
        reverse("learning:staff_activity_add", args=[module.uuid]),
        {
            "kind": "page",
            "title": "Page piégée",
            "duration_minutes": 5,
            "body": '<p onclick="steal()">Texte<script>alert(1)</script></p>'
            '<a href="javascript:alert(2)">lien</a><img src="https://tiers.example/x.png">',
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(title="Page piégée")
    assert "<script" not in activity.body and "alert(1)" not in activity.body
    assert "onclick" not in activity.body and "javascript:" not in activity.body
    assert "tiers.example" not in activity.body
    assert "Texte" in activity.body
    # Even if raw HTML reached the database another way, display cleans it again.
    Activity.objects.filter(pk=course["page"].pk).update(body="<p>Ok</p><script>evil()</script>")
    client.force_login(enrolled)
    page = client.get(reverse("learning:activity", args=[course["page"].uuid])).content.decode()
    assert "evil()" not in page and "<p>Ok</p>" in page


def test_hostile_pdf_upload_is_refused_and_nothing_is_written(client, trainer, course):
    """R6.2, R8.1: a renamed executable, a broken PDF and an oversize PDF are refused."""
    client.force_login(trainer)
    url = reverse("learning:staff_activity_add", args=[course["page"].module.uuid])
    before = Activity.objects.count()
    cases = {
        "pas un PDF": b"MZ\x90\x00 not a pdf",
        "illisible": b"%PDF-1.7\n garbage garbage",
    }
    for message, data in cases.items():
        upload = SimpleUploadedFile("cours.pdf", data, content_type="application/pdf")
        response = client.post(
            url, {"kind": "document", "title": "X", "duration_minutes": 5, "upload": upload}
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert Activity.objects.count() == before


def test_pdf_size_limit(client, trainer, course, settings):
    """R8.1: sizes limited by ILMIS_LEARNING_MAX_PDF_MB."""
    settings.ILMIS_LEARNING_MAX_PDF_MB = 0
    client.force_login(trainer)
    upload = SimpleUploadedFile("cours.pdf", pdf_bytes(1), content_type="application/pdf")
    response = client.post(
        reverse("learning:staff_activity_add", args=[course["page"].module.uuid]),
        {"kind": "document", "title": "Gros", "duration_minutes": 5, "upload": upload},
    )
    assert "taille maximale" in response.content.decode()
    assert not Activity.objects.filter(title="Gros").exists()


def test_video_must_look_like_a_video(client, trainer, course):
    """R8.1: magic bytes decide, not the name."""
    client.force_login(trainer)
    upload = SimpleUploadedFile("film.mp4", b"#!/bin/sh\nrm -rf /\n", content_type="video/mp4")
    response = client.post(
        reverse("learning:staff_activity_add", args=[course["page"].module.uuid]),
        {"kind": "video", "title": "Film", "duration_minutes": 5, "upload": upload},
    )
    assert "Vidéo non reconnue" in response.content.decode()


def test_trainer_creates_module_activity_and_reorders(client, trainer, course):
    """R6.1: trainers create modules and activities and change their order."""
    client.force_login(trainer)
    programme = course["programme"]
    response = client.post(
        reverse("learning:staff_module_add", args=[programme.slug]), {"title": "Module 3"}
    )
    assert response.status_code == 302
    module = Module.objects.get(title="Module 3")
    assert module.position == 3
    upload = SimpleUploadedFile("fiche.pdf", pdf_bytes(1), content_type="application/pdf")
    client.post(
        reverse("learning:staff_activity_add", args=[module.uuid]),
        {"kind": "document", "title": "Fiche", "duration_minutes": 12, "upload": upload},
    )
    assert Activity.objects.get(title="Fiche").file_size > 0
    client.post(reverse("learning:staff_move", args=["module", module.uuid, "haut"]))
    order = list(Module.objects.filter(programme=programme).order_by("position"))
    assert [m.title for m in order] == ["Les bases", "Module 3", "Pour aller plus loin"]
    first = course["page"]
    client.post(reverse("learning:staff_move", args=["activite", first.uuid, "bas"]))
    titles = list(
        Activity.objects.filter(module=first.module)
        .order_by("position")
        .values_list("title", flat=True)
    )
    assert titles == ["Fiche PDF", "Introduction"]
    page = client.get(reverse("learning:staff_programme", args=[programme.slug]))
    assert page.status_code == 200 and "Module 3" in page.content.decode()


def test_versions_keep_the_announced_durations(client, trainer, enrolled, course):
    """R11.1: what was announced is kept; learners see the current version's durations."""
    programme = course["programme"]
    first = ProgrammeVersion.objects.get(programme=programme)
    assert first.total_minutes == 40
    Activity.objects.filter(pk=course["page"].pk).update(duration_minutes=99)
    client.force_login(enrolled)
    page = client.get(reverse("learning:programme", args=[programme.slug])).content.decode()
    assert "15 min" in page and "99 min" not in page
    client.force_login(trainer)
    response = client.post(
        reverse("learning:staff_programme", args=[programme.slug]), {"note": "Durées revues"}
    )
    assert response.status_code == 302
    second = ProgrammeVersion.objects.get(programme=programme, number=2)
    assert second.total_minutes == 124 and second.published_by == trainer
    first.refresh_from_db()
    assert first.snapshot["modules"][0]["activities"][0]["minutes"] == 15
    client.force_login(enrolled)
    page = client.get(reverse("learning:programme", args=[programme.slug])).content.decode()
    assert "99 min" in page


def test_publishing_an_empty_programme_is_refused(client, trainer):
    """R11.1: nothing to announce, nothing published, a clear message."""
    from ilmis.enrolment.testing import make_programme

    programme = make_programme()
    client.force_login(trainer)
    response = client.post(
        reverse("learning:staff_programme", args=[programme.slug]), {"note": ""}, follow=True
    )
    assert "Ajoutez au moins une activité" in response.content.decode()
    assert not ProgrammeVersion.objects.filter(programme=programme).exists()


def test_quiz_and_scorm_are_coming_soon_until_registered(client, enrolled, course, monkeypatch):
    """R6.1: the kinds exist; until their app registers, learners read 'bientôt disponible'."""
    monkeypatch.setattr(kinds, "_registry", {})
    module = course["page"].module
    quiz = add_activity(module, "quiz", "QCM final")
    scorm = add_activity(module, "scorm", "Module SCORM")
    publish(course["programme"])
    client.force_login(enrolled)
    for activity in (quiz, scorm):
        page = client.get(reverse("learning:activity", args=[activity.uuid])).content.decode()
        assert "Bientôt disponible" in page
    done = set()
    kinds.register(
        "quiz",
        launch_url=lambda a: f"/qcm/lancer/{a.uuid}/",
        is_completed=lambda user, a: (user.pk, a.pk) in done,
    )
    try:
        page = client.get(reverse("learning:activity", args=[quiz.uuid])).content.decode()
        assert f"/qcm/lancer/{quiz.uuid}/" in page and "Bientôt disponible" not in page
        done.add((enrolled.pk, quiz.pk))
        client.get(reverse("learning:activity", args=[quiz.uuid]))
        assert quiz.completions.filter(user=enrolled).exists()
    finally:
        kinds.unregister("quiz")


def test_attach_goes_through_the_registry(course, monkeypatch):
    """R6.5 hook: `ilmis import_scorm --activity` attaches via the kind's handler."""
    monkeypatch.setattr(kinds, "_registry", {})
    from django.core.exceptions import ValidationError

    from ilmis.learning import services

    activity = add_activity(course["page"].module, "scorm", "Paquet")
    with pytest.raises(ValidationError):
        services.attach_scorm_package(activity.pk, object())
    attached = []
    kinds.register("scorm", launch_url=lambda a: "/", attach=lambda a, p: attached.append((a, p)))
    try:
        services.attach_scorm_package(activity.pk, "paquet")
    finally:
        kinds.unregister("scorm")
    assert attached == [(activity, "paquet")]


def test_draft_activity_is_deleted_but_announced_one_is_withdrawn(
    client, trainer, enrolled, course
):
    """R11.1, R11.4: what was announced and what learners did is kept; the next version drops it."""
    from ilmis.learning.services import mark_completed

    client.force_login(trainer)
    draft = add_activity(course["page"].module, "page", "Brouillon")
    client.post(reverse("learning:staff_delete", args=["activite", draft.uuid]))
    assert not Activity.objects.filter(pk=draft.pk).exists()

    page = course["page"]
    mark_completed(enrolled, page)
    response = client.post(
        reverse("learning:staff_delete", args=["activite", page.uuid]), follow=True
    )
    assert "prochaine version" in response.content.decode()
    page.refresh_from_db()
    assert page.archived_at is not None and page.completions.count() == 1
    client.post(reverse("learning:staff_programme", args=[course["programme"].slug]), {"note": ""})
    latest = ProgrammeVersion.objects.filter(programme=course["programme"]).first()
    assert str(page.uuid) not in latest.activity_uuids
    first = ProgrammeVersion.objects.get(programme=course["programme"], number=1)
    assert str(page.uuid) in first.activity_uuids
    client.force_login(enrolled)
    assert client.get(reverse("learning:activity", args=[page.uuid])).status_code == 404
    client.force_login(trainer)
    client.post(reverse("learning:staff_restore", args=[page.uuid]))
    page.refresh_from_db()
    assert page.archived_at is None


def test_module_with_announced_activities_is_kept(client, trainer, course):
    """R11.1: deleting a published module only withdraws its activities."""
    client.force_login(trainer)
    module = course["page"].module
    client.post(reverse("learning:staff_delete", args=["module", module.uuid]))
    assert Module.objects.filter(pk=module.pk).exists()
    assert not module.activities.filter(archived_at=None).exists()
