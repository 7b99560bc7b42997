"""Shared helpers for the enrolment tests."""

import re
from decimal import Decimal

from ilmis.enrolment import services
from ilmis.enrolment.testing import make_programme, make_session
from ilmis.notifications.models import OutgoingEmail


def person_data(**extra):
    return {
        "kind": "person",
        "first_name": "Léa",
        "last_name": "Moreau",
        "email": "lea.moreau@example.test",
        "phone": "06 11 22 33 44",
        "address": "5 rue des Lilas, 69003 Lyon",
        "job_title": "",
        "company_name": "",
        "siret": "",
        "funder": "cpf",
        "funder_name": "",
        "file_number": "CPF-1",
        "funding_amount": Decimal("890"),
        "message": "",
    } | extra


def company_data(**extra):
    return {
        "kind": "company",
        "first_name": "Paul",
        "last_name": "Bernard",
        "email": "paul.bernard@atelier.test",
        "phone": "05 56 00 00 00",
        "address": "18 quai des Chartrons, 33000 Bordeaux",
        "job_title": "Gérant",
        "company_name": "Atelier Lumière",
        "siret": "84123456700011",
        "funder": "opco",
        "funder_name": "OPCO Atlas",
        "file_number": "ATL-1",
        "funding_amount": None,
        "message": "",
    } | extra


EMPLOYEES = [
    {"first_name": "Inès", "last_name": "Petit", "email": "ines@atelier.test"},
    {"first_name": "Hugo", "last_name": "Roux", "email": "hugo@atelier.test"},
]


def started_session(**fields):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    return make_session(
        make_programme(),
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=60),
        **fields,
    )


def new_request(kind="person", session=None, **extra):
    session = session or started_session()
    if kind == "person":
        return services.create_preregistration(session=session, data=person_data(**extra))
    return services.create_preregistration(
        session=session, data=company_data(**extra), trainees=EMPLOYEES
    )


def last_email_to(address, subject_contains=""):
    for email in OutgoingEmail.objects.order_by("-pk"):
        if address in email.to and subject_contains in email.subject:
            return email
    raise AssertionError(f"no email to {address} ({subject_contains})")


def signing_token(address):
    body = last_email_to(address, "à signer").body
    return re.search(r"/inscription/signer/([^/\s]+)/", body).group(1)


def last_code(address):
    return re.search(r"(\d{6})", last_email_to(address, "code de signature").subject).group(1)
