"""R6.2, R5.4: only an enrolled learner inside the access window reaches content."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ilmis.enrolment.testing import enrol
from ilmis.learning.testing import add_activity

pytestmark = pytest.mark.django_db


def urls(course):
    doc, page = course["document"], course["page"]
    return [
        reverse("learning:programme", args=[course["programme"].slug]),
        reverse("learning:activity", args=[page.uuid]),
        reverse("learning:activity", args=[doc.uuid]),
        reverse("learning:file", args=[doc.uuid]),
    ]


def test_enrolled_learner_inside_window_gets_everything(client, enrolled, course):
    """R6.2: the enrolled learner sees the programme, the page and the stamped PDF."""
    client.force_login(enrolled)
    for url in urls(course):
        response = client.get(url)
        assert response.status_code == 200, url
    assert b"Bienvenue" in client.get(urls(course)[1]).content


def test_unenrolled_learner_is_refused_with_a_french_message_and_no_content(
    client, make_user, course
):
    """R6.2: a learner without enrolment gets 403, a clear message, no content, no file."""
    stranger = make_user(role="learner")
    client.force_login(stranger)
    for url in urls(course):
        response = client.get(url)
        assert response.status_code == 403, url
        text = response.content.decode()
        assert "pas inscrit" in text
        assert "Bienvenue" not in text
        assert not response.has_header("X-Accel-Redirect")
        assert b"%PDF" not in response.content


def test_learner_outside_window_is_refused(client, learner, course):
    """R5.4, R6.2: after the window, 403 'a pris fin'; before it, 'pas encore ouvert'."""
    now = timezone.now()
    enrol(
        learner, course["programme"], start=now - timedelta(days=100), end=now - timedelta(days=1)
    )
    client.force_login(learner)
    for url in urls(course):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "a pris fin" in response.content.decode()
        assert b"%PDF" not in response.content


def test_learner_before_window_is_refused(client, learner, course):
    """R5.4: the window has not opened yet."""
    start = timezone.now() + timedelta(days=2)
    enrol(learner, course["programme"], start=start, end=start + timedelta(days=30))
    client.force_login(learner)
    response = client.get(urls(course)[3])
    assert response.status_code == 403
    assert "pas encore ouvert" in response.content.decode()


def test_visitor_is_sent_to_login(client, course):
    """R6.2: nothing for a visitor, who is asked to log in."""
    for url in urls(course):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_unpublished_activity_is_invisible_to_learners_but_not_to_trainers(
    client, enrolled, make_user, course
):
    """R6.1: learners see the published version; trainers also see work in progress."""
    draft = add_activity(course["page"].module, "page", "Brouillon", body="<p>Secret</p>")
    client.force_login(enrolled)
    assert client.get(reverse("learning:activity", args=[draft.uuid])).status_code == 404
    programme_page = client.get(reverse("learning:programme", args=[course["programme"].slug]))
    assert "Brouillon" not in programme_page.content.decode()
    client.force_login(make_user(role="trainer"))
    assert client.get(reverse("learning:activity", args=[draft.uuid])).status_code == 200


def test_files_have_random_names_and_no_public_url(course, settings):
    """R6.2: stored under MEDIA_ROOT with a random name; no MEDIA_URL route serves it."""
    name = course["document"].file.name
    assert re.fullmatch(r"learning/[0-9a-f]{32}\.pdf", name)
    assert "support" not in name
    from django.test import Client

    assert Client().get("/" + settings.MEDIA_URL.strip("/") + "/" + name).status_code == 404


def test_x_accel_redirect_hands_the_file_to_nginx(client, enrolled, course, settings):
    """R6.2: with ILMIS_X_ACCEL_REDIRECT_PREFIX the app only sends the internal location."""
    settings.ILMIS_X_ACCEL_REDIRECT_PREFIX = "/protected/"
    client.force_login(enrolled)
    response = client.get(urls(course)[3])
    assert response.status_code == 200
    location = response["X-Accel-Redirect"]
    assert re.fullmatch(r"/protected/learning/stamped/[0-9a-f]{64}\.pdf", location)
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"


def test_unknown_uuid_is_404(client, enrolled):
    """R6.2: guessing gives nothing."""
    import uuid

    client.force_login(enrolled)
    assert client.get(reverse("learning:file", args=[uuid.uuid4()])).status_code == 404


def test_learner_cannot_reach_staff_pages(client, enrolled, course):
    """R6.1: only trainers and staff edit content."""
    client.force_login(enrolled)
    assert client.get(reverse("learning:staff_programmes")).status_code == 403
    slug = course["programme"].slug
    response = client.post(reverse("learning:staff_programme", args=[slug]), {"note": "x"})
    assert response.status_code == 403
