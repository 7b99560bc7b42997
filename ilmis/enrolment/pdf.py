"""Agreement PDFs (R2.2, R2.3): render from the staff-edited template, certify, seal, hash.

The agreement text is a Django template stored in the database (`AgreementTemplate`, seeded from
`agreement_templates/<kind>.html`). Staff edit it, so it is rendered in a sandbox:
- its own template `Engine` with no loaders (no {% include %} / {% extends %} of server files),
  no custom tag libraries, autoescaping on;
- a context of plain data only (strings, numbers, lists, dicts): no model instance, so no method
  or relation can be reached from the template;
- WeasyPrint with a URL fetcher that refuses every URL except inline `data:` ones, so the
  template cannot pull server files or reach the network into the PDF.
"""

import base64
import fcntl
import hashlib
import io
import mimetypes
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ilmis.core.documents import TemplateError, html_to_pdf, render_sandboxed  # noqa: F401

TEMPLATE_DIR = Path(__file__).parent / "agreement_templates"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seed_text(kind):
    return (TEMPLATE_DIR / f"{kind}.html").read_text(encoding="utf-8")


# -- context ---------------------------------------------------------------------------------


def _money(value):
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True) + " €"


def _date(value):
    return formats.date_format(value, "j F Y") if value else ""


def payment_schedule(prereg, *, signed_at=None):
    """The payments the law allows (R2.5): for an individual, nothing before the 10-day withdrawal
    period ends, at most 30 % at its end (L6353-6), the balance spread over the action."""
    session = prereg.session
    count = max(1, prereg.trainees.count()) if prereg.pk else 1
    total = Decimal(session.effective_price) * count
    if prereg.kind != "person":
        return {
            "total": _money(total),
            "lines": [
                {
                    "when": _(
                        "à réception de la facture, émise à l'issue de l'action "
                        "(paiement à 30 jours)"
                    ),
                    "amount": _money(total),
                }
            ],
            "rule": _(
                "Le prix est payable à réception de la facture. En cas de prise en charge par un "
                "OPCO avec subrogation, l'OPCO règle directement l'organisme ; le reste à charge "
                "est facturé à l'entreprise."
            ),
        }
    first = (total * Decimal("0.30")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    balance = total - first
    start, end = session.start_date, session.end_date
    months = max(1, min(12, ((end.year - start.year) * 12 + end.month - start.month)))
    share = (balance / months).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    lines = [
        {
            "when": _("à l'expiration du délai de rétractation de 10 jours (au plus 30 % du prix)")
            + (f" — {_date((signed_at + timedelta(days=10)).date())}" if signed_at else ""),
            "amount": _money(first),
        }
    ]
    for index in range(months):
        amount = share if index < months - 1 else balance - share * (months - 1)
        due = min(end, start + timedelta(days=30 * (index + 1)))
        lines.append({"when": _("le %(date)s") % {"date": _date(due)}, "amount": _money(amount)})
    return {
        "total": _money(total),
        "lines": lines,
        "rule": _(
            "Aucune somme ne peut être exigée avant l'expiration du délai de rétractation de dix "
            "jours (article L6353-6 du Code du travail). À son expiration, un premier paiement "
            "d'au plus 30 % du prix peut être demandé ; le solde est échelonné au fur et à mesure "
            "du déroulement de l'action."
        ),
    }


def agreement_context(prereg, *, version=1, issued_at=None):
    """Plain data only: the sandboxed template can reach nothing else."""
    session = prereg.session
    programme = session.programme
    issued_at = issued_at or timezone.now()
    trainees = (
        [{"name": f"{t.first_name} {t.last_name}", "email": t.email} for t in prereg.trainees.all()]
        if prereg.pk
        else []
    )
    org = settings.ORGANISATION
    return {
        "organisation": {
            "name": org.get("name", ""),
            "legal_name": org.get("legal_name", ""),
            "address": org.get("address", ""),
            "email": org.get("email", ""),
            "phone": org.get("phone", ""),
            "siret": org.get("siret", ""),
            "nda": org.get("nda", ""),
            "representative": org.get("representative", ""),
            "disability_contact": org.get("disability_contact", ""),
        },
        "logo": _logo_data_uri(),
        "reference": prereg.reference,
        "version": version,
        "issued_on": _date(timezone.localtime(issued_at).date()),
        "sign_days": 15,
        "kind": prereg.kind,
        "signatory": {
            "name": prereg.full_name,
            "job_title": prereg.job_title,
            "email": prereg.email,
            "phone": prereg.phone,
            "address": prereg.address,
        },
        "company": {"name": prereg.company_name, "siret": prereg.siret, "address": prereg.address},
        "trainees": trainees,
        "group_size": session.capacity,
        "programme": {
            "title": programme.title,
            "summary": programme.summary,
            "audience": programme.audience,
            "objectives": programme.objectives,
            "content": programme.content,
            "prerequisites": programme.prerequisites,
            "duration_hours": formats.number_format(programme.duration_hours, use_l10n=True),
            "modalities": programme.modalities,
            "distance": programme.distance,
            "distance_modalities": programme.distance_modalities,
            "teaching_methods": programme.teaching_methods,
            "assessment_methods": programme.assessment_methods,
            "monitoring": programme.monitoring,
            "trainers": programme.trainers,
            "accessibility": programme.accessibility,
        },
        "session": {
            "code": session.code,
            "label": str(session),
            "start": _date(session.start_date),
            "end": _date(session.end_date),
            "place": session.place,
            "access_days": session.access_duration_days,
        },
        "price": {
            "unit": _money(session.effective_price),
            "count": max(1, len(trainees)),
            "details": programme.price_details,
        },
        "funding": {
            "funder": prereg.get_funder_display() if prereg.funder else "",
            "funder_name": prereg.funder_name,
            "file_number": prereg.file_number,
            "amount": _money(prereg.funding_amount) if prereg.funding_amount is not None else "",
        },
        "payment": payment_schedule(prereg),
    }


def _logo_data_uri():
    path = finders.find(settings.ORGANISATION.get("logo", ""))
    if not path:
        return ""
    mime = mimetypes.guess_type(path)[0] or "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(Path(path).read_bytes()).decode()}"


# -- rendering -------------------------------------------------------------------------------


def render_template_text(body, context):
    return render_sandboxed(body, context)


def render_agreement(template_body, context):
    return html_to_pdf(render_template_text(template_body, context))


def certificate_pdf(context):
    """The signature certificate page appended to a signed agreement (R2.3)."""
    return html_to_pdf(render_to_string("enrolment/pdf/certificate.html", context))


def append_pages(pdf_bytes, extra_bytes):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.append(io.BytesIO(pdf_bytes))
    writer.append(io.BytesIO(extra_bytes))
    writer.add_metadata({"/Producer": "ILMIS Learn"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- sealing ---------------------------------------------------------------------------------


def _demo_paths():
    directory = Path(settings.VAR_DIR) / "signing"
    return directory / "demo-seal-cert.pem", directory / "demo-seal-key.pem"


def ensure_demo_certificate():
    """A self-signed organisation certificate for the demo, created once under VAR_DIR."""
    cert_path, key_path = _demo_paths()
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    with open(cert_path.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cert_path.exists() and key_path.exists()):
            _generate_certificate(cert_path, key_path)
    return cert_path, key_path


def _generate_certificate(cert_path, key_path):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    org = settings.ORGANISATION
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org.get("legal_name") or org.get("name")),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{org.get('name')} — cachet (démonstration)"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_tmp, cert_tmp = key_path.with_suffix(".tmp"), cert_path.with_suffix(".tmp")
    key_tmp.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_tmp.chmod(0o600)
    cert_tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_tmp.replace(key_path)
    cert_tmp.replace(cert_path)


def signing_material():
    """(cert path, key path, is_demo): the organisation's certificate from ILMIS_SIGNING_CERT /
    ILMIS_SIGNING_KEY (settings or environment), else the demo one."""
    import os

    cert = getattr(settings, "ILMIS_SIGNING_CERT", None) or os.environ.get("ILMIS_SIGNING_CERT")
    key = getattr(settings, "ILMIS_SIGNING_KEY", None) or os.environ.get("ILMIS_SIGNING_KEY")
    if cert and key:
        return Path(cert), Path(key), False
    cert_path, key_path = ensure_demo_certificate()
    return cert_path, key_path, True


def seal(pdf_bytes, *, reason, location=""):
    """Seal with pyHanko and the organisation's certificate (PAdES, one incremental update)."""
    import os

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    cert, key, _demo = signing_material()
    passphrase = getattr(settings, "ILMIS_SIGNING_KEY_PASSPHRASE", None) or os.environ.get(
        "ILMIS_SIGNING_KEY_PASSPHRASE"
    )
    signer = signers.SimpleSigner.load(
        str(key), str(cert), key_passphrase=passphrase.encode() if passphrase else None
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name="CachetOrganisme",
        reason=reason,
        location=location,
        name=settings.ORGANISATION.get("legal_name"),
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()
