from datetime import timedelta

import pytest
from django.utils import timezone

from ilmis.audit.models import AuditEvent
from ilmis.enrolment import access, pdf, services
from ilmis.enrolment.models import Enrolment, PreRegistration, Signature
from ilmis.enrolment.services import TransitionError
from ilmis.legal.models import TermsAcceptance

from .helpers import last_code, last_email_to, new_request, signing_token


@pytest.fixture(autouse=True)
def _var(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def _sign(prereg, terms, now=None):
    link = services.link_for_token(signing_token(prereg.email))
    services.send_code(link, terms_version=terms, now=now)
    return services.sign_online(link, last_code(prereg.email), terms_version=terms, now=now)


@pytest.mark.django_db
def test_individual_full_path_confirms_provisions_and_seals(staff, terms):
    """R2.1-R2.4, R4.2, R9.1: request → accept → sign with OTP → confirmed, sealed, provisioned."""
    prereg = new_request()
    assert "reçu" in last_email_to(prereg.email, "préinscription").subject
    agreement = services.accept(prereg, by=staff)
    prereg.refresh_from_db()
    assert prereg.status == "sent"
    assert prereg.sign_deadline == prereg.sent_at + timedelta(days=15)
    data = agreement.pdf.read()
    assert pdf.sha256(data) == agreement.sha256 and data.startswith(b"%PDF-")
    _sign(prereg, terms)
    prereg.refresh_from_db()
    assert prereg.status == "confirmed" and prereg.confirmed_at and prereg.signed_at
    signature = Signature.objects.get(preregistration=prereg)
    assert signature.document_sha256 == agreement.sha256
    sealed = signature.signed_pdf.read()
    assert pdf.sha256(sealed) == signature.signed_sha256 != agreement.sha256
    assert b"/ByteRange" in sealed  # a PAdES signature dictionary
    enrolment = Enrolment.objects.get(preregistration=prereg)
    learner = enrolment.learner
    assert learner.email == prereg.email and not learner.has_usable_password()
    assert enrolment.invitation is not None and enrolment.account_created
    assert TermsAcceptance.objects.filter(user=learner, version=terms).exists()
    assert access.has_access(learner, prereg.session.programme)
    actions = set(
        AuditEvent.objects.filter(target_id=str(prereg.pk)).values_list("action", flat=True)
    )
    assert {"enrolment.preregistered", "enrolment.accepted", "enrolment.confirmed"} <= actions


@pytest.mark.django_db
def test_sealed_pdf_validates_with_pyhanko(staff, terms):
    """R2.3: the final PDF carries a valid, intact seal; a tampered copy is not recognised."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    prereg = new_request()
    services.accept(prereg, by=staff)
    _sign(prereg, terms)
    signature = Signature.objects.get(preregistration=prereg)
    sealed = signature.signed_pdf.read()
    cert_path, _key, _demo = pdf.signing_material()
    from asn1crypto import pem, x509

    _type, _headers, der = pem.unarmor(cert_path.read_bytes())
    context = ValidationContext(trust_roots=[x509.Certificate.load(der)])
    import io

    reader = PdfFileReader(io.BytesIO(sealed))
    status = validate_pdf_signature(reader.embedded_signatures[0], context)
    assert status.intact and status.valid
    assert services.verify(sealed)["match"] == "signed"
    tampered = sealed.replace(b"Contrat de formation", b"Contrat de formatioN", 1)
    assert services.verify(tampered)["match"] is None


@pytest.mark.django_db
def test_company_request_creates_client_manager_and_two_learners(staff, terms):
    """R2.2 convention for a company; R4.2 each named learner gets an account and an invite."""
    prereg = new_request("company")
    agreement = services.accept(prereg, by=staff)
    assert agreement.kind == "convention"
    _sign(prereg, terms)
    prereg.refresh_from_db()
    assert prereg.client.kind == "company" and prereg.client.siret == "84123456700011"
    enrolments = Enrolment.objects.filter(preregistration=prereg).select_related("learner")
    assert sorted(e.learner.email for e in enrolments) == ["hugo@atelier.test", "ines@atelier.test"]
    assert all(e.learner.client_id == prereg.client_id for e in enrolments)
    assert all(e.invitation_id for e in enrolments)
    from ilmis.accounts.models import User

    manager = User.objects.get(email="paul.bernard@atelier.test")
    assert manager.role == "manager" and manager.client_id == prereg.client_id


@pytest.mark.django_db
def test_existing_account_is_reused(staff, terms, learner):
    """R4.2: an existing account is reused; someone who already has credentials gets a notice."""
    prereg = new_request(email=learner.email)
    services.accept(prereg, by=staff)
    _sign(prereg, terms)
    enrolment = Enrolment.objects.get(preregistration=prereg)
    assert enrolment.learner == learner
    assert enrolment.had_credentials and not enrolment.account_created
    assert "ouverte" in last_email_to(learner.email, "est ouverte").subject


@pytest.mark.django_db
def test_wrong_code_five_times_locks_until_reissue(staff, terms):
    """R2.3 bad input: 5 wrong codes lock the link; the right code no longer works; reissue."""
    prereg = new_request()
    services.accept(prereg, by=staff)
    token = signing_token(prereg.email)
    link = services.link_for_token(token)
    services.send_code(link, terms_version=terms)
    good = last_code(prereg.email)
    wrong = "000000" if good != "000000" else "111111"
    for _attempt in range(1, 6):
        with pytest.raises(TransitionError) as error:
            services.sign_online(link, wrong, terms_version=terms)
    assert "verrouillé" in str(error.value)
    with pytest.raises(TransitionError, match="verrouillé"):
        services.sign_online(link, good, terms_version=terms)
    prereg.refresh_from_db()
    assert prereg.status == "sent"
    services.reissue(prereg, by=staff)
    assert "remplacé" in services.link_problem(services.link_for_token(token))
    new_link = services.link_for_token(signing_token(prereg.email))
    assert services.link_problem(new_link) is None


@pytest.mark.django_db
def test_code_expires_after_ten_minutes(staff, terms):
    """R2.3: the one-time code is valid 10 minutes."""
    prereg = new_request()
    services.accept(prereg, by=staff)
    link = services.link_for_token(signing_token(prereg.email))
    start = timezone.now()
    services.send_code(link, terms_version=terms, now=start)
    code = last_code(prereg.email)
    with pytest.raises(TransitionError, match="expiré"):
        services.sign_online(link, code, terms_version=terms, now=start + timedelta(minutes=11))
    services.sign_online(link, code, terms_version=terms, now=start + timedelta(minutes=9))
    prereg.refresh_from_db()
    assert prereg.status == "confirmed"


@pytest.mark.django_db
def test_lapse_after_fifteen_days_is_derived_and_reissue_restarts(staff, terms):
    """R2.4 time travel: lapsed after 15 days with no job; signing refused; reissue restarts."""
    prereg = new_request()
    sent = timezone.now()
    services.accept(prereg, by=staff, now=sent)
    prereg.refresh_from_db()
    assert prereg.state(sent + timedelta(days=14, hours=23)) == "sent"
    later = sent + timedelta(days=15, seconds=1)
    assert prereg.state(later) == "lapsed"
    assert PreRegistration.objects.lapsed(later).filter(pk=prereg.pk).exists()
    assert PreRegistration.objects.with_state(later).get(pk=prereg.pk).state == "lapsed"
    link = services.link_for_token(signing_token(prereg.email))
    with pytest.raises(TransitionError, match="caduque"):
        services.send_code(link, terms_version=terms, now=later)
    services.reissue(prereg, by=staff, now=later)
    prereg.refresh_from_db()
    assert prereg.state(later) == "sent"
    assert prereg.sign_deadline == later + timedelta(days=15)
    assert prereg.agreements.count() == 2


@pytest.mark.django_db
def test_impossible_transitions_are_refused_and_change_nothing(staff, terms):
    """R2.4: refusing is explicit, and nothing is written."""
    prereg = new_request()
    with pytest.raises(TransitionError, match="renvoyer"):
        services.reissue(prereg, by=staff)
    with pytest.raises(TransitionError, match="rétracter"):
        services.withdraw(prereg, by=staff)
    services.decline(prereg, by=staff, reason="Session annulée")
    count = AuditEvent.objects.count()
    with pytest.raises(TransitionError, match="accepter"):
        services.accept(prereg, by=staff)
    prereg.refresh_from_db()
    assert prereg.status == "declined" and prereg.agreements.count() == 0
    assert AuditEvent.objects.count() == count


@pytest.mark.django_db
def test_reminders_day_7_and_13_once_each(staff, terms):
    """R2.4: reminders at day 7 and 13, idempotent, none after signing or lapse."""
    prereg = new_request()
    sent = timezone.now()
    services.accept(prereg, by=staff, now=sent)
    assert services.send_reminders(sent + timedelta(days=6)) == 0
    assert services.send_reminders(sent + timedelta(days=7, hours=1)) == 1
    assert services.send_reminders(sent + timedelta(days=7, hours=2)) == 0
    assert services.send_reminders(sent + timedelta(days=13, hours=1)) == 1
    assert services.send_reminders(sent + timedelta(days=14)) == 0
    assert services.send_reminders(sent + timedelta(days=16)) == 0
    reminder = last_email_to(prereg.email, "Rappel")
    assert "/inscription/signer/" in reminder.body


@pytest.mark.django_db
def test_withdrawal_within_ten_days_only_for_individuals(staff, terms):
    """R2.5 time travel: withdrawal allowed up to 10 days after signing, then refused."""
    prereg = new_request()
    services.accept(prereg, by=staff)
    signed = timezone.now()
    _sign(prereg, terms, now=signed)
    prereg.refresh_from_db()
    with pytest.raises(TransitionError, match="pris fin"):
        services.withdraw(prereg, by=staff, now=signed + timedelta(days=10, minutes=1))
    services.withdraw(
        prereg, by=staff, reason="Changement de projet", now=signed + timedelta(days=9)
    )
    prereg.refresh_from_db()
    assert prereg.status == "withdrawn"
    enrolment = Enrolment.objects.get(preregistration=prereg)
    assert enrolment.status == "withdrawn"
    assert not access.has_access(enrolment.learner, prereg.session.programme)

    company = new_request("company")
    services.accept(company, by=staff)
    _sign(company, terms)
    with pytest.raises(TransitionError, match="particulier"):
        services.withdraw(company, by=staff)


@pytest.mark.django_db
def test_payment_schedule_respects_the_30_percent_rule(staff):
    """R2.5, L6353-6: first payment at most 30 % after the withdrawal period, total matches."""
    from decimal import Decimal

    prereg = new_request()
    schedule = pdf.payment_schedule(prereg)
    amounts = [
        Decimal(
            line["amount"]
            .replace("\u202f", "")
            .replace("\xa0", "")
            .replace(" ", "")
            .replace("€", "")
            .replace(",", ".")
        )
        for line in schedule["lines"]
    ]
    total = prereg.session.effective_price
    assert sum(amounts) == total
    assert amounts[0] <= total * Decimal("0.30")
    assert "rétractation" in schedule["lines"][0]["when"]
