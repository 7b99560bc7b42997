"""R7.2, R7.3: requests received by post or email, one-month deadline, two-month extension,
staff dashboard, rectification through staff — every step audited."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ilmis.audit.models import AuditEvent
from ilmis.audit.services import history
from ilmis.privacy import services
from ilmis.privacy.models import PrivacyRequest, add_months

from .helpers import make_preregistration


@pytest.mark.parametrize(
    ("received", "months", "deadline"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 12, 20), 1, date(2027, 1, 20)),
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
    ],
)
def test_add_calendar_months(received, months, deadline):
    """R7.2: one calendar month (GDPR art. 12(3)), clamped to the month's last day."""
    assert add_months(received, months) == deadline


def staff_records(client, staff, **data):
    client.force_login(staff)
    fields = {
        "kind": "access",
        "channel": "post",
        "received_on": timezone.localdate().isoformat(),
        "requester_name": "Paul Courrier",
        "requester_email": "",
        "details": "Lettre recommandée reçue",
    } | data
    return client.post(reverse("privacy:staff_new"), fields)


@pytest.mark.django_db
def test_staff_record_a_postal_request_with_its_deadline(client, staff, learner, mailbox):
    """R7.2: staff record a request received by post; it is attached to the account by email,
    gets its one-month deadline from the date received, is acknowledged and audited."""
    received = timezone.localdate() - timedelta(days=3)
    response = staff_records(
        client,
        staff,
        kind="rectification",
        received_on=received.isoformat(),
        requester_email=learner.email.upper(),
    )
    assert response.status_code == 302
    request = PrivacyRequest.objects.get()
    assert request.user == learner
    assert request.channel == "post" and request.recorded_by == staff
    assert request.deadline == add_months(received, 1)
    assert [e.action for e in history(request)] == ["privacy.request_received"]
    assert any(request.reference in m.subject for m in mailbox() if learner.email in m.to)


@pytest.mark.django_db
def test_bad_input_is_refused_clearly(client, staff):
    """R7.2 bad input: a future date or no person is refused in French; nothing is written."""
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = staff_records(client, staff, received_on=tomorrow)
    assert response.status_code == 200
    assert "futur" in response.content.decode()
    response = staff_records(client, staff, requester_name="")
    assert response.status_code == 200
    assert PrivacyRequest.objects.count() == 0
    with pytest.raises(ValidationError):
        services.create_request(kind="access", channel="post", by=staff)


@pytest.mark.django_db
def test_learner_cannot_record_for_someone_else(learner, make_user):
    """R7.2 bad input: a request from an account is made by that account's person only."""
    other = make_user(role="learner")
    with pytest.raises(Exception, match="personne"):
        services.create_request(kind="access", channel="account", user=other, by=learner)
    assert PrivacyRequest.objects.count() == 0


@pytest.mark.django_db
def test_extension_by_two_months_once_with_a_notice(client, staff, learner, mailbox):
    """R7.2: the deadline is extended once, by two months, with the reason emailed to the person;
    a second extension, or one without a reason, or after the deadline passed, is refused."""
    received = timezone.localdate() - timedelta(days=10)
    request = services.create_request(
        kind="access", channel="email", user=learner, received_on=received, by=staff
    )
    mailbox()
    client.force_login(staff)
    detail = reverse("privacy:staff_detail", args=[request.pk])
    response = client.post(detail, {"action": "extend", "reason": ""})
    assert response.status_code == 200
    response = client.post(detail, {"action": "extend", "reason": "Demande complexe : archives"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.deadline == add_months(received, 3)
    notice = [m for m in mailbox() if "prolongé" in m.subject]
    assert notice and notice[0].to == [learner.email]
    assert "Demande complexe" in notice[0].body
    assert request.deadline.strftime("%d/%m/%Y") in notice[0].body
    with pytest.raises(ValidationError, match="déjà été prolongé"):
        services.extend(request, reason="encore", by=staff)
    late = services.create_request(
        kind="access",
        channel="post",
        requester_name="Tard",
        received_on=timezone.localdate() - timedelta(days=40),
        by=staff,
    )
    assert late.is_overdue()
    with pytest.raises(ValidationError, match="dépassé"):
        services.extend(late, reason="trop tard", by=staff)
    actions = list(
        AuditEvent.objects.filter(target_id=str(request.pk)).values_list("action", flat=True)
    )
    assert "privacy.request_extended" in actions


@pytest.mark.django_db
def render_panels(rf, user):
    """This app's dashboard panels as /tableau-de-bord/ includes them."""
    from django.template.loader import render_to_string

    from ilmis.privacy.dashboard import panels

    request = rf.get("/tableau-de-bord/")
    request.user = user
    return "".join(
        render_to_string(panel["template"], {"panel": panel, "user": user}, request=request)
        for panel in panels(request)
    )


@pytest.mark.django_db
def test_dashboard_shows_overdue_first(client, rf, staff, learner):
    """R7.2: open requests are on the staff dashboard, overdue ones first, with their deadline;
    a learner does not see them."""
    today = timezone.localdate()
    recent = services.create_request(
        kind="access", channel="post", requester_name="Récente", received_on=today, by=staff
    )
    overdue = services.create_request(
        kind="erasure",
        channel="email",
        requester_name="En retard",
        received_on=today - timedelta(days=45),
        by=staff,
    )
    closed = services.create_request(
        kind="objection", channel="post", requester_name="Close", received_on=today, by=staff
    )
    services.close(closed, status="done", answer="Fait", by=staff)
    page = render_panels(rf, staff)
    assert overdue.reference in page and recent.reference in page
    assert page.index(overdue.reference) < page.index(recent.reference)
    assert closed.reference not in page
    assert "en retard" in page
    client.force_login(staff)
    listing = client.get(reverse("privacy:staff_list")).content.decode()
    assert listing.index(overdue.reference) < listing.index(recent.reference)
    assert "en retard" in listing

    page = render_panels(rf, learner)
    assert overdue.reference not in page
    assert reverse("privacy:home") in page
    client.force_login(learner)
    assert client.get(reverse("privacy:staff_list")).status_code == 403
    assert client.get(reverse("privacy:staff_detail", args=[recent.pk])).status_code == 403


@pytest.mark.django_db
def test_close_and_refuse(client, staff, learner, mailbox):
    """R7.2: a refusal needs a reason; closing tells the person and is audited."""
    request = services.create_request(kind="objection", channel="account", user=learner, by=learner)
    mailbox()
    with pytest.raises(ValidationError, match="motivé"):
        services.close(request, status="refused", answer="", by=staff)
    services.close(request, status="refused", answer="Traitement nécessaire au contrat", by=staff)
    request.refresh_from_db()
    assert request.status == "refused" and request.closed_at
    assert any("Traitement nécessaire" in m.body for m in mailbox())
    with pytest.raises(ValidationError):
        services.close(request, status="done", answer="", by=staff)
    with pytest.raises(Exception, match="équipe"):
        services.close(request, status="done", answer="", by=learner)


@pytest.mark.django_db
def test_rectification_of_signed_documents_through_staff(client, learner, staff):
    """R7.2 rectification: the learner asks to correct what their signed documents print; staff
    apply it to every declared record and the account, with an audit record."""
    prereg = make_preregistration(learner)
    client.force_login(learner)
    page = client.get(reverse("privacy:rectification")).content.decode()
    assert learner.last_name in page
    response = client.post(reverse("privacy:rectification"), {"details": "rien"})
    assert response.status_code == 200 and "au moins une" in response.content.decode()
    response = client.post(
        reverse("privacy:rectification"),
        {"last_name": "Nouveau-Nom", "address": "5 rue Juste, 75001 Paris", "details": "Mariage"},
    )
    assert response.status_code == 302
    request = PrivacyRequest.objects.get(kind="rectification")
    assert request.changes == {"last_name": "Nouveau-Nom", "address": "5 rue Juste, 75001 Paris"}
    # Nothing changes until staff apply it.
    prereg.refresh_from_db()
    assert prereg.last_name != "Nouveau-Nom"

    client.force_login(staff)
    detail = reverse("privacy:staff_detail", args=[request.pk])
    assert "Nouveau-Nom" in client.get(detail).content.decode()
    response = client.post(
        detail,
        {"action": "rectify", "last_name": "Nouveau-Nom", "address": "5 rue Juste, 75001 Paris"},
    )
    assert response.status_code == 302
    prereg.refresh_from_db()
    learner.refresh_from_db()
    assert prereg.last_name == "Nouveau-Nom" and prereg.address.startswith("5 rue Juste")
    assert prereg.trainees.get().last_name == "Nouveau-Nom"
    assert learner.last_name == "Nouveau-Nom"
    # The signature stays as signed: it is evidence.
    assert prereg.signature.signer_name != f"{learner.first_name} Nouveau-Nom"
    event = AuditEvent.objects.get(action="privacy.rectification_applied")
    assert event.actor == staff
    assert "enrolment.PreRegistration" in event.data["changed"]
    request.refresh_from_db()
    assert request.status == "done"


@pytest.mark.django_db
def test_learner_pages_work_and_link_to_privacy_page(client, learner):
    """R7.3: the person's data page links to the privacy page (postal address, contact email)."""
    client.force_login(learner)
    page = client.get(reverse("privacy:home")).content.decode()
    assert reverse("core:privacy") in page
    assert reverse("privacy:rectification") in page and reverse("privacy:erasure") in page
    assert "3 ans" in page or "3 ans après" in page


@pytest.mark.django_db
def test_postal_request_linked_to_the_account_then_erased(client, staff, learner):
    """R7.2: a request received by post without a matching email is attached to the account by
    staff (audited), then handled like one made from the account."""
    response = staff_records(client, staff, kind="erasure", requester_name="Signature illisible")
    assert response.status_code == 302
    request = PrivacyRequest.objects.get()
    assert request.user is None
    detail = reverse("privacy:staff_detail", args=[request.pk])
    page = client.get(detail).content.decode()
    assert "Rattacher" in page and "Anonymiser maintenant" not in page
    response = client.post(detail, {"action": "link", "email": "personne@nulle.part"})
    assert response.status_code == 200 and "Aucun compte" in response.content.decode()
    response = client.post(detail, {"action": "link", "email": learner.email})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.user == learner
    assert "privacy.request_linked" in [e.action for e in history(request)]
    assert client.post(detail, {"action": "erase", "confirm": "on"}).status_code == 302
    learner.refresh_from_db()
    assert not learner.is_active
