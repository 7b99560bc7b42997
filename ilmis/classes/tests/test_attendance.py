"""R10.2, R11.7: the join link and signing are for the session's learners only; per half-day
signatures inside the class window; the trainer signs and confirms; the PDF sheet."""

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ilmis.audit.models import AuditEvent
from ilmis.classes import services
from ilmis.classes.models import Attendance, Slot, TrainerSignature
from ilmis.enrolment.testing import enrol

from .conftest import paris
from .test_invitations import TEAMS, make_class

pytestmark = pytest.mark.django_db


def at(moment):
    """Freeze the clock the classes services and views read."""
    return mock.patch("ilmis.classes.services.clock", return_value=moment)


@pytest.fixture
def live_class(session, trainer, tomorrow):
    """Tomorrow 10:00-16:00 Paris time: a morning and an afternoon slot."""
    return make_class(session, trainer, tomorrow, start=10, end=16)


def test_slots_follow_paris_half_days(session, trainer, tomorrow):
    """R11.7: morning / afternoon derived from the class's times in Europe/Paris."""
    morning = make_class(session, trainer, tomorrow, start=9, end=12)
    both = make_class(session, trainer, tomorrow, start=10, end=16)
    afternoon = make_class(session, trainer, tomorrow, start=14, end=17)
    assert [s for s, _a, _b in morning.slots()] == [Slot.MORNING]
    assert [s for s, _a, _b in afternoon.slots()] == [Slot.AFTERNOON]
    assert [(s, a.hour, b.hour) for s, a, b in both.slots()] == [
        (Slot.MORNING, 10, 13),
        (Slot.AFTERNOON, 13, 16),
    ]


def test_outsider_cannot_see_join_link_or_sign(client, live_class, enrolled, outsider, tomorrow):
    """R10.2: a learner not in the session gets 403 with a reason, no Teams link, no signature."""
    client.force_login(enrolled)
    page = client.get(reverse("classes:detail", args=[live_class.pk])).content.decode()
    assert TEAMS in page

    client.force_login(outsider)
    response = client.get(reverse("classes:detail", args=[live_class.pk]))
    assert response.status_code == 403
    assert TEAMS not in response.content.decode()
    assert "réservée aux apprenants inscrits" in response.content.decode()
    with at(paris(tomorrow, 10, 5)):
        response = client.post(reverse("classes:sign", args=[live_class.pk]))
    assert response.status_code == 403
    assert not Attendance.objects.filter(learner=outsider).exists()
    assert outsider.email not in client.get(reverse("classes:index")).content.decode()


def test_learner_with_closed_access_window_refused(client, make_user, live_class, tomorrow):
    """R5.4 applies: a learner whose access has ended cannot see the link nor sign."""
    former = make_user(role="learner")
    enrol(
        former,
        live_class.session,
        start=timezone.now() - timedelta(days=100),
        end=timezone.now() - timedelta(days=1),
    )
    client.force_login(former)
    response = client.get(reverse("classes:detail", args=[live_class.pk]))
    assert response.status_code == 403 and "a pris fin" in response.content.decode()
    with at(paris(tomorrow, 10, 5)):
        assert client.post(reverse("classes:sign", args=[live_class.pk])).status_code == 403
    assert Attendance.objects.count() == 0


def test_learner_signs_each_half_day_with_time_and_ip(client, live_class, enrolled, tomorrow):
    """R10.2, R11.7: a click during the slot records time and IP; a second click changes
    nothing; the afternoon is signed separately."""
    client.force_login(enrolled)
    with at(paris(tomorrow, 10, 7)):
        response = client.post(
            reverse("classes:sign", args=[live_class.pk]), REMOTE_ADDR="198.51.100.7"
        )
        assert response.status_code == 302
        client.post(reverse("classes:sign", args=[live_class.pk]), REMOTE_ADDR="198.51.100.8")
    with at(paris(tomorrow, 13, 2)):
        client.post(reverse("classes:sign", args=[live_class.pk]), REMOTE_ADDR="198.51.100.9")
        page = client.get(reverse("classes:detail", args=[live_class.pk])).content.decode()
    records = {a.slot: a for a in Attendance.objects.filter(learner=enrolled)}
    assert set(records) == {"am", "pm"}
    assert records["am"].signed_at == paris(tomorrow, 10, 7)
    assert records["am"].signed_ip == "198.51.100.7"
    assert records["pm"].signed_at == paris(tomorrow, 13, 2)
    assert "signé à 10:07" in page and "signé à 13:02" in page
    assert AuditEvent.objects.filter(action="classes.signed_in").count() == 2


@pytest.mark.parametrize("hour, minute", [(9, 40), (16, 1), (20, 0)])
def test_signing_outside_the_class_window_refused(
    client, live_class, enrolled, tomorrow, hour, minute
):
    """R10.2: before the opening (15 min ahead) or after the end, the signature is refused with
    a message giving the class's times."""
    client.force_login(enrolled)
    with at(paris(tomorrow, hour, minute)):
        response = client.post(reverse("classes:sign", args=[live_class.pk]), follow=True)
    page = response.content.decode()
    assert "La signature n&#x27;est possible que pendant la classe" in page
    assert "matin de 10:00 à 13:00" in page
    assert Attendance.objects.count() == 0


def test_early_opening_allowed(client, live_class, enrolled, tomorrow):
    client.force_login(enrolled)
    with at(paris(tomorrow, 9, 50)):
        client.post(reverse("classes:sign", args=[live_class.pk]))
    assert Attendance.objects.get().slot == "am"


def test_signing_cancelled_class_refused(client, live_class, enrolled, trainer, tomorrow):
    services.cancel(live_class, by=trainer)
    client.force_login(enrolled)
    with at(paris(tomorrow, 10, 30)):
        response = client.post(reverse("classes:sign", args=[live_class.pk]), follow=True)
    assert "annulée" in response.content.decode()
    assert Attendance.objects.count() == 0


def test_trainer_signs_and_confirms(client, live_class, enrolled, trainer, make_user, tomorrow):
    """R11.7: the class's trainer signs each half-day and confirms presence or absence."""
    absent = make_user(role="learner", first_name="Hugo", last_name="Absent")
    enrol(absent, live_class.session)
    client.force_login(trainer)
    with at(paris(tomorrow, 9, 0)):
        client.post(reverse("classes:trainer_sign", args=[live_class.pk, "am"]))
    assert TrainerSignature.objects.count() == 0  # not before the half-day starts
    with at(paris(tomorrow, 12, 55)):
        client.post(
            reverse("classes:trainer_sign", args=[live_class.pk, "am"]), REMOTE_ADDR="203.0.113.5"
        )
        response = client.post(
            reverse("classes:attendance", args=[live_class.pk]),
            {
                f"a-{enrolled.pk}-am": "present",
                f"a-{absent.pk}-am": "absent",
                f"a-{enrolled.pk}-pm": "",
            },
        )
    assert response.status_code == 302
    signature = TrainerSignature.objects.get()
    assert signature.trainer == trainer and signature.signed_ip == "203.0.113.5"
    statuses = {(a.learner_id, a.slot): a.status for a in Attendance.objects.all()}
    assert statuses == {(enrolled.pk, "am"): "present", (absent.pk, "am"): "absent"}

    with at(paris(tomorrow, 12, 56)):
        client.post(
            reverse("classes:attendance", args=[live_class.pk]), {f"a-{enrolled.pk}-pm": "present"}
        )
    assert not Attendance.objects.filter(slot="pm").exists()  # afternoon not started


def test_other_trainer_and_learner_cannot_confirm(
    client, live_class, enrolled, make_user, tomorrow
):
    other = make_user(role="trainer")
    for user in (other, enrolled):
        client.force_login(user)
        with at(paris(tomorrow, 12)):
            response = client.post(
                reverse("classes:attendance", args=[live_class.pk]),
                {f"a-{enrolled.pk}-am": "present"},
            )
            assert response.status_code == 403
            response = client.post(reverse("classes:trainer_sign", args=[live_class.pk, "am"]))
            assert response.status_code == 403
        assert (
            client.get(reverse("classes:attendance_pdf", args=[live_class.pk])).status_code == 403
        )
    assert Attendance.objects.count() == 0 and TrainerSignature.objects.count() == 0


def test_attendance_sheet_pdf(client, live_class, enrolled, trainer, tomorrow):
    """R11.7: the PDF sheet names the session, programme, class, date, times, trainer, each
    learner with the time of their signature, and the trainer's signature."""
    client.force_login(enrolled)
    with at(paris(tomorrow, 10, 4)):
        client.post(reverse("classes:sign", args=[live_class.pk]))
    with at(paris(tomorrow, 13, 31)):
        client.post(reverse("classes:sign", args=[live_class.pk]))
    client.force_login(trainer)
    with at(paris(tomorrow, 16, 5)):
        client.post(reverse("classes:trainer_sign", args=[live_class.pk, "pm"]))
    response = client.get(reverse("classes:attendance_pdf", args=[live_class.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Feuille d’émargement" in text or "Feuille d'émargement" in text
    assert live_class.session.programme.title in text
    assert "Excel avancé — session de novembre" in text
    assert "Tableaux croisés dynamiques" in text
    assert enrolled.get_full_name() in text
    assert "Claire Fournier" in text
    assert "de 10:00 à 16:00" in text
    assert "Signé à 10:04" in text and "Signé à 13:31" in text
    assert f"Signé par Claire Fournier le {tomorrow:%d/%m/%Y} 16:05" in text
    assert tomorrow.strftime("%Y") in text


def test_sheet_queries_do_not_grow_with_learners(
    client, live_class, trainer, make_user, django_assert_max_num_queries
):
    for _n in range(3):
        enrol(make_user(role="learner"), live_class.session)
    client.force_login(trainer)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("classes:attendance", args=[live_class.pk]))
    for _n in range(12):
        enrol(make_user(role="learner"), live_class.session)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("classes:attendance", args=[live_class.pk]))
    assert page.content.decode().count('name="a-') == 15 * 2


def test_attendance_for_evidence_file(client, live_class, enrolled, trainer, outsider, tomorrow):
    """R11.4, R11.7: attendance_for(user) gives every half-day of the learner's classes, signed
    or not, with the trainer's decision; nothing for a learner of another session."""
    client.force_login(enrolled)
    with at(paris(tomorrow, 10, 4)):
        client.post(reverse("classes:sign", args=[live_class.pk]))
    with at(paris(tomorrow, 14)):
        services.confirm(
            live_class, {(enrolled.pk, "am"): "present", (enrolled.pk, "pm"): "absent"}, by=trainer
        )
    with at(paris(tomorrow, 17)):
        rows = services.attendance_for(enrolled)
        assert services.attendance_for(enrolled, session=live_class.session) == rows
        assert services.attendance_for(outsider) == []
    assert [(r["slot"], r["status"]) for r in rows] == [("am", "present"), ("pm", "absent")]
    assert rows[0]["signed_at"] == paris(tomorrow, 10, 4) and rows[1]["signed_at"] is None
    assert rows[0]["title"] == "Tableaux croisés dynamiques"
    assert rows[0]["trainer"] == "Claire Fournier"
    assert rows[0]["confirmed_by"] == "Claire Fournier"
    assert rows[0]["start"] == paris(tomorrow, 10) and rows[0]["end"] == paris(tomorrow, 16)
    with at(paris(tomorrow, 8)):
        assert services.attendance_for(enrolled) == []  # not started yet


def test_trainer_sees_every_slot_in_sheet_page(client, live_class, enrolled, trainer):
    client.force_login(trainer)
    page = client.get(reverse("classes:attendance", args=[live_class.pk])).content.decode()
    assert enrolled.get_full_name() in page
    assert f'name="a-{enrolled.pk}-am"' in page and f'name="a-{enrolled.pk}-pm"' in page
