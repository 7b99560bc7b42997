import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ilmis.audit.models import AuditEvent
from ilmis.core.testing import human_fields
from ilmis.enrolment import services
from ilmis.enrolment.models import Enrolment, PreRegistration
from ilmis.enrolment.testing import enrol, make_programme

from .helpers import last_email_to, new_request, signing_token, started_session

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _var(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def _form(**extra):
    return {
        "kind": "person",
        "first_name": "Léa",
        "last_name": "Moreau",
        "email": "lea@example.test",
        "phone": "06 11 22 33 44",
        "address": "5 rue des Lilas",
        "funder": "self",
        "consent": "on",
    } | extra


@pytest.mark.django_db
def test_person_preregisters_and_robot_is_refused(client):
    """R2.1, R3.2: a person's pre-registration is stored and acknowledged; a script's is not."""
    session = started_session()
    url = reverse("enrolment:preregister", args=[session.code])
    robot = client.post(url, _form())
    assert robot.status_code == 400 and not PreRegistration.objects.exists()
    response = client.post(url, _form() | human_fields(client, url))
    assert response.status_code == 302
    prereg = PreRegistration.objects.get()
    assert prereg.channel == "site" and prereg.trainees.count() == 1
    assert prereg.reference in last_email_to("lea@example.test", "reçue").subject


@pytest.mark.django_db
def test_company_form_errors_are_per_field(client):
    """R2.1 bad input: missing SIRET, bad learner line, wrong funder — each next to its field."""
    session = started_session()
    url = reverse("enrolment:preregister", args=[session.code])
    data = _form(
        kind="company",
        company_name="ACME",
        siret="12345678901234",
        trainees_text="Inès ; Petit\nHugo;Roux;pas-une-adresse",
        funder="cpf",
    )
    response = client.post(url, data | human_fields(client, url))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "siret" in errors and "funder" in errors
    assert any("Ligne 1" in e for e in errors["trainees_text"])
    assert any("Ligne 2" in e for e in errors["trainees_text"])
    assert not PreRegistration.objects.exists()
    good = _form(
        kind="company",
        company_name="ACME",
        siret="84123456700011",
        trainees_text="Inès ; Petit ; ines@acme.test\nHugo;Roux;hugo@acme.test",
        funder="opco",
        funder_name="OPCO Atlas",
    )
    assert client.post(url, good | human_fields(client, url)).status_code == 302
    assert PreRegistration.objects.get().trainees.count() == 2


@pytest.mark.django_db
def test_staff_records_phone_request_and_others_are_refused(client, staff, learner, manager):
    """R2.1: staff type in a phone request (channel stored); learners and managers get 403.
    R7.1: the file keeps what the funder needs (funder, file number, amount)."""
    session = started_session()
    url = reverse("enrolment:staff_request_new")
    for user in (learner, manager):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get(reverse("enrolment:staff_requests")).status_code == 403
    client.force_login(staff)
    data = _form(
        session=session.pk,
        channel="phone",
        funder="cpf",
        file_number="CPF-2026-42",
        funding_amount="890.00",
    )
    data.pop("consent")
    response = client.post(url, data)
    assert response.status_code == 302
    prereg = PreRegistration.objects.get()
    assert prereg.channel == "phone" and prereg.recorded_by == staff
    assert (prereg.funder, prereg.file_number, str(prereg.funding_amount)) == (
        "cpf",
        "CPF-2026-42",
        "890.00",
    )
    assert client.get(reverse("enrolment:staff_requests")).status_code == 200


@pytest.mark.django_db
def test_staff_list_query_count_constant(client, staff, django_assert_max_num_queries):
    """Scale: the staff list costs the same queries for 3 or 30 requests (paginated)."""
    session = started_session(capacity=100)
    client.force_login(staff)
    url = reverse("enrolment:staff_requests")
    pages = [url, reverse("enrolment:staff_enrolments"), reverse("enrolment:staff_credentials")]
    budget = {}
    for n in (3, 30):
        while PreRegistration.objects.count() < n:
            prereg = new_request(
                session=session, email=f"p{PreRegistration.objects.count()}@ex.test"
            )
            services.provision(prereg, now=timezone.now())
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(page).status_code == 200
            budget.setdefault(page, len(queries))
            with django_assert_max_num_queries(budget[page]):
                assert client.get(page).status_code == 200
    assert Enrolment.objects.count() == 30


@pytest.mark.django_db
def test_sign_in_the_browserless_way(client, staff, terms):
    """R2.3 through HTTP: consent → code by email → sign → confirmed; the link then explains."""
    prereg = new_request()
    client.force_login(staff)
    client.post(reverse("enrolment:staff_action", args=[prereg.pk, "accept"]))
    client.logout()
    token = signing_token(prereg.email)
    page = client.get(reverse("enrolment:sign", args=[token]))
    assert page.status_code == 200 and b"Recevoir mon code" in page.content
    pdf_response = client.get(reverse("enrolment:sign_pdf", args=[token]))
    assert pdf_response["Content-Type"] == "application/pdf"
    refused = client.post(reverse("enrolment:sign", args=[token]), {"read": "on"})
    assert "terms" in refused.context["form"].errors
    client.post(
        reverse("enrolment:sign", args=[token]),
        {"read": "on", "terms": "on", "esign": "on"},
        HTTP_USER_AGENT="TestBrowser/1.0",
        REMOTE_ADDR="203.0.113.9",
    )
    code = re.search(r"\d{6}", last_email_to(prereg.email, "code").subject).group(0)
    wrong = client.post(
        reverse("enrolment:sign_code", args=[token]),
        {"code": "000000" if code != "000000" else "111111"},
    )
    assert "4 essai" in wrong.content.decode()
    done = client.post(
        reverse("enrolment:sign_code", args=[token]),
        {"code": code},
        HTTP_USER_AGENT="TestBrowser/1.0",
        REMOTE_ADDR="203.0.113.9",
    )
    assert done.status_code == 302
    prereg.refresh_from_db()
    assert prereg.status == "confirmed"
    assert prereg.signature.ip == "203.0.113.9"
    assert prereg.signature.user_agent == "TestBrowser/1.0"
    again = client.get(reverse("enrolment:sign", args=[token]))
    assert again.status_code == 410 and "déjà signée" in again.content.decode()
    signed = client.get(reverse("enrolment:sign_pdf", args=[token]))
    assert b"".join(signed.streaming_content) == prereg.signature.signed_pdf.read()


@pytest.mark.django_db
def test_expired_and_unknown_links_explain_what_to_do(client, staff):
    """R2.3 bad input: an unknown link and a lapsed one each say what to do."""
    assert "pas valide" in client.get(reverse("enrolment:sign", args=["nope"])).content.decode()
    prereg = new_request()
    services.accept(prereg, by=staff, now=timezone.now() - timedelta(days=16))
    response = client.get(reverse("enrolment:sign", args=[signing_token(prereg.email)]))
    assert response.status_code == 410 and "caduque" in response.content.decode()


@pytest.mark.django_db
def test_scan_upload_checked_by_content_and_reviewed(client, staff):
    """R2.3: a fake PDF is refused; a PNG is accepted; staff reject with a reason, then accept."""
    prereg = new_request()
    services.accept(prereg, by=staff)
    token = signing_token(prereg.email)
    url = reverse("enrolment:sign_upload", args=[token])
    fake = SimpleUploadedFile("convention.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = client.post(url, {"file": fake})
    assert response.status_code == 400 and "ni un PDF" in response.content.decode()
    png_named_pdf = SimpleUploadedFile("convention.pdf", PNG, "application/pdf")
    assert "extension" in client.post(url, {"file": png_named_pdf}).content.decode()
    big = SimpleUploadedFile("scan.png", PNG + b"\x00" * (10 * 1024 * 1024), "image/png")
    assert "10 Mo" in client.post(url, {"file": big}).content.decode()
    prereg.refresh_from_db()
    assert prereg.status == "sent"
    assert client.post(url, {"file": SimpleUploadedFile("scan.png", PNG)}).status_code == 200
    prereg.refresh_from_db()
    assert prereg.status == "scan_submitted"
    scan = prereg.agreements.get().scans.get()
    client.force_login(staff)
    review = reverse("enrolment:staff_scan_review", args=[scan.pk])
    client.post(review, {"decision": "reject", "reason": ""})
    scan.refresh_from_db()
    assert scan.status == "pending"  # no reason: refused, nothing changed
    client.post(review, {"decision": "reject", "reason": "Page 2 manquante"})
    prereg.refresh_from_db()
    assert prereg.status == "sent"
    assert "Page 2 manquante" in last_email_to(prereg.email, "non acceptée").body
    client.logout()
    client.post(url, {"file": SimpleUploadedFile("scan2.png", PNG + b"2")})
    scan2 = prereg.agreements.get().scans.filter(status="pending").get()
    client.force_login(staff)
    client.post(reverse("enrolment:staff_scan_review", args=[scan2.pk]), {"decision": "accept"})
    prereg.refresh_from_db()
    assert prereg.status == "confirmed" and prereg.signature.method == "scan"


@pytest.mark.django_db
def test_public_verification_recognises_original_and_refuses_tampered(client, staff):
    """R2.3: the verification page matches an issued PDF; a modified one is not recognised."""
    prereg = new_request()
    agreement = services.accept(prereg, by=staff)
    data = agreement.pdf.read()
    url = reverse("enrolment:verify")
    ok = client.post(url, {"file": SimpleUploadedFile("c.pdf", data)})
    assert ok.context["result"]["match"] == "issued" and "Authentique" in ok.content.decode()
    tampered = data.replace(b"%%EOF", b"%%EOF\n% modified", 1)
    bad = client.post(url, {"file": SimpleUploadedFile("c.pdf", tampered)})
    assert bad.context["result"]["match"] is None and "Non reconnu" in bad.content.decode()


@pytest.mark.django_db
def test_who_sees_what(client, staff, terms, make_user, company):
    """Item 9: a learner sees their own agreements; a second learner is refused; the company's
    manager sees the company's; staff see all."""
    mine = new_request()
    services.accept(mine, by=staff)
    agreement = mine.agreements.get()
    owner = make_user(role="learner", email=mine.email)
    intruder = make_user(role="learner")
    client.force_login(owner)
    assert client.get(reverse("enrolment:agreement_pdf", args=[agreement.pk])).status_code == 200
    assert mine.reference in client.get(reverse("enrolment:mine")).content.decode()
    client.force_login(intruder)
    assert client.get(reverse("enrolment:agreement_pdf", args=[agreement.pk])).status_code == 404
    assert client.get(reverse("enrolment:withdraw", args=[mine.pk])).status_code == 404
    assert mine.reference not in client.get(reverse("enrolment:mine")).content.decode()

    boss = make_user(role="manager", client=company)
    other_boss = make_user(
        role="manager",
        client=__import__("ilmis.core.testing", fromlist=["ClientFactory"]).ClientFactory(),
    )
    employee = make_user(role="learner", client=company)
    enrolment = enrol(employee, make_programme(title="Programme entreprise"))
    client.force_login(boss)
    assert "Programme entreprise" in client.get(reverse("enrolment:mine")).content.decode()
    client.force_login(other_boss)
    assert "Programme entreprise" not in client.get(reverse("enrolment:mine")).content.decode()
    client.force_login(staff)
    assert client.get(reverse("enrolment:agreement_pdf", args=[agreement.pk])).status_code == 200
    assert client.get(reverse("enrolment:staff_enrolment", args=[enrolment.pk])).status_code == 200


@pytest.mark.django_db
def test_access_window_edited_by_staff_with_audit_and_learner_message(client, staff, make_user):
    """R5.4: outside the window the learner gets a clear message and no content; staff extend
    it (audited) and the content is back."""
    learner = make_user(role="learner")
    programme = make_programme(content="Module secret 42")
    now = timezone.now()
    enrolment = enrol(
        learner, programme, start=now - timedelta(days=30), end=now - timedelta(days=1)
    )
    client.force_login(learner)
    response = client.get(reverse("enrolment:learn", args=[programme.slug]))
    assert response.status_code == 403
    assert (
        "a pris fin" in response.content.decode()
        and "Module secret 42" not in response.content.decode()
    )
    client.force_login(staff)
    url = reverse("enrolment:staff_enrolment", args=[enrolment.pk])
    bad = client.post(
        url, {"access_start": "2026-01-10T10:00", "access_end": "2026-01-09T10:00", "reason": "x"}
    )
    assert bad.status_code == 400 and "postérieure" in bad.content.decode()
    end = timezone.localtime(now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    start = timezone.localtime(now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(
            url, {"access_start": start, "access_end": end, "reason": "Panne de la plateforme"}
        ).status_code
        == 302
    )
    event = AuditEvent.objects.get(action="enrolment.access_window_changed")
    assert event.actor == staff and event.data["reason"] == "Panne de la plateforme"
    client.force_login(learner)
    ok = client.get(reverse("enrolment:learn", args=[programme.slug]))
    assert ok.status_code == 200 and "Module secret 42" in ok.content.decode()
    other = make_user(role="learner")
    client.force_login(other)
    assert client.get(reverse("enrolment:learn", args=[programme.slug])).status_code == 403


@pytest.mark.django_db
def test_withdrawal_from_account_shows_schedule(client, staff, terms):
    """R2.5: the individual withdraws from their account; the page shows the payment schedule."""
    prereg = new_request()
    services.accept(prereg, by=staff)
    link = services.link_for_token(signing_token(prereg.email))
    services.send_code(link, terms_version=terms)
    code = re.search(r"\d{6}", last_email_to(prereg.email, "code").subject).group(0)
    services.sign_online(link, code, terms_version=terms)
    learner = Enrolment.objects.get(preregistration=prereg).learner
    client.force_login(learner)
    url = reverse("enrolment:withdraw", args=[prereg.pk])
    page = client.get(url).content.decode()
    assert "30 %" in page and "rétractation" in page
    assert client.post(url, {"confirm": "on"}).status_code == 302
    prereg.refresh_from_db()
    assert prereg.status == "withdrawn"


@pytest.mark.django_db
def test_staff_template_edit_is_versioned_and_checked(client, staff):
    """R2.2: staff edit the template; a broken one is refused; a good one is a new version used
    by the next agreement; server files cannot be pulled in."""
    client.force_login(staff)
    url = reverse("enrolment:staff_template", args=["contract"])
    assert client.get(url).status_code == 200
    broken = client.post(url, {"body": "{% if %}", "note": ""})
    assert broken.status_code == 400 and "Erreur" in broken.content.decode()
    sneaky = client.post(url, {"body": '{% include "base.html" %}', "note": ""})
    assert sneaky.status_code == 400
    body = "<h1>Contrat {{ reference }}</h1><p>{{ programme.title }}</p>"
    body += '<img src="file:///etc/passwd">'
    assert client.post(url, {"body": body, "note": "test"}).status_code == 302
    prereg = new_request()
    agreement = services.accept(prereg, by=staff)
    assert agreement.template.version == 2 and agreement.template.note == "test"
    import io

    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(agreement.pdf.read())).pages[0].extract_text()
    assert prereg.reference in text and "root:" not in text


@pytest.mark.django_db
def test_credentials_board_time_travel(staff, terms, client):
    """R4.2 time travel: pending → at risk after 72 h → overdue after 96 h; a failed email shows
    at once; a delivered one leaves the board."""
    from ilmis.notifications.models import OutgoingEmail

    prereg = new_request("company")
    services.accept(prereg, by=staff)
    link = services.link_for_token(signing_token(prereg.email))
    services.send_code(link, terms_version=terms)
    code = re.search(r"\d{6}", last_email_to(prereg.email, "code").subject).group(0)
    services.sign_online(link, code, terms_version=terms)
    ines, hugo = Enrolment.objects.order_by("learner__email").reverse()
    OutgoingEmail.objects.filter(pk__in=[ines.invitation_id, hugo.invitation_id]).update(
        status="queued"
    )
    now = timezone.now()

    def states(at):
        return dict(services.credentials_board(at).values_list("learner__email", "delivery"))

    assert set(states(now).values()) == {"pending"}
    assert set(states(now + timedelta(hours=73)).values()) == {"at_risk"}
    assert set(states(now + timedelta(hours=97)).values()) == {"overdue"}
    OutgoingEmail.objects.filter(pk=ines.invitation_id).update(status="failed", last_error="550")
    OutgoingEmail.objects.filter(pk=hugo.invitation_id).update(status="sent")
    assert states(now) == {"ines@atelier.test": "failed"}
    client.force_login(staff)
    page = client.get(reverse("enrolment:staff_credentials")).content.decode()
    assert "ines@atelier.test" in page and "hugo@atelier.test" not in page
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from ilmis.enrolment.dashboard import panels

    request = RequestFactory().get("/")
    request.user = staff
    (panel,) = panels(request)
    assert panel["enrolment_delivery"]["failed"] == 1
    assert "1 échec" in render_to_string(panel["template"], panel, request=request)


@pytest.mark.django_db
def test_company_convention_is_for_managers_not_employees(client, staff, terms):
    """Item 9: the company's convention goes to its manager; an employee sees their own
    enrolment but not the convention (prices, colleagues); another company's manager nothing."""
    from ilmis.accounts.models import User
    from ilmis.core.testing import ClientFactory

    prereg = new_request("company")
    agreement = services.accept(prereg, by=staff)
    link = services.link_for_token(signing_token(prereg.email))
    services.send_code(link, terms_version=terms)
    code = re.search(r"\d{6}", last_email_to(prereg.email, "code").subject).group(0)
    services.sign_online(link, code, terms_version=terms)
    url = reverse("enrolment:agreement_pdf", args=[agreement.pk])
    manager = User.objects.get(email=prereg.email)
    client.force_login(manager)
    assert client.get(url).status_code == 200
    assert "Inès Petit" in client.get(reverse("enrolment:mine")).content.decode()
    employee = User.objects.get(email="ines@atelier.test")
    client.force_login(employee)
    assert "/conditions/accepter/" in client.get(url)["Location"]  # R9.1 at first login
    from ilmis.core.testing import accept_current_terms

    accept_current_terms(employee)
    assert client.get(url).status_code == 404
    page = client.get(reverse("enrolment:mine")).content.decode()
    assert prereg.session.programme.title in page and "Hugo Roux" not in page
    stranger = User.objects.create_user(
        email="boss@other.test", role="manager", client=ClientFactory()
    )
    accept_current_terms(stranger)
    client.force_login(stranger)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_staff_file_page_through_its_life(client, staff, terms):
    """R2.2-R2.4 from the staff file page: decline needs a reason; reissue gives v2; the page
    shows documents, the 96-hour deadline and the history; an impossible action is refused."""
    client.force_login(staff)
    prereg = new_request()
    page = reverse("enrolment:staff_request", args=[prereg.pk])
    act = lambda action, **data: client.post(  # noqa: E731
        reverse("enrolment:staff_action", args=[prereg.pk, action]), data, follow=True
    )
    assert "Indiquez le motif" in act("decline", reason=" ").content.decode()
    act("accept")
    response = act("accept")
    assert "Action impossible (accepter la demande)" in response.content.decode()
    act("reissue")
    prereg.refresh_from_db()
    assert prereg.agreements.count() == 2
    link = services.link_for_token(signing_token(prereg.email))
    services.send_code(link, terms_version=terms)
    code = re.search(r"\d{6}", last_email_to(prereg.email, "code").subject).group(0)
    services.sign_online(link, code, terms_version=terms)
    html = client.get(page).content.decode()
    for text in (
        "v2",
        "v1",
        "remplacée",
        "Document signé",
        "enrolment.confirmed",
        "Identifiants à remettre avant",
        "CPF",
    ):
        assert text in html, text
    preview = client.get(reverse("enrolment:staff_template_preview", args=["convention"]))
    assert preview["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_signing_pages_do_not_leak_their_token_and_verify_is_rate_limited(client, staff):
    """R8.1: a token page sends no Referer to other sites and is not indexed; the public
    verification page is rate-limited per address."""
    from ilmis.enrolment import views

    prereg = new_request()
    services.accept(prereg, by=staff)
    response = client.get(reverse("enrolment:sign", args=[signing_token(prereg.email)]))
    assert response["Referrer-Policy"] == "same-origin" and "noindex" in response["X-Robots-Tag"]
    url = reverse("enrolment:verify")
    for _ in range(views.VERIFY_PER_HOUR):
        client.post(url, {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x")})
    refused = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x")})
    assert refused.context["result"] is None and "Trop de vérifications" in refused.content.decode()
