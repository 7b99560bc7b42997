"""R7.2 withdrawal (erasure), R11.9 / GDPR 17(3): anonymised everywhere, kept where the law says."""

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ilmis.accounts.models import User
from ilmis.audit.models import AuditEvent
from ilmis.enrolment.testing import enrol, make_session
from ilmis.privacy import services
from ilmis.privacy.models import PrivacyRequest
from ilmis.privacy.tasks import scrub_notices_task

from .helpers import find_strings, populate


def erasure_request(user):
    return services.create_request(
        kind=PrivacyRequest.Kind.ERASURE,
        channel=PrivacyRequest.Channel.ACCOUNT,
        user=user,
        details="Merci d'effacer mes données",
        by=user,
    )


def finished_training(user):
    """A training that has ended: nothing ongoing, evidence kept."""
    session = make_session(
        start_date=timezone.localdate() - timedelta(days=120),
        end_date=timezone.localdate() - timedelta(days=100),
    )
    records = populate(user, session=session)
    enrolment = records["enrolment"]
    enrolment.access_start = timezone.now() - timedelta(days=120)
    enrolment.access_end = timezone.now() - timedelta(days=30)
    enrolment.save()
    return records


@pytest.mark.django_db
def test_anonymisation_leaves_no_trace(client, make_user, staff, mailbox):
    """R7.2: after erasure no record (outside what the law keeps) holds the original name,
    email or IP; the account is inactive, unusable and has a placeholder email; the person is
    told by email with a link to a page; kept records are still there."""
    person = make_user(role="learner", first_name="Zéphyrin", last_name="Quillard")
    bystander = make_user(role="learner", first_name="Odile", last_name="Témoin")
    records = finished_training(person)
    populate(bystander)
    # Someone else mentions the person in free text: the sweep replaces it too.
    AuditEvent.objects.create(
        action="support.note", actor=staff, data={"note": "Appel de Zéphyrin Quillard"}
    )
    original = [person.email, "Zéphyrin Quillard", "Quillard Zéphyrin", "203.0.113.7"]
    screenshot = records["incident"].screenshot.path
    assert find_strings(original)  # the search does find them before

    request = erasure_request(person)
    client.force_login(staff)
    response = client.post(
        reverse("privacy:staff_detail", args=[request.pk]), {"action": "erase", "confirm": "on"}
    )
    assert response.status_code == 302

    person.refresh_from_db()
    assert not person.is_active
    assert not person.has_usable_password()
    assert person.email == f"anonyme-{person.pk}@invalid"
    request.refresh_from_db()
    # Only the notice telling the person keeps their address, until it is delivered.
    assert find_strings(original) == [("notifications.OutgoingEmail", request.notice_id, "to")]
    assert not os.path.exists(screenshot)
    # What the law requires is kept: the signed contract file, the signature, the enrolment.
    prereg = records["prereg"]
    prereg.refresh_from_db()
    assert prereg.last_name == "Quillard"
    assert prereg.signature.signer_email != ""
    assert person.enrolments.count() == 1
    # The bystander is untouched.
    bystander.refresh_from_db()
    assert bystander.is_active and bystander.first_name == "Odile"
    assert find_strings([bystander.email])

    assert request.status == PrivacyRequest.Status.DONE
    assert request.outcome["plan"]
    sent = mailbox()
    notice = [m for m in sent if "effacées" in m.subject]
    assert notice and notice[0].to == [original[0]]
    assert "/donnees-personnelles/effacement/effectue/" in notice[0].body
    scrub_notices_task()
    assert find_strings(original) == []
    url = notice[0].body.split(settings.SITE_URL)[1].split()[0]
    client.logout()
    page = client.get(url)
    assert page.status_code == 200
    assert "conservé" in page.content.decode()
    assert client.get(url[:-3] + "xx/").status_code == 404
    # The erasure itself is audited (without the name).
    assert AuditEvent.objects.filter(action="privacy.erased", target_id=str(person.pk)).exists()


@pytest.mark.django_db
def test_erasure_is_one_transaction(make_user, staff, monkeypatch):
    """R7.2: if anything fails midway, nothing is anonymised."""
    person = make_user(role="learner", first_name="Rollback", last_name="Total")
    populate(person)
    request = erasure_request(person)
    from ilmis.privacy import services as module

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "sweep", boom)
    with pytest.raises(RuntimeError):
        services.erase(request, by=staff, confirm_ongoing=True)
    person.refresh_from_db()
    assert person.is_active and person.last_name == "Total"
    assert find_strings([person.email])
    request.refresh_from_db()
    assert request.is_open


@pytest.mark.django_db
def test_ongoing_training_is_explained_and_needs_a_decision(client, learner, staff):
    """R7.2 bad input: an erasure request for a learner with an ongoing training explains what
    happens; staff must confirm that erasure ends the access, or nothing is done."""
    enrolment = enrol(learner)
    client.force_login(learner)
    page = client.get(reverse("privacy:erasure")).content.decode()
    assert "formation en cours" in page
    assert str(enrolment.session) in page
    # The person must acknowledge it too.
    response = client.post(reverse("privacy:erasure"), {"understood": "on"})
    assert response.status_code == 200
    assert not PrivacyRequest.objects.exists()
    response = client.post(reverse("privacy:erasure"), {"understood": "on", "end_training": "on"})
    assert response.status_code == 302
    request = PrivacyRequest.objects.get()
    assert "Formation en cours" in request.details

    client.force_login(staff)
    detail = reverse("privacy:staff_detail", args=[request.pk])
    assert "Formation en cours" in client.get(detail).content.decode()
    response = client.post(detail, {"action": "erase", "confirm": "on"})
    assert response.status_code == 200  # form error: the decision is missing
    learner.refresh_from_db()
    assert learner.is_active
    with pytest.raises(ValidationError):
        services.erase(request, by=staff)
    response = client.post(detail, {"action": "erase", "confirm": "on", "confirm_ongoing": "on"})
    assert response.status_code == 302
    learner.refresh_from_db()
    assert not learner.is_active


@pytest.mark.django_db
def test_only_staff_erase_and_only_once(client, learner, make_user, staff):
    """R7.2: a learner cannot erase anyone (not even through the staff page); a second erasure
    of the same request is refused with a clear message."""
    other = make_user(role="learner")
    request = erasure_request(other)
    client.force_login(learner)
    response = client.post(
        reverse("privacy:staff_detail", args=[request.pk]), {"action": "erase", "confirm": "on"}
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.is_active
    services.erase(request, by=staff)
    with pytest.raises(ValidationError, match="close"):
        services.erase(request, by=staff)


@pytest.mark.django_db
def test_user_model_instance_cannot_log_in_after(client, learner, staff):
    """R7.2: the anonymised account cannot sign in any more (sessions ended)."""
    client.force_login(learner)
    assert client.get(reverse("privacy:home")).status_code == 200
    request = erasure_request(learner)
    services.erase(request, by=staff)
    response = client.get(reverse("privacy:home"))
    assert response.status_code == 302
    assert not User.objects.get(pk=learner.pk).is_active


@pytest.mark.django_db
def test_kept_scorm_attempt_loses_the_name_but_keeps_the_score(learner, staff):
    """R7.2, R11.3: an evaluation is evidence and is kept, with its score; the learner's name
    inside the SCORM run-time data (cmi.core.student_name, "Last, First") is replaced."""
    from ilmis.scorm.models import Sco, ScormAttempt, ScormPackage

    package = ScormPackage.objects.create(title="Paquet", version="1.2", manifest={})
    sco = Sco.objects.create(
        package=package, position=1, identifier="sco1", title="Leçon", launch="index.html"
    )
    attempt = ScormAttempt.objects.create(
        learner=learner,
        sco=sco,
        number=1,
        data={"cmi.core.student_name": f"{learner.last_name}, {learner.first_name}"},
        score_raw=87,
    )
    services.erase(erasure_request(learner), by=staff)
    attempt.refresh_from_db()
    assert attempt.score_raw == 87
    assert learner.last_name not in str(attempt.data)
    assert attempt.learner_id == learner.pk
