"""R6.2 stamping, R1.2 range requests."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from ilmis.core import files as core_files
from ilmis.enrolment.testing import enrol
from ilmis.learning import files
from ilmis.learning.testing import add_activity, add_module, publish, video_bytes

pytestmark = pytest.mark.django_db


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_downloaded_pdf_is_stamped_on_every_page(client, enrolled, course):
    """R6.2: name, email and date on each page (read back with pypdf)."""
    client.force_login(enrolled)
    response = client.get(reverse("learning:file", args=[course["document"].uuid]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(_body(response)))
    assert len(reader.pages) == 3
    today = timezone.localdate().strftime("%d/%m/%Y")
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {number}" in text  # the original content is still there
        assert enrolled.email in text
        assert enrolled.last_name in text and enrolled.first_name in text
        assert today in text


def test_each_learner_gets_their_own_stamp(client, make_user, course):
    """R6.2: the copy is per learner (the cache never mixes two learners)."""
    alice, bob = make_user(role="learner"), make_user(role="learner")
    for user in (alice, bob):
        enrol(user, course["programme"])
    texts = {}
    for user in (alice, bob):
        client.force_login(user)
        data = _body(client.get(reverse("learning:file", args=[course["document"].uuid])))
        texts[user.email] = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert alice.email in texts[alice.email] and bob.email not in texts[alice.email]
    assert bob.email in texts[bob.email] and alice.email not in texts[bob.email]


@pytest.fixture
def video(course, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    module = add_module(course["programme"], "Vidéos")
    upload = SimpleUploadedFile("cours.mp4", video_bytes(1000), content_type="video/mp4")
    activity = add_activity(module, "video", "Vidéo", upload=upload)
    publish(course["programme"])
    return activity


def test_range_requests(client, enrolled, video):
    """R1.2: 206 with Content-Range, suffix and open ranges, 416 on bad ranges."""
    client.force_login(enrolled)
    url = reverse("learning:file", args=[video.uuid])
    data = video_bytes(1000)
    full = client.get(url)
    assert full.status_code == 200
    assert full["Accept-Ranges"] == "bytes"
    assert full["Content-Length"] == "1000"
    assert _body(full) == data

    part = client.get(url, HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206
    assert part["Content-Range"] == "bytes 0-99/1000"
    assert part["Content-Length"] == "100"
    assert _body(part) == data[:100]

    middle = client.get(url, HTTP_RANGE="bytes=500-")
    assert middle["Content-Range"] == "bytes 500-999/1000"
    assert _body(middle) == data[500:]

    suffix = client.get(url, HTTP_RANGE="bytes=-10")
    assert suffix["Content-Range"] == "bytes 990-999/1000"
    assert _body(suffix) == data[-10:]

    beyond = client.get(url, HTTP_RANGE="bytes=990-5000")
    assert beyond["Content-Range"] == "bytes 990-999/1000"

    for bad in ("bytes=1000-", "bytes=50-10", "bytes=abc", "bytes=-0", "bytes=-"):
        response = client.get(url, HTTP_RANGE=bad)
        assert response.status_code == 416, bad
        assert response["Content-Range"] == "bytes */1000"


def test_head_and_if_range(client, enrolled, video):
    """R1.2: HEAD gives the headers only; an outdated If-Range gets the whole file."""
    client.force_login(enrolled)
    url = reverse("learning:file", args=[video.uuid])
    head = client.head(url)
    assert head.status_code == 200 and head["Content-Length"] == "1000"
    assert head.content == b""
    modified = head["Last-Modified"]
    same = client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=modified)
    assert same.status_code == 206
    stale = client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE="Wed, 01 Jan 2020 00:00:00 GMT")
    assert stale.status_code == 200 and stale["Content-Length"] == "1000"


def test_range_request_refused_outside_window(client, make_user, video):
    """R6.2: a Range header does not bypass the access check."""
    client.force_login(make_user(role="learner"))
    response = client.get(reverse("learning:file", args=[video.uuid]), HTTP_RANGE="bytes=0-9")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "header,expected",
    [
        ("", None),
        ("items=0-1", None),
        ("bytes=0-1,4-5", None),
        ("bytes=0-0", (0, 0)),
        ("bytes=9-", (9, 9)),
        ("bytes=-20", (0, 9)),
    ],
)
def test_parse_range(header, expected):
    """R1.2: single ranges; other units and multiple ranges get the whole file."""
    assert files.parse_range(header, 10) == expected


def test_stamped_copies_are_purged(course, learner):
    """The per-day cache is cleaned by a job."""
    import os

    path = files.stamped_copy(course["document"], learner)
    assert path.exists()
    old = timezone.now().timestamp() - 3 * 86400
    os.utime(path, (old, old))
    assert files.purge_stamped() == 1
    assert not path.exists()


def test_rotated_and_odd_sized_pages_are_stamped():
    """R6.2: the stamp is written on rotated and non-A4 pages too."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(files.text_pdf([["Un"], ["Deux"]]))))
    writer.pages[0].rotate(90)
    writer.add_blank_page(width=200, height=100)
    buffer = io.BytesIO()
    writer.write(buffer)
    stamped = PdfReader(io.BytesIO(files.stamp_pdf(buffer.getvalue(), "Réservé à zoé@x.fr")))
    assert len(stamped.pages) == 3
    for page in stamped.pages:
        assert "Réservé à zoé@x.fr" in page.extract_text()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.integers(min_value=0, max_value=10_000))
def test_parse_range_never_crashes(header, size):
    """R1.2: any Range header gives a valid slice, the whole file, or 416."""
    try:
        result = files.parse_range(header, size)
    except files.Unsatisfiable:
        return
    if result is not None:
        start, end = result
        assert 0 <= start <= end < size


def test_hostile_file_names_do_not_break_headers():
    """R8.1: a learner's file name cannot inject a header."""
    value = core_files._disposition('a"b\r\nX-Evil: 1\\..pdf', True)
    assert "\r" not in value and "\n" not in value and '"b' not in value
    assert value.startswith('attachment; filename="abX-Evil: 1..pdf"')
