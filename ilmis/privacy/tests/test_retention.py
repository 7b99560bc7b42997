"""R11.9: retention periods are configuration; a job anonymises or deletes what has expired,
reports what it did, and is safe to run twice."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ilmis.accounts.models import FraudReport
from ilmis.audit.models import AuditEvent
from ilmis.enrolment.models import PreRegistration, Signature, Trainee
from ilmis.enrolment.testing import make_session
from ilmis.notifications.models import OutgoingEmail
from ilmis.privacy.models import RetentionRun
from ilmis.privacy.retention import KINDS, apply_retention

from .helpers import make_preregistration, populate

YEARS_AGO = timezone.now() - timedelta(days=2 * 365)


def age_everything(user):
    AuditEvent.objects.filter(actor=user).update(at=YEARS_AGO)
    OutgoingEmail.objects.filter(to__icontains=user.email).update(created_at=YEARS_AGO)
    FraudReport.objects.filter(user=user).update(reported_at=YEARS_AGO)
    from allauth.usersessions.models import UserSession

    UserSession.objects.filter(user=user).update(last_seen_at=YEARS_AGO)


def test_evidence_runs_to_the_end_of_the_year_plus_three_years():
    """R11.9: evidence is kept 3 years after the end of the year of the last payment."""
    now = timezone.make_aware(datetime(2026, 11, 26, 12, 0))
    cutoff = KINDS["evidence"].cutoff(now)
    assert timezone.localtime(cutoff).date() == date(2023, 1, 1)
    # A payment on 31/12/2022 is kept to 31/12/2025; one on 01/01/2023 to 31/12/2026.
    assert date(2022, 12, 31) < cutoff.date() <= date(2023, 1, 1)


def test_periods_are_configuration(settings):
    """R11.9: every period is a setting read with a default."""
    assert KINDS["security"].value == 365
    settings.ILMIS_RETENTION_SECURITY_DAYS = 30
    assert KINDS["security"].value == 30
    settings.ILMIS_RETENTION_EVIDENCE_YEARS = 5
    now = timezone.make_aware(datetime(2026, 6, 1))
    assert timezone.localtime(KINDS["evidence"].cutoff(now)).year == 2021


@pytest.mark.django_db
def test_retention_job_is_idempotent(make_user):
    """R11.9: expired security logs, emails and abandoned pre-registrations go; evidence older
    than its period is anonymised, recent evidence stays; a second run changes nothing."""
    old = make_user(role="learner", first_name="Ancien", last_name="Stagiaire")
    recent = make_user(role="learner", first_name="Recent", last_name="Stagiaire")
    today = timezone.localdate()
    long_ago = make_session(
        start_date=date(today.year - 5, 3, 1), end_date=date(today.year - 5, 6, 30)
    )
    last_year = make_session(
        start_date=date(today.year - 1, 3, 1), end_date=date(today.year - 1, 6, 30)
    )
    populate(old, session=long_ago)
    populate(recent, session=last_year)
    age_everything(old)
    abandoned = make_preregistration(old, signed=False)
    PreRegistration.objects.filter(pk=abandoned.pk).update(created_at=YEARS_AGO)
    fresh_abandoned = make_preregistration(recent, signed=False)

    dry = apply_retention(dry_run=True)
    assert dry.dry_run and dry.total > 0
    assert AuditEvent.objects.filter(actor=old).exists()  # nothing changed

    first = apply_retention()
    by_model = {}
    for entry in first.report:
        by_model[(entry["model"], entry["kind"])] = entry["count"]
    assert first.total == dry.total
    assert by_model[("audit.AuditEvent", "security")] >= 1
    assert by_model[("notifications.OutgoingEmail", "outbox")] >= 1
    assert by_model[("enrolment.PreRegistration", "preregistration")] == 1
    assert by_model[("enrolment.PreRegistration", "evidence")] == 1
    assert not AuditEvent.objects.filter(actor=old, action="account.profile_updated").exists()
    assert not OutgoingEmail.objects.filter(to__icontains=old.email).exists()
    assert not FraudReport.objects.filter(user=old).exists()
    abandoned.refresh_from_db()
    assert abandoned.email.endswith("@invalid") and abandoned.last_name == "[anonymisé]"
    signed_old = PreRegistration.objects.get(session=long_ago)
    assert signed_old.last_name == "[anonymisé]"
    assert not Signature.objects.get(preregistration=signed_old).signer_email.startswith("user")
    assert Trainee.objects.get(preregistration=signed_old).first_name == "[anonymisé]"
    assert not signed_old.agreements.get().pdf
    # Still within their periods: untouched.
    assert PreRegistration.objects.get(session=last_year).last_name == "Stagiaire"
    fresh_abandoned.refresh_from_db()
    assert fresh_abandoned.email == recent.email
    assert AuditEvent.objects.filter(actor=recent).exists()

    second = apply_retention()
    assert second.total == 0, [e for e in second.report if e["count"]]
    assert RetentionRun.objects.filter(dry_run=False).count() == 2


@pytest.mark.django_db
def test_command_dry_run_and_report(learner):
    """R11.9: `ilmis apply_retention --dry-run` prints what would change and changes nothing."""
    populate(learner)
    age_everything(learner)
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "would change" in text and "audit.AuditEvent" in text
    assert AuditEvent.objects.filter(actor=learner).exists()
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "did change" in out.getvalue()
    assert not AuditEvent.objects.filter(actor=learner, action="account.profile_updated").exists()
    run = RetentionRun.objects.filter(dry_run=False).get()
    assert run.finished_at and run.total > 0
    assert AuditEvent.objects.filter(action="privacy.retention_applied").exists()


@pytest.mark.django_db
def test_periodic_task_runs_the_job():
    """R11.9: the nightly Huey job applies retention and records its run."""
    from ilmis.privacy.tasks import apply_retention_task

    apply_retention_task.call_local()
    assert RetentionRun.objects.filter(dry_run=False).count() == 1


@pytest.mark.django_db
def test_staff_page_simulates(client, staff, learner):
    """R11.9: staff see the periods and past runs, and can simulate a run; learners cannot."""
    client.force_login(learner)
    assert client.post("/donnees-personnelles/equipe/conservation/").status_code == 403
    client.force_login(staff)
    response = client.post("/donnees-personnelles/equipe/conservation/")
    assert response.status_code == 302
    assert RetentionRun.objects.get().dry_run
    page = client.get("/donnees-personnelles/equipe/conservation/").content.decode()
    assert "ILMIS_RETENTION_EVIDENCE_YEARS" in page and "simulation" in page


@pytest.mark.django_db
def test_dormant_accounts_are_anonymised_once(make_user):
    """R11.9: an account with no login and no training access for the account period (3 years
    after the end of the year) is anonymised like an erasure, with its person client record;
    accounts still in use are not; a second run changes nothing."""
    from ilmis.accounts.models import Client, User
    from ilmis.core.testing import ClientFactory
    from ilmis.enrolment.testing import enrol

    long_ago = timezone.now() - timedelta(days=6 * 365)
    person = ClientFactory(kind="person", siret="", name="Dormant Personne")
    dormant = make_user(role="learner", client=person, first_name="Dormant")
    recent_login = make_user(role="learner", first_name="Connecte")
    still_enrolled = make_user(role="learner", first_name="Inscrit")
    staff_member = make_user(role="staff", first_name="Equipe")
    enrol(dormant, start=long_ago, end=long_ago + timedelta(days=90))
    enrol(still_enrolled, start=long_ago, end=timezone.now() + timedelta(days=30))
    User.objects.filter(
        pk__in=[dormant.pk, recent_login.pk, still_enrolled.pk, staff_member.pk]
    ).update(date_joined=long_ago, last_login=long_ago)
    User.objects.filter(pk=recent_login.pk).update(last_login=timezone.now())
    Client.objects.filter(pk=person.pk).update(created_at=long_ago)

    first = apply_retention()
    counts = {(e["model"], e["kind"]): e["count"] for e in first.report}
    assert counts[("accounts.User", "account")] == 1
    assert counts[("accounts.Client", "account")] == 1
    dormant.refresh_from_db()
    assert not dormant.is_active and dormant.email == f"anonyme-{dormant.pk}@invalid"
    assert not dormant.has_usable_password()
    assert Client.objects.get(pk=person.pk).name == "[anonymisé]"
    for kept in (recent_login, still_enrolled, staff_member):
        kept.refresh_from_db()
        assert kept.is_active and not kept.email.endswith("@invalid")

    second = apply_retention()
    assert second.total == 0


@pytest.mark.django_db
def test_closed_postal_requests_are_anonymised_after_a_year(staff):
    """R11.9: a request handled more than a year ago keeps its dates and type, not the person."""
    from ilmis.privacy import services
    from ilmis.privacy.models import PrivacyRequest

    request = services.create_request(
        kind="objection", channel="post", requester_name="Gaston Postal", by=staff
    )
    services.close(request, status="done", answer="Fait", by=staff)
    PrivacyRequest.objects.filter(pk=request.pk).update(closed_at=YEARS_AGO)
    apply_retention()
    request.refresh_from_db()
    assert request.requester_name == "[anonymisé]" and request.kind == "objection"
    assert apply_retention().total == 0
