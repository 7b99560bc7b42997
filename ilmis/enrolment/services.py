"""Enrolment rules (Art. 2 and 4): every transition is one function here, atomic, with the
pre-registration row locked, audited, and refusing impossible moves with a clear message.

States of a pre-registration (stored `status`, plus "lapsed" derived from `sign_deadline`):

    new ──accept──▶ sent ──sign online───────────▶ confirmed ──withdraw (person, 10 d)──▶ withdrawn
     │               │ ▲ └─upload scan─▶ scan_submitted ─accept scan─▶ confirmed
     │               │ └─────reject scan──────┘
     └─decline─▶ declined     sent, after 15 days: lapsed (read time) ──reissue──▶ sent
    new / sent / lapsed / scan_submitted ──cancel──▶ cancelled
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ilmis.accounts.models import Client, User
from ilmis.audit.models import AuditEvent
from ilmis.audit.services import record
from ilmis.core.http import client_ip, user_agent
from ilmis.core.uploads import CONTENT_TYPES, sniff
from ilmis.notifications.models import OutgoingEmail
from ilmis.notifications.services import send_templated

from . import pdf
from .models import (
    AT_RISK_HOURS,
    CREDENTIALS_HOURS,
    Agreement,
    AgreementTemplate,
    Enrolment,
    OutageExtension,
    PreRegistration,
    ScanUpload,
    Signature,
    SigningLink,
    Trainee,
    signing_days,
)

S = PreRegistration.Status
OTP_VALIDITY = timedelta(minutes=10)
OTP_MAX_ATTEMPTS = 5
OTP_RESEND_DELAY = timedelta(seconds=60)
SCAN_MAX_BYTES = 10 * 1024 * 1024
SCAN_KINDS = ("pdf", "jpg", "png")


class TransitionError(Exception):
    """An impossible transition: nothing was changed; str(error) says why, in French."""


def _when(value):
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


def _lock(prereg):
    pk = prereg.pk if isinstance(prereg, PreRegistration) else prereg
    return (
        PreRegistration.objects.select_for_update().select_related("session__programme").get(pk=pk)
    )


def _refuse(prereg, action, now):
    state = prereg.state(now)
    raise TransitionError(
        _("Action impossible (%(action)s) : la demande %(ref)s est « %(state)s ».")
        % {"action": action, "ref": prereg.reference, "state": PreRegistration.STATE_LABELS[state]}
    )


def _require(prereg, allowed, action, now):
    if prereg.state(now) not in allowed:
        _refuse(prereg, action, now)


def _site(path):
    return settings.SITE_URL + path


# -- pre-registration (R2.1) ------------------------------------------------------------------


def session_is_full(session):
    taken = Enrolment.objects.filter(session=session, status=Enrolment.Status.CONFIRMED).count()
    return taken >= session.capacity


@transaction.atomic
def create_preregistration(
    *, session, data, trainees=(), channel="site", recorded_by=None, request=None, now=None
):
    """Store a request (from the site, or typed in by staff from an email or a phone call) and
    acknowledge it to the person. `trainees` is a list of dicts (first_name, last_name, email);
    an individual is their own trainee."""
    now = now or timezone.now()
    if not session.registration_open or not session.programme.published:
        raise TransitionError(_("Les inscriptions à cette session sont fermées."))
    if session.end_date < timezone.localdate(now):
        raise TransitionError(_("Cette session est terminée."))
    if session_is_full(session):
        raise TransitionError(_("Cette session est complète : choisissez une autre date."))
    prereg = PreRegistration.objects.create(
        session=session, channel=channel, recorded_by=recorded_by, created_at=now, **data
    )
    if prereg.kind == PreRegistration.Kind.PERSON:
        trainees = [
            {"first_name": prereg.first_name, "last_name": prereg.last_name, "email": prereg.email}
        ]
    if not trainees:
        raise TransitionError(_("Indiquez au moins un stagiaire."))
    Trainee.objects.bulk_create(
        [
            Trainee(
                preregistration=prereg,
                first_name=t["first_name"],
                last_name=t["last_name"],
                email=t["email"].lower(),
            )
            for t in trainees
        ]
    )
    record(
        "enrolment.preregistered",
        prereg,
        actor=recorded_by,
        request=request,
        to_state=S.NEW,
        channel=channel,
        session=session.code,
    )
    send_templated(
        [prereg.email],
        "enrolment/email/acknowledgement",
        {
            "prereg": prereg,
            "session": session,
            "programme": session.programme,
            "trainees": trainees,
        },
    )
    return prereg


@transaction.atomic
def decline(prereg, *, by, reason, request=None, now=None):
    now = now or timezone.now()
    prereg = _lock(prereg)
    _require(prereg, {S.NEW}, _("refuser la demande"), now)
    if not reason.strip():
        raise TransitionError(_("Indiquez le motif du refus."))
    prereg.status, prereg.decided_at, prereg.decided_by = S.DECLINED, now, by
    prereg.decline_reason = reason.strip()
    prereg.save(
        update_fields=["status", "decided_at", "decided_by", "decline_reason", "updated_at"]
    )
    record(
        "enrolment.declined",
        prereg,
        actor=by,
        request=request,
        from_state=S.NEW,
        to_state=S.DECLINED,
        reason=prereg.decline_reason,
    )
    send_templated([prereg.email], "enrolment/email/declined", {"prereg": prereg})
    return prereg


@transaction.atomic
def cancel(prereg, *, by, reason, request=None, now=None):
    now = now or timezone.now()
    prereg = _lock(prereg)
    _require(
        prereg,
        {S.NEW, S.SENT, PreRegistration.LAPSED, S.SCAN_SUBMITTED},
        _("annuler la demande"),
        now,
    )
    before = prereg.state(now)
    prereg.status, prereg.cancelled_at = S.CANCELLED, now
    prereg.save(update_fields=["status", "cancelled_at", "updated_at"])
    SigningLink.objects.filter(agreement__preregistration=prereg, revoked_at__isnull=True).update(
        revoked_at=now
    )
    record(
        "enrolment.cancelled",
        prereg,
        actor=by,
        request=request,
        from_state=before,
        to_state=S.CANCELLED,
        reason=reason,
    )
    return prereg


# -- agreement (R2.2) -------------------------------------------------------------------------


def kind_for(prereg):
    if prereg.kind == PreRegistration.Kind.COMPANY:
        return AgreementTemplate.Kind.CONVENTION
    return AgreementTemplate.Kind.CONTRACT


def current_template(kind):
    """The latest version of the template; the first is seeded from the file shipped with the
    code (agreement_templates/<kind>.html)."""
    template = AgreementTemplate.objects.filter(kind=kind).order_by("-version").first()
    if template is None:
        try:
            with transaction.atomic():
                template = AgreementTemplate.objects.create(
                    kind=kind, version=1, body=pdf.seed_text(kind), note=_("modèle initial")
                )
        except IntegrityError:
            template = AgreementTemplate.objects.get(kind=kind, version=1)
    return template


@transaction.atomic
def save_template(kind, body, *, by, note="", request=None):
    """A staff edit is a new version, kept only if it renders (checked on a sample)."""
    check_template(body)
    last = (
        AgreementTemplate.objects.select_for_update().filter(kind=kind).order_by("-version").first()
    )
    template = AgreementTemplate.objects.create(
        kind=kind, version=(last.version + 1) if last else 1, body=body, note=note, created_by=by
    )
    record(
        "enrolment.template_saved",
        template,
        actor=by,
        request=request,
        to_state=str(template.version),
        kind=kind,
    )
    return template


def check_template(body):
    """Raise pdf.TemplateError if `body` does not render into a PDF on sample data."""
    from .demo import sample_preregistration

    pdf.render_agreement(body, pdf.agreement_context(sample_preregistration()))


def _new_link(agreement, now):
    token = secrets.token_urlsafe(32)
    SigningLink.objects.create(
        agreement=agreement,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        email=agreement.preregistration.email,
        created_at=now,
    )
    return token


def signing_url(token):
    return _site(reverse("enrolment:sign", kwargs={"token": token}))


def _issue(prereg, *, by, now, request, event):
    """Render a new version of the agreement, send it, start the 15-day clock."""
    kind = kind_for(prereg)
    template = current_template(kind)
    last = prereg.agreements.order_by("-version").first()
    version = (last.version + 1) if last else 1
    data = pdf.render_agreement(
        template.body, pdf.agreement_context(prereg, version=version, issued_at=now)
    )
    prereg.agreements.filter(superseded_at__isnull=True).update(superseded_at=now)
    SigningLink.objects.filter(agreement__preregistration=prereg, revoked_at__isnull=True).update(
        revoked_at=now
    )
    agreement = Agreement(
        preregistration=prereg,
        version=version,
        kind=kind,
        template=template,
        sha256=pdf.sha256(data),
        created_at=now,
        created_by=by,
    )
    agreement.pdf.save(f"{kind}-{prereg.reference}-v{version}.pdf", ContentFile(data), save=False)
    agreement.save()
    token = _new_link(agreement, now)
    before = prereg.state(now)
    prereg.status, prereg.sent_at = S.SENT, now
    prereg.sign_deadline = now + timedelta(days=signing_days())
    if prereg.decided_at is None:
        prereg.decided_at, prereg.decided_by = now, by
    prereg.save()
    record(
        event,
        prereg,
        actor=by,
        request=request,
        from_state=before,
        to_state=S.SENT,
        version=version,
        sha256=agreement.sha256,
        deadline=prereg.sign_deadline.isoformat(),
    )
    send_templated(
        [prereg.email],
        "enrolment/email/agreement",
        {
            "prereg": prereg,
            "agreement": agreement,
            "url": signing_url(token),
            "deadline": _when(prereg.sign_deadline),
            "reissued": version > 1,
        },
        attachments=[(agreement.filename, data, "application/pdf")],
    )
    return agreement


@transaction.atomic
def accept(prereg, *, by, request=None, now=None):
    """Staff accept a request: the agreement goes out with its signing link (R2.2)."""
    now = now or timezone.now()
    prereg = _lock(prereg)
    _require(prereg, {S.NEW}, _("accepter la demande"), now)
    if session_is_full(prereg.session):
        raise TransitionError(_("La session est complète : proposez une autre session."))
    return _issue(prereg, by=by, now=now, request=request, event="enrolment.accepted")


@transaction.atomic
def reissue(prereg, *, by, request=None, now=None):
    """A new version and a new link, a new 15-day period; earlier links stop working (R2.4)."""
    now = now or timezone.now()
    prereg = _lock(prereg)
    _require(prereg, {S.SENT, PreRegistration.LAPSED}, _("renvoyer la convention"), now)
    return _issue(prereg, by=by, now=now, request=request, event="enrolment.reissued")


def current_agreement(prereg):
    return prereg.agreements.filter(superseded_at__isnull=True).order_by("-version").first()


# -- signing link and one-time code (R2.3) -----------------------------------------------------


def link_for_token(token):
    digest = hashlib.sha256((token or "").encode()).hexdigest()
    return (
        SigningLink.objects.select_related("agreement__preregistration__session__programme")
        .filter(token_hash=digest)
        .first()
    )


def link_problem(link, now=None):
    """None if the link can be used to sign now; otherwise what happened and what to do."""
    now = now or timezone.now()
    if link is None:
        return _(
            "Ce lien de signature n'est pas valide. Utilisez le lien du dernier courriel "
            "reçu, ou contactez-nous pour recevoir un nouvel envoi."
        )
    prereg = link.agreement.preregistration
    state = prereg.state(now)
    if state == S.CONFIRMED or link.used_at:
        return _(
            "Cette convention est déjà signée : l'inscription est confirmée. Il n'y a plus "
            "rien à faire avec ce lien."
        )
    if link.revoked_at:
        return _(
            "Ce lien a été remplacé par un nouvel envoi : utilisez le lien du courriel le "
            "plus récent."
        )
    if link.locked_at:
        return _(
            "Ce lien est verrouillé après 5 codes erronés. Contactez-nous : nous vous "
            "enverrons un nouveau lien."
        )
    if state == PreRegistration.LAPSED:
        return _(
            "Le délai de signature de 15 jours a expiré le %(date)s : la préinscription est "
            "caduque. Contactez-nous pour recevoir une nouvelle convention."
        ) % {"date": _when(prereg.sign_deadline)}
    if state == S.SCAN_SUBMITTED:
        return _(
            "Une copie signée a déjà été envoyée : elle est en cours de vérification par "
            "notre équipe."
        )
    if state != S.SENT:
        return _("Cette demande n'attend plus de signature (état : %(state)s).") % {
            "state": PreRegistration.STATE_LABELS[state]
        }
    return None


def _otp_digest(link, code):
    key = f"{settings.SECRET_KEY}:enrolment-otp:{link.pk}".encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def send_code(link, *, terms_version, request=None, now=None):
    """The signatory has read the PDF and consented: email a 6-digit code valid 10 minutes."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock(link.agreement.preregistration_id)
        link = (
            SigningLink.objects.select_for_update()
            .select_related("agreement__preregistration")
            .get(pk=link.pk)
        )
        problem = link_problem(link, now)
        if problem:
            raise TransitionError(problem)
        if link.otp_sent_at and now - link.otp_sent_at < OTP_RESEND_DELAY:
            raise TransitionError(
                _(
                    "Un code vient de vous être envoyé : attendez une minute "
                    "avant d'en demander un autre."
                )
            )
        code = f"{secrets.randbelow(10**6):06d}"
        link.consent_at = link.consent_at or now
        link.otp_hash, link.otp_sent_at = _otp_digest(link, code), now
        link.save(update_fields=["consent_at", "otp_hash", "otp_sent_at"])
        prereg = link.agreement.preregistration
        record(
            "enrolment.signing_code_sent",
            prereg,
            request=request,
            terms_version=terms_version.number if terms_version else None,
            ip=client_ip(request) if request else None,
        )
        send_templated(
            [link.email], "enrolment/email/code", {"prereg": prereg, "code": code, "minutes": 10}
        )
    return link


def sign_online(link, code, *, terms_version, request=None, now=None):
    """Check the code; on success record the signature, seal the PDF and confirm (R2.3, R2.4).
    Returns the pre-registration; raises TransitionError with what to do otherwise. A wrong code
    is counted (and the link locked at the fifth) even though the call fails."""
    now = now or timezone.now()
    error = None
    with transaction.atomic():
        prereg = _lock(link.agreement.preregistration_id)
        link = SigningLink.objects.select_for_update().select_related("agreement").get(pk=link.pk)
        problem = link_problem(link, now)
        if problem:
            raise TransitionError(problem)
        code = (code or "").strip().replace(" ", "")
        if not link.otp_hash or not link.otp_sent_at:
            raise TransitionError(_("Demandez d'abord un code."))
        if now - link.otp_sent_at > OTP_VALIDITY:
            raise TransitionError(
                _("Ce code a expiré (validité 10 minutes) : demandez-en un nouveau.")
            )
        if not hmac.compare_digest(link.otp_hash, _otp_digest(link, code)):
            link.otp_attempts += 1
            left = OTP_MAX_ATTEMPTS - link.otp_attempts
            if left <= 0:
                SigningLink.objects.filter(
                    agreement__preregistration=prereg, locked_at__isnull=True
                ).update(locked_at=now)
                record(
                    "enrolment.signing_locked", prereg, request=request, attempts=link.otp_attempts
                )
                error = _(
                    "Code erroné 5 fois : ce lien est verrouillé. Contactez-nous : nous "
                    "vous enverrons un nouveau lien."
                )
            else:
                error = _("Code erroné. Il vous reste %(n)s essai(s).") % {"n": left}
            link.save(update_fields=["otp_attempts"])
            record(
                "enrolment.signing_code_wrong", prereg, request=request, attempts=link.otp_attempts
            )
        else:
            link.otp_attempts += 1
            link.used_at = now
            link.save(update_fields=["otp_attempts", "used_at"])
            _confirm_online(prereg, link, terms_version=terms_version, request=request, now=now)
    if error:
        raise TransitionError(error)
    return prereg


def _confirm_online(prereg, link, *, terms_version, request, now):
    agreement = link.agreement
    original = agreement.pdf.open("rb").read()
    agreement.pdf.close()
    if pdf.sha256(original) != agreement.sha256:
        raise TransitionError(
            _("Le document enregistré ne correspond plus à son empreinte : contactez-nous.")
        )
    ip, ua = (client_ip(request), user_agent(request)) if request else (None, "")
    certificate = pdf.certificate_pdf(
        {
            "organisation": settings.ORGANISATION,
            "document": agreement.get_kind_display(),
            "reference": prereg.reference,
            "version": agreement.version,
            "document_sha256": agreement.sha256,
            "signer_name": prereg.full_name,
            "signer_email": link.email,
            "sent_at": _when(prereg.sent_at),
            "consent_at": _when(link.consent_at),
            "otp_sent_at": _when(link.otp_sent_at),
            "attempts": link.otp_attempts,
            "signed_at": _when(now),
            "signed_at_utc": now.astimezone(UTC).isoformat(),
            "ip": ip,
            "user_agent": ua,
            "terms": str(terms_version) if terms_version else "",
            "verify_url": _site(reverse("enrolment:verify")),
        }
    )
    sealed = pdf.seal(
        pdf.append_pages(original, certificate),
        reason=_("Signature électronique de %(name)s, %(ref)s")
        % {"name": prereg.full_name, "ref": prereg.reference},
        location=settings.ORGANISATION.get("address", ""),
    )
    signature = Signature(
        preregistration=prereg,
        agreement=agreement,
        method=Signature.Method.ONLINE,
        signer_name=prereg.full_name,
        signer_email=link.email,
        signed_at=now,
        ip=ip,
        user_agent=ua,
        document_sha256=agreement.sha256,
        terms_version=terms_version,
        signed_sha256=pdf.sha256(sealed),
        details={
            "link": link.pk,
            "consent_at": link.consent_at.isoformat(),
            "otp_sent_at": link.otp_sent_at.isoformat(),
            "attempts": link.otp_attempts,
        },
    )
    signature.signed_pdf.save(f"signe-{agreement.filename}", ContentFile(sealed), save=False)
    _confirm(prereg, signature, request=request, now=now, by=None)


# -- scanned copy (R2.3) ----------------------------------------------------------------------


def check_scan(uploaded):
    """(content_type, extension) of a PDF/JPEG/PNG ≤ 10 MB judged by its bytes, or a French
    error."""
    if uploaded.size > SCAN_MAX_BYTES:
        raise TransitionError(_("Fichier trop volumineux (10 Mo au maximum)."))
    if uploaded.size == 0:
        raise TransitionError(_("Le fichier est vide."))
    head = uploaded.read(16)
    uploaded.seek(0)
    kind = sniff(head)
    if kind in SCAN_KINDS:
        extension = uploaded.name.rsplit(".", 1)[-1].lower() if "." in uploaded.name else ""
        if extension and extension not in {kind, "jpeg" if kind == "jpg" else kind}:
            raise TransitionError(
                _("Le contenu du fichier ne correspond pas à son extension « .%(ext)s ».")
                % {"ext": extension}
            )
        return CONTENT_TYPES[kind], kind
    raise TransitionError(
        _(
            "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : envoyez le "
            "scan de la convention signée dans l'un de ces formats."
        )
    )


def upload_scan(prereg, uploaded, *, by=None, link=None, request=None, now=None):
    """The signatory (with their link) or staff on their behalf send a scanned signed copy."""
    now = now or timezone.now()
    content_type, extension = check_scan(uploaded)
    data = uploaded.read()
    with transaction.atomic():
        prereg = _lock(prereg)
        if link is not None:
            problem = link_problem(SigningLink.objects.get(pk=link.pk), now)
            if problem:
                raise TransitionError(problem)
        _require(prereg, {S.SENT}, _("déposer une copie signée"), now)
        agreement = current_agreement(prereg)
        scan = ScanUpload(
            agreement=agreement,
            content_type=content_type,
            size=len(data),
            sha256=pdf.sha256(data),
            uploaded_at=now,
            uploaded_by=by,
            ip=client_ip(request) if request else None,
        )
        scan.file.save(
            f"copie-signee-{prereg.reference}-{now:%Y%m%d%H%M%S}.{extension}",
            ContentFile(data),
            save=False,
        )
        scan.save()
        prereg.status = S.SCAN_SUBMITTED
        prereg.save(update_fields=["status", "updated_at"])
        record(
            "enrolment.scan_uploaded",
            prereg,
            actor=by,
            request=request,
            from_state=S.SENT,
            to_state=S.SCAN_SUBMITTED,
            sha256=scan.sha256,
            size=scan.size,
        )
    return scan


@transaction.atomic
def review_scan(scan, *, accept, by, reason="", request=None, now=None):
    """Staff check the scan: accept (confirms the enrolment) or reject with a reason."""
    now = now or timezone.now()
    prereg = _lock(scan.agreement.preregistration_id)
    scan = ScanUpload.objects.select_for_update().select_related("agreement").get(pk=scan.pk)
    if scan.status != ScanUpload.Status.PENDING:
        raise TransitionError(
            _("Cette copie a déjà été examinée (%(state)s).") % {"state": scan.get_status_display()}
        )
    _require(prereg, {S.SCAN_SUBMITTED}, _("examiner la copie"), now)
    scan.reviewed_at, scan.reviewed_by = now, by
    if not accept:
        if not reason.strip():
            raise TransitionError(_("Indiquez le motif du refus de la copie."))
        scan.status, scan.reason = ScanUpload.Status.REJECTED, reason.strip()
        scan.save()
        prereg.status = S.SENT
        prereg.save(update_fields=["status", "updated_at"])
        record(
            "enrolment.scan_rejected",
            prereg,
            actor=by,
            request=request,
            from_state=S.SCAN_SUBMITTED,
            to_state=S.SENT,
            reason=scan.reason,
        )
        send_templated(
            [prereg.email],
            "enrolment/email/scan_rejected",
            {"prereg": prereg, "reason": scan.reason, "deadline": _when(prereg.sign_deadline)},
        )
        return prereg
    scan.status = ScanUpload.Status.ACCEPTED
    scan.save()
    signature = Signature(
        preregistration=prereg,
        agreement=scan.agreement,
        method=Signature.Method.SCAN,
        signer_name=prereg.full_name,
        signer_email=prereg.email,
        signed_at=scan.uploaded_at,
        ip=scan.ip,
        document_sha256=scan.agreement.sha256,
        signed_sha256=scan.sha256,
        scan=scan,
        details={"reviewed_by": by.pk if by else None},
    )
    _confirm(prereg, signature, request=request, now=now, by=by)
    return prereg


# -- confirmation and credentials (R2.4, R4.2, R9.1) -------------------------------------------


def _confirm(prereg, signature, *, request, now, by):
    """The one way to confirm: the row is locked by the caller; one signature per file (DB)."""
    before = prereg.state(now)
    if before not in (S.SENT, S.SCAN_SUBMITTED):
        _refuse(prereg, _("confirmer l'inscription"), now)
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError as error:
        raise TransitionError(_("Cette inscription est déjà confirmée.")) from error
    prereg.status, prereg.signed_at, prereg.confirmed_at = S.CONFIRMED, signature.signed_at, now
    prereg.save(update_fields=["status", "signed_at", "confirmed_at", "updated_at"])
    record(
        "enrolment.confirmed",
        prereg,
        actor=by,
        request=request,
        from_state=before,
        to_state=S.CONFIRMED,
        method=signature.method,
        document_sha256=signature.document_sha256,
        signed_sha256=signature.signed_sha256,
        ip=signature.ip,
        user_agent=signature.user_agent,
    )
    enrolments = provision(prereg, signature=signature, request=request, now=now, by=by)
    attachments = []
    if signature.signed_pdf:
        signature.signed_pdf.open("rb")
        attachments = [
            (
                f"signe-{signature.agreement.filename}",
                signature.signed_pdf.read(),
                "application/pdf",
            )
        ]
        signature.signed_pdf.close()
    send_templated(
        [prereg.email],
        "enrolment/email/confirmed",
        {
            "prereg": prereg,
            "enrolments": enrolments,
            "withdrawal_deadline": _when(prereg.withdrawal_deadline()),
            "schedule": pdf.payment_schedule(prereg, signed_at=prereg.signed_at),
            "account_url": _site(reverse("enrolment:mine")),
        },
        attachments=attachments,
    )
    return prereg


def _client_for(prereg):
    if prereg.client_id:
        return prereg.client
    if prereg.kind == PreRegistration.Kind.COMPANY:
        client = Client.objects.filter(siret=prereg.siret).first() if prereg.siret else None
        if client is None:
            client = Client.objects.create(
                kind=Client.Kind.COMPANY,
                name=prereg.company_name,
                siret=prereg.siret,
                address=prereg.address,
                email=prereg.email,
                phone=prereg.phone,
            )
    else:
        user = User.objects.filter(email__iexact=prereg.email).select_related("client").first()
        client = user.client if user and user.client_id else None
        if client is None:
            client = Client.objects.create(
                kind=Client.Kind.PERSON,
                name=prereg.full_name,
                address=prereg.address,
                email=prereg.email,
                phone=prereg.phone,
            )
    prereg.client = client
    prereg.save(update_fields=["client", "updated_at"])
    return client


def _user_for(email, first_name, last_name, *, role, client, phone=""):
    """Reuse the account with this email, or create one without a password. Returns
    (user, created)."""
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        if user.client_id is None and not user.is_back_office:
            user.client = client
            user.save(update_fields=["client"])
        return user, False
    user = User.objects.create_user(
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        client=client,
        phone=phone,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    record("account.provisioned", user, to_state=role, client=client.pk)
    return user, True


def _invite(user, *, by):
    """accounts.services.invite, and the outbox row it wrote (to follow delivery, R4.2)."""
    from ilmis.accounts.services import invite

    return invite(user, by=by)


def access_window_for(session, now):
    """Access opens when the action starts (or at confirmation, if later) and lasts the
    session's access duration (R5.4)."""
    start = timezone.make_aware(datetime.combine(session.start_date, time.min))
    start = max(start, now)
    return start, start + timedelta(days=session.access_duration_days)


def provision(prereg, *, signature=None, request=None, now, by=None):
    """R4.2: an account per trainee (reused if it exists), an enrolment with its access window,
    and at once an activation link (set your own password) — or, for someone who already has
    credentials, a notice that the programme is open."""
    client = _client_for(prereg)
    terms_version = signature.terms_version if signature else None
    if prereg.kind == PreRegistration.Kind.COMPANY:
        manager, created = _user_for(
            prereg.email,
            prereg.first_name,
            prereg.last_name,
            role=User.Role.MANAGER,
            client=client,
            phone=prereg.phone,
        )
        if created:
            _invite(manager, by=by)
        if terms_version and signature.method == Signature.Method.ONLINE:
            from ilmis.legal.services import accept as accept_terms

            accept_terms(manager, terms_version, request=request)
    start, end = access_window_for(prereg.session, now)
    enrolments = []
    for trainee in prereg.trainees.all():
        user, created = _user_for(
            trainee.email,
            trainee.first_name,
            trainee.last_name,
            role=User.Role.LEARNER,
            client=client,
        )
        trainee.user = user
        trainee.save(update_fields=["user"])
        if (
            terms_version
            and signature.method == Signature.Method.ONLINE
            and prereg.kind == PreRegistration.Kind.PERSON
        ):
            from ilmis.legal.services import accept as accept_terms

            accept_terms(user, terms_version, request=request)
        had_credentials = not created and user.has_usable_password()
        enrolment = Enrolment.objects.filter(
            learner=user, session=prereg.session, status=Enrolment.Status.CONFIRMED
        ).first()
        if enrolment is None:
            enrolment = Enrolment.objects.create(
                learner=user,
                session=prereg.session,
                preregistration=prereg,
                access_start=start,
                access_end=end,
                confirmed_at=now,
                created_at=now,
                account_created=created,
                had_credentials=had_credentials,
            )
        if had_credentials:
            send_templated(
                [user.email],
                "enrolment/email/access_open",
                {"user": user, "enrolment": enrolment, "url": _site(reverse("enrolment:mine"))},
                language=user.language,
            )
        else:
            enrolment.invitation = _invite(user, by=by)
            enrolment.invited_at = now
            enrolment.save(update_fields=["invitation", "invited_at"])
        record(
            "enrolment.enrolment_created",
            enrolment,
            actor=by,
            to_state="confirmed",
            access_start=start.isoformat(),
            access_end=end.isoformat(),
            account_created=created,
        )
        enrolments.append(enrolment)
    return enrolments


@transaction.atomic
def resend_activation(enrolment, *, by, request=None, now=None):
    now = now or timezone.now()
    enrolment = Enrolment.objects.select_for_update().select_related("learner").get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.CONFIRMED:
        raise TransitionError(_("Cette inscription n'est plus active."))
    enrolment.invitation = _invite(enrolment.learner, by=by)
    enrolment.invited_at = now
    enrolment.save(update_fields=["invitation", "invited_at", "updated_at"])
    record("enrolment.activation_resent", enrolment, actor=by, request=request)
    return enrolment


def credentials_board(now=None):
    """R4.2: confirmed enrolments whose learner has not received credentials yet, with their
    96-hour deadline; `state` is pending / at_risk (> 72 h) / overdue (> 96 h) / failed."""
    from django.db.models import Case, CharField, Value, When

    now = now or timezone.now()
    return (
        Enrolment.objects.filter(status=Enrolment.Status.CONFIRMED, had_credentials=False)
        .filter(learner__last_login__isnull=True)
        .exclude(invitation__status=OutgoingEmail.Status.SENT)
        .select_related("learner", "session__programme", "invitation")
        .annotate(
            delivery=Case(
                When(invitation__status=OutgoingEmail.Status.FAILED, then=Value("failed")),
                When(invitation__isnull=True, then=Value("failed")),
                When(
                    confirmed_at__lte=now - timedelta(hours=CREDENTIALS_HOURS),
                    then=Value("overdue"),
                ),
                When(confirmed_at__lte=now - timedelta(hours=AT_RISK_HOURS), then=Value("at_risk")),
                default=Value("pending"),
                output_field=CharField(),
            )
        )
        .order_by("confirmed_at", "pk")
    )


# -- withdrawal (R2.5) ------------------------------------------------------------------------


@transaction.atomic
def withdraw(prereg, *, by, reason="", request=None, now=None):
    """An individual withdraws within 10 days of signing (L6353-5); nothing is owed."""
    now = now or timezone.now()
    prereg = _lock(prereg)
    if prereg.kind != PreRegistration.Kind.PERSON:
        raise TransitionError(
            _(
                "Le délai de rétractation de 10 jours concerne le contrat conclu "
                "par un particulier, pas une convention d'entreprise."
            )
        )
    _require(prereg, {S.CONFIRMED}, _("se rétracter"), now)
    deadline = prereg.withdrawal_deadline()
    if now > deadline:
        raise TransitionError(
            _("Le délai de rétractation a pris fin le %(date)s.") % {"date": _when(deadline)}
        )
    prereg.status, prereg.withdrawn_at = S.WITHDRAWN, now
    prereg.withdrawal_reason = reason.strip()
    prereg.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
    ended = prereg.enrolments.filter(status=Enrolment.Status.CONFIRMED).update(
        status=Enrolment.Status.WITHDRAWN, ended_at=now, updated_at=now
    )
    record(
        "enrolment.withdrawn",
        prereg,
        actor=by,
        request=request,
        from_state=S.CONFIRMED,
        to_state=S.WITHDRAWN,
        reason=prereg.withdrawal_reason,
        enrolments=ended,
    )
    send_templated([prereg.email], "enrolment/email/withdrawn", {"prereg": prereg})
    return prereg


# -- access windows (R5.4) --------------------------------------------------------------------


@transaction.atomic
def set_access_window(enrolment, *, start, end, by, reason="", request=None):
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if end <= start:
        raise TransitionError(_("La fin d'accès doit être postérieure au début."))
    if not reason.strip():
        raise TransitionError(_("Indiquez le motif de la modification."))
    before = f"{enrolment.access_start.isoformat()} → {enrolment.access_end.isoformat()}"
    enrolment.access_start, enrolment.access_end = start, end
    enrolment.save(update_fields=["access_start", "access_end", "updated_at"])
    record(
        "enrolment.access_window_changed",
        enrolment,
        actor=by,
        request=request,
        from_state=before,
        to_state=f"{start.isoformat()} → {end.isoformat()}",
        reason=reason.strip(),
    )
    return enrolment


# -- reminders (R2.4): the job only notifies ---------------------------------------------------

REMINDER_DAYS = (7, 13)


def send_reminders(now=None):
    """Day 7 and day 13 after sending, to those who have not signed. Idempotent: each reminder
    is claimed with a conditional update before its email is written, in one transaction."""
    now = now or timezone.now()
    sent = 0
    for day in reversed(REMINDER_DAYS):
        field = f"reminded_day{day}_at"
        candidates = Agreement.objects.filter(
            superseded_at__isnull=True,
            preregistration__status=S.SENT,
            preregistration__sign_deadline__gt=now,
            preregistration__sent_at__lte=now - timedelta(days=day),
            **{f"{field}__isnull": True},
        ).values_list("pk", flat=True)
        for pk in list(candidates):
            with transaction.atomic():
                claim = {field: now}
                if day == 13:
                    claim["reminded_day7_at"] = F("reminded_day7_at")
                if not Agreement.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(
                    **claim
                ):
                    continue
                if day == 13:  # a day-7 reminder that never went out is not sent late
                    Agreement.objects.filter(pk=pk, reminded_day7_at__isnull=True).update(
                        reminded_day7_at=now
                    )
                agreement = Agreement.objects.select_related("preregistration").get(pk=pk)
                prereg = agreement.preregistration
                locked = agreement.links.filter(locked_at__isnull=False).exists()
                url = None if locked else signing_url(_new_link(agreement, now))
                send_templated(
                    [prereg.email],
                    "enrolment/email/reminder",
                    {
                        "prereg": prereg,
                        "url": url,
                        "day": day,
                        "deadline": _when(prereg.sign_deadline),
                    },
                )
                record("enrolment.reminder_sent", prereg, day=day)
                sent += 1
    return sent


# -- maintenance outages (R5.8) ---------------------------------------------------------------


@transaction.atomic
def extend_for_outage(*, key, start, end):
    """Extend, by the outage's duration, every access window and signing deadline that overlaps
    [start, end]. Applied once per outage (keyed), audited."""
    duration = end - start
    if duration <= timedelta(0):
        return None
    try:
        with transaction.atomic():
            mark = OutageExtension.objects.create(window_key=key, start=start, end=end)
    except IntegrityError:
        return None
    enrolments = Enrolment.objects.filter(
        status=Enrolment.Status.CONFIRMED, access_start__lt=end, access_end__gt=start
    )
    enrolment_ids = list(enrolments.values_list("pk", flat=True))
    Enrolment.objects.filter(pk__in=enrolment_ids).update(access_end=F("access_end") + duration)
    preregs = PreRegistration.objects.filter(
        status=S.SENT, sent_at__lt=end, sign_deadline__gt=start
    )
    prereg_ids = list(preregs.values_list("pk", flat=True))
    PreRegistration.objects.filter(pk__in=prereg_ids).update(
        sign_deadline=F("sign_deadline") + duration
    )
    events = [
        AuditEvent(
            action="enrolment.outage_extended",
            target_type="enrolment.enrolment",
            target_id=str(pk),
            data={"outage": key, "seconds": duration.total_seconds()},
        )
        for pk in enrolment_ids
    ] + [
        AuditEvent(
            action="enrolment.outage_extended",
            target_type="enrolment.preregistration",
            target_id=str(pk),
            data={"outage": key, "seconds": duration.total_seconds()},
        )
        for pk in prereg_ids
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    mark.enrolments_extended, mark.preregistrations_extended = len(enrolment_ids), len(prereg_ids)
    mark.save(update_fields=["enrolments_extended", "preregistrations_extended"])
    record(
        "enrolment.outage_applied",
        mark,
        start=start.isoformat(),
        end=end.isoformat(),
        enrolments=len(enrolment_ids),
        preregistrations=len(prereg_ids),
    )
    return mark


# -- verification (R2.3) ----------------------------------------------------------------------


def verify(data):
    """What the records say about a file: which document its SHA-256 matches, if any."""
    digest = pdf.sha256(data)
    signature = (
        Signature.objects.select_related("preregistration").filter(signed_sha256=digest).first()
    )
    if signature:
        return {
            "sha256": digest,
            "match": "signed",
            "signature": signature,
            "prereg": signature.preregistration,
        }
    agreement = Agreement.objects.select_related("preregistration").filter(sha256=digest).first()
    if agreement:
        return {
            "sha256": digest,
            "match": "issued",
            "agreement": agreement,
            "prereg": agreement.preregistration,
        }
    scan = (
        ScanUpload.objects.select_related("agreement__preregistration")
        .filter(sha256=digest)
        .first()
    )
    if scan:
        return {
            "sha256": digest,
            "match": "scan",
            "scan": scan,
            "prereg": scan.agreement.preregistration,
        }
    return {"sha256": digest, "match": None}


def visible_preregistrations(user):
    return PreRegistration.objects.visible_to(user)


def staff_counts(now=None):
    """What needs staff, in one query."""
    from django.db.models import Count, Q

    now = now or timezone.now()
    sent = Q(status=S.SENT)
    return PreRegistration.objects.aggregate(
        new=Count("pk", filter=Q(status=S.NEW)),
        awaiting=Count("pk", filter=sent & Q(sign_deadline__gte=now)),
        lapsed=Count("pk", filter=sent & Q(sign_deadline__lt=now)),
        scans=Count("pk", filter=Q(status=S.SCAN_SUBMITTED)),
    )
