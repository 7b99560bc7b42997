"""Surveys with reminders, indicator 2 rates, inactivity alerts, accessibility (R11.8)."""

import uuid
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ilmis.learning.services import mark_completed
from ilmis.tracking import services
from ilmis.tracking.models import AccessibilityNeed, Beat, InactivityAlert, Survey


def end_session(session, days_ago):
    session.start_date = timezone.localdate() - timedelta(days=days_ago + 30)
    session.end_date = timezone.localdate() - timedelta(days=days_ago)
    session.save()


def test_hot_survey_invitation_then_one_reminder_idempotent(alice, enrolment, session, mailbox):
    """R11.8: at the end, one invitation; a week later, one reminder; never more."""
    end_session(session, 0)
    now = timezone.now()
    assert services.send_survey_invitations(now) == 1
    assert services.send_survey_invitations(now) == 0  # same day: nothing new
    sent = mailbox()
    assert len(sent) == 1 and sent[0].to == [alice.email]
    survey = Survey.objects.get(kind="hot")
    assert reverse("tracking:survey", args=[survey.pk]) in sent[0].body
    mail.outbox.clear()
    assert services.send_survey_invitations(now + timedelta(days=3)) == 0
    assert services.send_survey_invitations(now + timedelta(days=8)) == 1
    assert "Rappel" in mailbox()[0].subject
    assert services.send_survey_invitations(now + timedelta(days=20)) == 0


def test_no_reminder_once_answered_and_cold_survey_after_delay(
    client, alice, enrolment, session, mailbox, settings
):
    """R11.8: an answered survey is never reminded; the cold one comes after the delay."""
    settings.ILMIS_COLD_SURVEY_DAYS = 60
    end_session(session, 0)
    now = timezone.now()
    services.send_survey_invitations(now)
    survey = Survey.objects.get(kind="hot")
    client.force_login(alice)
    response = client.post(
        reverse("tracking:survey", args=[survey.pk]),
        {"satisfaction": "4", "objectives": "5", "recommend": "1", "comment": "Bien"},
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.answered_at and survey.satisfaction == 4
    mailbox()
    assert services.send_survey_invitations(now + timedelta(days=10)) == 0
    assert services.send_survey_invitations(now + timedelta(days=61)) == 1
    assert Survey.objects.get(kind="cold").invited_at


def test_survey_refused_to_another_learner(client, make_user, alice, enrolment, session):
    end_session(session, 0)
    services.send_survey_invitations()
    survey = Survey.objects.get()
    client.force_login(make_user(role="learner"))
    response = client.post(
        reverse("tracking:survey", args=[survey.pk]),
        {"satisfaction": "1", "objectives": "1", "recommend": "0"},
    )
    assert response.status_code == 404
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_indicator_2_rates_with_sample_size(
    client, staff, alice, enrolment, session, activities, make_user
):
    """R11.8 (indicator 2): satisfaction, completion and success, with period and sample."""
    from ilmis.enrolment.testing import enrol

    end_session(session, 5)
    bob = enrol(make_user(role="learner"), session).learner
    for activity in activities:
        mark_completed(alice, activity)
    services.record_evaluation(enrolment, passed=True, evaluation="", by=staff)
    services.send_survey_invitations()
    survey = Survey.objects.get(enrolment=enrolment, kind="hot")
    services.answer_survey(survey, alice, satisfaction=5, objectives=4, recommend=True, comment="")
    [row] = services.rates([session])
    assert row["enrolled"] == 2 and row["responses"] == 1
    assert row["satisfaction"] == 5 and row["satisfied_rate"] == 100
    assert row["completion_rate"] == 50 and row["success_rate"] == 100 and row["evaluated"] == 1
    client.force_login(staff)
    page = client.get(reverse("tracking:quality")).content.decode()
    assert "<svg" in page and "Gestion de projet agile" in page and "50,0 %" in page
    csv_text = client.get(reverse("tracking:quality_export")).content.decode()
    assert session.code in csv_text and ";2;1;5" in csv_text
    client.force_login(bob)
    assert client.get(reverse("tracking:quality")).status_code == 403


def test_inactivity_alert_fires_once_per_period(
    alice, enrolment, activities, tutored, trainer, mailbox
):
    """R11.8 (indicator 12): N days without activity alerts the tutor once per period."""
    now = timezone.now()
    enrolment.access_start = now - timedelta(days=10)
    enrolment.save()
    Beat.objects.create(
        learner=alice, activity=activities[0], tab=uuid.uuid4(), seq=1, at=now - timedelta(days=3)
    )
    assert services.check_inactivity(now) == 0
    later = now + timedelta(days=5)  # 8 days since the last beat
    assert services.check_inactivity(later) == 1
    assert services.check_inactivity(later) == 0
    assert services.check_inactivity(later + timedelta(days=2)) == 0  # same period
    sent = mailbox()
    assert len(sent) == 1 and sent[0].to == [trainer.email] and "Alice Martin" in sent[0].body
    assert services.check_inactivity(later + timedelta(days=7)) == 1  # next period
    Beat.objects.create(learner=alice, activity=activities[0], tab=uuid.uuid4(), seq=2, at=later)
    assert services.check_inactivity(later + timedelta(days=3)) == 0  # active again


def test_follow_up_is_recorded(client, trainer, alice, enrolment, tutored, make_user):
    """R11.8 (indicator 12): the tutor records what they did."""
    services.check_inactivity(timezone.now() + timedelta(days=30))
    alert = InactivityAlert.objects.get()
    client.force_login(make_user(role="trainer"))
    client.post(reverse("tracking:alert_follow_up", args=[alert.pk]), {"text": "intrus"})
    alert.refresh_from_db()
    assert alert.followed_up_at is None
    client.force_login(trainer)
    client.post(reverse("tracking:alert_follow_up", args=[alert.pk]), {"text": ""})
    alert.refresh_from_db()
    assert alert.followed_up_at is None
    client.post(reverse("tracking:alert_follow_up", args=[alert.pk]), {"text": "Appel, relancée"})
    alert.refresh_from_db()
    assert alert.follow_up == "Appel, relancée" and alert.followed_up_by == trainer


def test_accessibility_needs_and_adaptations(client, alice, enrolment, staff, mailbox, settings):
    """R11.8 (indicator 26): declared to the disability contact, who records the adaptations."""
    client.force_login(alice)
    client.post(reverse("tracking:accessibility"), {"needs": "Malvoyante : gros caractères"})
    need = AccessibilityNeed.objects.get()
    sent = mailbox()
    assert [m.to for m in sent] == [[settings.ORGANISATION["disability_contact"]]]
    mail.outbox.clear()
    assert client.get(reverse("tracking:accessibility_register")).status_code == 403
    client.post(reverse("tracking:accessibility_adapt", args=[need.pk]), {"adaptations": "x"})
    need.refresh_from_db()
    assert need.handled_at is None
    client.force_login(staff)
    assert "Malvoyante" in client.get(reverse("tracking:accessibility_register")).content.decode()
    client.post(
        reverse("tracking:accessibility_adapt", args=[need.pk]),
        {"adaptations": "Documents en corps 18, temps majoré"},
    )
    need.refresh_from_db()
    assert need.handled_by == staff and "corps 18" in need.adaptations
    assert mailbox()[0].to == [alice.email]


def test_no_alert_once_everything_is_done(alice, enrolment, activities, tutored, mailbox):
    """R11.8: a learner who completed every activity is not chased."""
    for activity in activities:
        mark_completed(alice, activity, when=timezone.now() - timedelta(days=30))
    assert services.check_inactivity(timezone.now() + timedelta(days=30)) == 0
    assert not InactivityAlert.objects.exists()
