from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ilmis.enrolment.testing import make_programme, make_session

INDICATOR_1 = [
    "objectives",
    "content",
    "prerequisites",
    "modalities",
    "teaching_methods",
    "assessment_methods",
    "trainers",
    "accessibility",
]


@pytest.mark.django_db
def test_programme_page_shows_every_indicator_1_item(client):
    """Qualiopi indicator 1: title, objectives, content, prerequisites, duration, modalities incl.
    distance, methods, assessment, trainers, price, accessibility and last update are public."""
    values = {field: f"Texte {field} unique" for field in INDICATOR_1}
    programme = make_programme(
        title="Gestion de projet",
        distance_modalities="Tutorat 48 h",
        price_details="Exonéré de TVA",
        **values,
    )
    session = make_session(programme, place="Classe virtuelle", access_duration_days=120)
    response = client.get(reverse("catalog:programme", args=[programme.slug]))
    page = response.content.decode()
    assert response.status_code == 200
    for text in [
        *values.values(),
        "Gestion de projet",
        "14 heures",
        "1200",
        "Tutorat 48 h",
        "Exonéré de TVA",
        "120 jours",
        "Classe virtuelle",
        "mises à jour le",
    ]:
        assert text in page, text
    assert reverse("enrolment:preregister", args=[session.code]) in page


@pytest.mark.django_db
def test_unpublished_programme_is_not_public(client):
    """Indicator 1: only published programmes are listed and reachable."""
    hidden = make_programme(title="Brouillon secret", published=False)
    assert client.get(reverse("catalog:programme", args=[hidden.slug])).status_code == 404
    assert "Brouillon secret" not in client.get(reverse("catalog:catalogue")).content.decode()


@pytest.mark.django_db
def test_catalogue_is_fast_constant_queries_and_revalidates(client, django_assert_max_num_queries):
    """Speed: the catalogue costs the same few queries for 2 or 20 programmes, and a repeat
    visit gets a 304 while nothing changed (R1.2)."""
    url = reverse("catalog:catalogue")
    for count in (2, 20):
        while len(client.get(url).context["programmes"]) < count:
            make_session(make_programme())
        with django_assert_max_num_queries(6):
            response = client.get(url)
        assert response.status_code == 200
    etag = response["ETag"]
    assert "no-cache" in response["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    make_programme(title="Nouveau")
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.django_db
def test_past_sessions_are_not_offered(client):
    """A session that has ended is not offered for pre-registration."""
    programme = make_programme()
    today = timezone.localdate()
    past = make_session(
        programme, start_date=today - timedelta(days=90), end_date=today - timedelta(days=30)
    )
    page = client.get(reverse("catalog:programme", args=[programme.slug])).content.decode()
    assert past.code not in page
    assert client.get(reverse("enrolment:preregister", args=[past.code])).status_code == 404


@pytest.mark.django_db
def test_staff_edit_programme_and_session_others_refused(client, staff, learner):
    """Indicator 1: staff keep the information up to date (audited); a learner is refused."""
    from ilmis.audit.models import AuditEvent
    from ilmis.catalog.models import Programme

    programme = make_programme(title="Avant")
    url = reverse("catalog:staff_programme", args=[programme.pk])
    client.force_login(learner)
    assert client.get(url).status_code == 403
    assert client.get(reverse("catalog:staff_programmes")).status_code == 403
    client.force_login(staff)
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
    data.update(title="Après", published="on", distance="on", trainers="Alice, 10 ans")
    before = programme.updated_at
    assert client.post(url, data).status_code == 302
    programme.refresh_from_db()
    assert programme.title == "Après" and programme.updated_at > before
    assert AuditEvent.objects.filter(action="catalog.programme_saved").exists()
    bad = client.post(url, data | {"price": "-3", "duration_hours": ""})
    assert bad.status_code == 400
    assert {"price", "duration_hours"} <= set(bad.context["form"].errors)
    session_url = reverse("catalog:staff_session_new", args=[programme.pk])
    today = timezone.localdate()
    wrong = client.post(
        session_url,
        {
            "code": "s1",
            "start_date": today,
            "end_date": today - timedelta(days=1),
            "place": "Lyon",
            "capacity": 8,
            "access_duration_days": 60,
        },
    )
    assert "end_date" in wrong.context["form"].errors
    assert (
        client.post(
            session_url,
            {
                "code": "s1",
                "start_date": today,
                "end_date": today,
                "place": "Lyon",
                "capacity": 8,
                "access_duration_days": 60,
            },
        ).status_code
        == 302
    )
    assert programme.sessions.get().place == "Lyon"
    assert Programme.objects.count() == 1
