"""R11.8 (Qualiopi indicator 31): the complaints register, from receipt to closure, CSV export."""

import csv
import io

import pytest

from ilmis.audit.models import AuditEvent
from ilmis.support.models import Complaint

pytestmark = pytest.mark.django_db


def test_learner_files_a_complaint_from_the_form(client, learner, mailbox, settings):
    """R11.8: a learner's complaint enters the register with channel "form"; the desk is told."""
    settings.STAFF_ALERT_EMAILS = ["qualite@ilmis.example"]
    client.force_login(learner)
    response = client.post(
        "/assistance/reclamation/",
        {
            "kind": "complaint",
            "subject": "Formateur injoignable",
            "description": "Pas de réponse depuis deux semaines.",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.source, complaint.user) == ("form", "learner", learner)
    assert complaint.email == learner.email
    assert any(m.to == ["qualite@ilmis.example"] for m in mailbox())
    assert "Formateur injoignable" in client.get("/assistance/").content.decode()
    response = client.post("/assistance/reclamation/", {"kind": "complaint", "subject": ""})
    assert response.status_code == 200
    assert Complaint.objects.count() == 1


def test_staff_record_a_phone_complaint_and_take_it_to_closure(client, staff, mailbox):
    """R11.8: receipt → acknowledgement → answer → closure, each dated, audited, and emailed
    to the sender when an address is known; steps cannot be skipped."""
    client.force_login(staff)
    response = client.post(
        "/assistance/equipe/reclamations/nouvelle/",
        {
            "kind": "difficulty",
            "source": "funder",
            "channel": "phone",
            "name": "OPCO Atlas",
            "organisation": "OPCO Atlas",
            "email": "suivi@opco.example",
            "phone": "",
            "subject": "Feuilles d'émargement manquantes",
            "description": "Session de mars.",
            "received_at": "2026-03-02T09:15",
        },
    )
    complaint = Complaint.objects.get()
    assert response["Location"] == f"/assistance/equipe/reclamations/{complaint.pk}/"
    assert complaint.recorded_by == staff
    url = response["Location"]
    # Closing before answering is refused and changes nothing.
    response = client.post(url, {"step": "close", "text": ""}, follow=True)
    assert "n'est pas possible" in response.content.decode().replace("&#x27;", "'")
    complaint.refresh_from_db()
    assert complaint.status == "received" and complaint.closed_at is None
    mailbox().clear()
    client.post(url, {"step": "acknowledge"})
    response = client.post(url, {"step": "answer", "text": ""}, follow=True)
    assert "Écrivez la réponse" in response.content.decode()
    client.post(url, {"step": "answer", "text": "Les feuilles sont jointes."})
    client.post(url, {"step": "close", "text": "Export automatique mis en place."})
    complaint.refresh_from_db()
    assert complaint.status == "closed"
    assert complaint.received_at < complaint.acknowledged_at <= complaint.answered_at
    assert complaint.answered_at <= complaint.closed_at
    sent = [m for m in mailbox() if m.to == ["suivi@opco.example"]]
    assert len(sent) == 2
    assert any("Les feuilles sont jointes." in m.body for m in sent)
    actions = list(
        AuditEvent.objects.filter(target_type="support.complaint")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "support.complaint_received",
        "support.complaint_acknowledge",
        "support.complaint_answer",
        "support.complaint_close",
    ]


def test_csv_export_for_the_audit(client, staff, learner):
    """R11.8: the CSV lists every complaint with its dates; cells cannot inject formulas."""
    from ilmis.support import services

    services.record_complaint(
        by=staff,
        kind="complaint",
        source="company",
        channel="email",
        name='=HYPERLINK("http://x")',
        subject="Facture",
        description="Erreur de montant",
    )
    services.record_complaint(
        by=learner,
        kind="difficulty",
        source="learner",
        channel="form",
        name="Léa Martin",
        subject="Accès",
        description="Mot de passe",
    )
    client.force_login(staff)
    response = client.get("/assistance/equipe/reclamations/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "référence" and "reçue le" in rows[0]
    assert len(rows) == 3
    names = {row[4] for row in rows[1:]}
    assert names == {'\'=HYPERLINK("http://x")', "Léa Martin"}
    assert {row[3] for row in rows[1:]} == {"courriel", "formulaire"}


def test_register_is_for_the_desk_only(client, learner):
    """R11.8: learners file complaints but never see the register (second user refused)."""
    client.force_login(learner)
    assert client.get("/assistance/equipe/reclamations/").status_code == 403
    assert client.get("/assistance/equipe/reclamations/?format=csv").status_code == 403
    assert client.get("/assistance/equipe/reclamations/nouvelle/").status_code == 403
