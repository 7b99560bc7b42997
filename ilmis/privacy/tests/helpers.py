"""Records across the apps for one person, and a search of every text column of every model."""

import hashlib
import json
from datetime import timedelta

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection, models
from django.utils import timezone

from ilmis.audit.services import record
from ilmis.enrolment.testing import enrol, make_session
from ilmis.privacy import registry


def make_preregistration(user, session=None, *, signed=True, kind="person", company=None, **kw):
    from ilmis.enrolment.models import (
        Agreement,
        AgreementTemplate,
        PreRegistration,
        Signature,
        Trainee,
    )

    session = session or make_session()
    now = timezone.now()
    fields = {
        "session": session,
        "kind": kind,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": "06 11 22 33 44",
        "address": f"3 allée des Tests, 69000 Lyon ({user.last_name})",
        "company_name": company.name if company else "",
        "client": company,
        "funder": "self" if kind == "person" else "company",
        "message": f"Message de {user.first_name} {user.last_name}",
        "status": "confirmed" if signed else "new",
        "sent_at": now if signed else None,
        "sign_deadline": now + timedelta(days=15) if signed else None,
        "signed_at": now if signed else None,
        "confirmed_at": now if signed else None,
    }
    prereg = PreRegistration.objects.create(**(fields | kw))
    if not signed:
        return prereg
    template, _ = AgreementTemplate.objects.get_or_create(
        kind="contract", version=1, defaults={"body": "<p>Contrat</p>"}
    )
    pdf = f"%PDF-1.4 contrat de {user.first_name} {user.last_name}".encode()
    agreement = Agreement(
        preregistration=prereg,
        version=1,
        kind="contract",
        template=template,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    agreement.pdf.save("contrat.pdf", ContentFile(pdf), save=False)
    agreement.save()
    Signature.objects.create(
        preregistration=prereg,
        agreement=agreement,
        method="online",
        signer_name=f"{user.first_name} {user.last_name}",
        signer_email=user.email,
        signed_at=now,
        ip="192.0.2.10",
        user_agent="Firefox de test",
        document_sha256=agreement.sha256,
        details={"signer": f"{user.first_name} {user.last_name}", "email": user.email},
    )
    Trainee.objects.create(
        preregistration=prereg,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        user=user,
    )
    return prereg


def populate(user, *, ip="203.0.113.7", session=None):
    """Give `user` records in every app that holds personal data."""
    from allauth.usersessions.models import UserSession
    from django.core.mail import send_mail

    from ilmis.accounts.models import FraudReport
    from ilmis.support.models import Complaint, Incident, IncidentEvent

    full_name = f"{user.first_name} {user.last_name}"
    session = session or make_session()
    prereg = make_preregistration(user, session)
    enrolment = enrol(user, session)
    enrolment.preregistration = prereg
    enrolment.save(update_fields=["preregistration"])
    record("account.profile_updated", user, actor=user, fields=["phone"], email=user.email)
    from ilmis.audit.models import AuditEvent

    AuditEvent.objects.filter(actor=user).update(ip=ip)
    send_mail(
        "Votre convocation",
        f"Bonjour {full_name}, votre formation commence bientôt.",
        None,
        [user.email],
    )
    FraudReport.objects.create(
        user=user,
        channel="account",
        description=f"Quelqu'un a utilisé le compte de {full_name}",
        ip=ip,
    )
    UserSession.objects.create(
        user=user, ip=ip, session_key=f"k{user.pk}x" * 4, user_agent="Navigateur de test"
    )
    now = timezone.now()
    incident = Incident(
        reporter=user,
        summary="La vidéo ne se lance pas",
        description=f"Signalé par {full_name} ({user.email})",
        happened_at=now - timedelta(hours=1),
        reported_at=now,
        due_at=now + timedelta(days=3),
        user_agent="Navigateur de test",
    )
    incident.screenshot.save("capture.png", ContentFile(b"\x89PNG capture"), save=False)
    incident.save()
    IncidentEvent.objects.create(
        incident=incident, kind="message", author=user, body="Toujours en panne"
    )
    Complaint.objects.create(
        source="learner",
        channel="form",
        user=user,
        name=full_name,
        email=user.email,
        subject="Retard",
        description=f"{full_name} se plaint",
    )
    return {"prereg": prereg, "enrolment": enrolment, "incident": incident}


def _existing_tables():
    return set(connection.introspection.table_names())


def kept_q(model):
    declaration = registry.declaration_for(model)
    if declaration is None or declaration.on_erasure != "keep" or declaration.sweep_kept:
        return None
    return declaration.kept_q()


def find_strings(needles, *, skip_kept=True):
    """[(model label, pk, column)] of every text, char or JSON value holding one of `needles`
    (case-insensitive), in every model; kept-by-law rows left out when `skip_kept`."""
    tables = _existing_tables()
    needles = [n.lower() for n in needles]
    found = []
    for model in apps.get_models():
        if model._meta.db_table not in tables or model._meta.proxy:
            continue
        columns = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not columns:
            continue
        queryset = model._default_manager.all()
        keep = kept_q(model) if skip_kept else None
        if keep is not None:
            queryset = queryset.exclude(keep)
        for obj in queryset:
            for column in columns:
                value = getattr(obj, column.attname)
                if value in (None, ""):
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if any(needle in text.lower() for needle in needles):
                    found.append((model._meta.label, obj.pk, column.name))
    return found
