"""Data-protection rules (R7.2, R7.3, R11.9): requests and deadlines, exports, rectification,
erasure. Every transition is one function, in a transaction, locked, audited."""

import logging

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ilmis.audit.services import record
from ilmis.notifications.services import send_templated

from . import registry
from .anonymise import anonymise_rows, delete_rows, needles_for, placeholder_email, sweep
from .models import DataExport, PrivacyRequest
from .retention import KINDS

logger = logging.getLogger(__name__)

EXPORT_SALT = "ilmis.privacy.export"
ERASED_SALT = "ilmis.privacy.erased"
# What a learner may ask to correct on signed documents (the declarations' `rectify` keys).
RECTIFIABLE = {
    "first_name": gettext_lazy("prénom"),
    "last_name": gettext_lazy("nom"),
    "company_name": gettext_lazy("entreprise (raison sociale)"),
    "address": gettext_lazy("adresse postale"),
}


# -- access check (the one place) ---------------------------------------------------------------


def is_privacy_staff(user):
    return bool(user and user.is_authenticated and user.is_back_office)


def check_staff(user):
    if not is_privacy_staff(user):
        raise PermissionDenied(_("Réservé à l'équipe."))


def export_of(user, export_id):
    """The export `export_id` if it belongs to `user`; None otherwise (shown as not found)."""
    if not (user and user.is_authenticated):
        return None
    return DataExport.objects.filter(pk=export_id, user=user).first()


# -- requests and deadlines ---------------------------------------------------------------------


def _notify(privacy_request, template, context=None, *, to=None):
    address = to or privacy_request.contact_email
    if not address:
        return None
    language = privacy_request.user.language if privacy_request.user_id else None
    return send_templated(
        [address],
        f"privacy/email/{template}",
        {"req": privacy_request, **(context or {})},
        language=language,
    )


def create_request(
    *,
    kind,
    channel,
    user=None,
    requester_name="",
    requester_email="",
    received_on=None,
    details="",
    changes=None,
    by=None,
    request=None,
):
    """Record a request (from the account, or received by post or email and typed by staff)."""
    if kind not in PrivacyRequest.Kind.values:
        raise ValidationError(_("Type de demande inconnu."))
    if channel not in PrivacyRequest.Channel.values:
        raise ValidationError(_("Canal inconnu."))
    if user is None and not (requester_email or requester_name):
        raise ValidationError(_("Indiquez la personne concernée (compte, nom ou courriel)."))
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        raise ValidationError(_("La date de réception ne peut pas être dans le futur."))
    if channel == PrivacyRequest.Channel.ACCOUNT and (by is None or by != user):
        raise PermissionDenied(_("Une demande depuis le compte est faite par la personne."))
    if kind == PrivacyRequest.Kind.RECTIFICATION and changes:
        unknown = set(changes) - set(RECTIFIABLE)
        if unknown:
            raise ValidationError(_("Champ non rectifiable : %s") % ", ".join(sorted(unknown)))
    with transaction.atomic():
        privacy_request = PrivacyRequest.objects.create(
            kind=kind,
            channel=channel,
            user=user,
            requester_name=requester_name or (user.get_full_name() if user else ""),
            requester_email=requester_email or (user.email if user else ""),
            received_on=received_on,
            details=details,
            changes={k: v for k, v in (changes or {}).items() if v},
            recorded_by=by if channel != PrivacyRequest.Channel.ACCOUNT else None,
        )
        record(
            "privacy.request_received",
            privacy_request,
            actor=by,
            request=request,
            to_state=privacy_request.status,
            kind=kind,
            channel=channel,
            deadline=privacy_request.deadline.isoformat(),
        )
        _notify(privacy_request, "received")
    return privacy_request


def _locked(privacy_request):
    return PrivacyRequest.objects.select_for_update().get(pk=privacy_request.pk)


def _require_open(privacy_request):
    if not privacy_request.is_open:
        raise ValidationError(_("Cette demande est déjà close."))


def extend(privacy_request, *, reason, by, request=None):
    """Extend the deadline by two months (GDPR art. 12(3)), telling the person why."""
    check_staff(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Indiquez le motif de la prolongation : il est envoyé à la personne.")
        )
    with transaction.atomic():
        locked = _locked(privacy_request)
        _require_open(locked)
        if locked.extended_at:
            raise ValidationError(_("Le délai a déjà été prolongé une fois (deux mois au plus)."))
        if locked.is_overdue():
            raise ValidationError(
                _("Le délai d'un mois est dépassé : il ne peut plus être prolongé.")
            )
        before = locked.deadline
        locked.extended_at = timezone.now()
        locked.extension_reason = reason
        locked.save(update_fields=["extended_at", "extension_reason"])
        record(
            "privacy.request_extended",
            locked,
            actor=by,
            request=request,
            from_state=before.isoformat(),
            to_state=locked.deadline.isoformat(),
        )
        _notify(locked, "extended")
    return locked


def close(privacy_request, *, status, answer, by, request=None, notify=True):
    """Close a request as done or refused, with the answer given to the person."""
    check_staff(by)
    if status not in (PrivacyRequest.Status.DONE, PrivacyRequest.Status.REFUSED):
        raise ValidationError(_("État de clôture inconnu."))
    answer = (answer or "").strip()
    if status == PrivacyRequest.Status.REFUSED and not answer:
        raise ValidationError(_("Un refus doit être motivé : indiquez la réponse."))
    with transaction.atomic():
        locked = _locked(privacy_request)
        _require_open(locked)
        return _close(locked, status=status, answer=answer, by=by, request=request, notify=notify)


def _close(locked, *, status, answer, by, request=None, notify=True, **data):
    locked.status = status
    locked.answer = answer
    locked.closed_at = timezone.now()
    locked.closed_by = by if by is not None and by.pk else None
    locked.save(update_fields=["status", "answer", "closed_at", "closed_by"])
    record(
        "privacy.request_closed",
        locked,
        actor=by,
        request=request,
        from_state=PrivacyRequest.Status.RECEIVED,
        to_state=status,
        late=locked.closed_at.date() > locked.deadline,
        **data,
    )
    if notify:
        _notify(locked, "closed")
    return locked


def link_account(privacy_request, *, email, by, request=None):
    """Attach a request received by post or email to the account it concerns."""
    check_staff(by)
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    user = user_model.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None:
        raise ValidationError(_("Aucun compte actif avec cette adresse."))
    with transaction.atomic():
        locked = _locked(privacy_request)
        _require_open(locked)
        if locked.user_id:
            raise ValidationError(_("Cette demande est déjà rattachée à un compte."))
        locked.user = user
        locked.save(update_fields=["user"])
        record("privacy.request_linked", locked, actor=by, request=request, user_id=user.pk)
    return locked


def open_requests():
    """Open requests, overdue first then by deadline (derived, so sorted here)."""
    today = timezone.localdate()
    items = list(
        PrivacyRequest.objects.filter(status=PrivacyRequest.Status.RECEIVED).select_related("user")
    )
    return sorted(items, key=lambda r: (not r.is_overdue(today), r.deadline, r.pk))


# -- access and portability: the export ---------------------------------------------------------


def start_export(user, *, by=None, privacy_request=None, request=None):
    """Queue a new archive of `user`'s data; at most one is prepared at a time."""
    if by is not None and by != user:
        check_staff(by)
    with transaction.atomic():
        running = (
            DataExport.objects.select_for_update()
            .filter(user=user, status__in=[DataExport.Status.PENDING, DataExport.Status.RUNNING])
            .first()
        )
        if running:
            return running
        export = DataExport.objects.create(
            user=user,
            request=privacy_request,
            steps_total=len(registry.declarations()),
        )
        record("privacy.export_requested", export, actor=by or user, request=request)
    from .tasks import build_export_task

    transaction.on_commit(lambda: build_export_task(export.pk))
    return export


def download_token(export):
    return signing.dumps({"e": export.pk, "u": export.user_id}, salt=EXPORT_SALT)


def download_url(export):
    return reverse("privacy:export_download", kwargs={"token": download_token(export)})


def export_for_download(token, user):
    """The export a signed link points to, if it is still valid and `user` owns it."""
    max_age = KINDS["export"].value * 24 * 3600
    try:
        payload = signing.loads(token, salt=EXPORT_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise PermissionDenied(_("Ce lien a expiré : demandez une nouvelle archive.")) from None
    except signing.BadSignature:
        raise PermissionDenied(_("Ce lien n'est pas valide.")) from None
    if not user.is_authenticated or payload.get("u") != user.pk:
        raise PermissionDenied(_("Cette archive appartient à une autre personne."))
    export = DataExport.objects.filter(pk=payload.get("e"), user=user).first()
    if export is None or export.status != DataExport.Status.READY or not export.file:
        raise PermissionDenied(_("Cette archive n'existe plus : demandez-en une nouvelle."))
    if export.is_expired():
        raise PermissionDenied(_("Ce lien a expiré : demandez une nouvelle archive."))
    return export


def export_ready(export):
    """After the job: tell the person, and close the access request it answers."""
    with transaction.atomic():
        record("privacy.export_ready", export, actor=None, size=export.size)
        send_templated(
            [export.user.email],
            "privacy/email/export_ready",
            {"export": export, "url": settings.SITE_URL + download_url(export)},
            language=export.user.language,
        )
        if export.request_id:
            locked = _locked(export.request)
            if locked.is_open and locked.kind == PrivacyRequest.Kind.ACCESS:
                _close(
                    locked,
                    status=PrivacyRequest.Status.DONE,
                    answer=_("Archive de vos données mise à disposition dans votre compte."),
                    by=None,
                    notify=False,
                )


# -- rectification ------------------------------------------------------------------------------


def signed_identity(user):
    """What the documents of `user` currently print, per rectifiable field (for the form)."""
    values = {}
    for declaration in registry.declarations():
        if not declaration.rectify:
            continue
        for obj in declaration.records_of(user)[:20]:
            for key, field_name in declaration.rectify.items():
                value = getattr(obj, field_name, "")
                if value:
                    values.setdefault(key, set()).add(str(value))
    return {str(RECTIFIABLE[key]): sorted(found) for key, found in values.items()}


def apply_rectification(privacy_request, *, values, by, request=None):
    """Staff apply a correction to every declared record of the person (and their account)."""
    check_staff(by)
    values = {k: (v or "").strip() for k, v in values.items() if k in RECTIFIABLE and v}
    if not values:
        raise ValidationError(_("Indiquez au moins une valeur corrigée."))
    with transaction.atomic():
        locked = _locked(privacy_request)
        _require_open(locked)
        if locked.kind != PrivacyRequest.Kind.RECTIFICATION:
            raise ValidationError(_("Cette demande n'est pas une demande de rectification."))
        if locked.user_id is None:
            raise ValidationError(_("Rattachez d'abord la demande à un compte."))
        user = locked.user
        changed = {}
        for declaration in registry.declarations():
            updates = {
                field_name: values[key]
                for key, field_name in declaration.rectify.items()
                if key in values
            }
            if not updates:
                continue
            model = declaration.model_class
            for name, value in list(updates.items()):
                max_length = model._meta.get_field(name).max_length
                if max_length and len(value) > max_length:
                    raise ValidationError(
                        _("« %(value)s » est trop long (%(max)s caractères au plus).")
                        % {"value": value, "max": max_length}
                    )
            ids = list(declaration.records_of(user).values_list("pk", flat=True))
            if ids:
                count = model._default_manager.filter(pk__in=ids).update(**updates)
                changed[declaration.model] = {"rows": count, "fields": sorted(updates)}
        _close(
            locked,
            status=PrivacyRequest.Status.DONE,
            answer=_("Vos informations ont été corrigées."),
            by=by,
            request=request,
            rectified=changed,
        )
        record("privacy.rectification_applied", user, actor=by, request=request, changed=changed)
    return changed


# -- erasure ------------------------------------------------------------------------------------


def ongoing_trainings(user):
    """The person's enrolments whose access window is open now."""
    try:
        enrolment = apps.get_model("enrolment", "Enrolment")
    except LookupError:
        return []
    return list(enrolment.objects.active().filter(learner=user).select_related("session"))


def erasure_plan(user):
    """What erasure would do, per kind of data: [{label, action, count, kept, retention}]."""
    plan = []
    for declaration in registry.declarations():
        rows = declaration.records_of(user)
        count = rows.count()
        if not count:
            continue
        kept = 0
        if declaration.on_erasure == "keep":
            kept = rows.filter(declaration.kept_q()).count()
        retention = ""
        rules = declaration.retention_rules()
        if kept and rules:
            retention = str(KINDS[rules[0][0]].describe())
        plan.append(
            {
                "model": declaration.model,
                "label": str(declaration.verbose_name),
                "action": declaration.on_erasure
                if kept or declaration.on_erasure != "keep"
                else "anonymise",
                "count": count,
                "kept": kept,
                "retention": retention,
                "legal_basis": str(declaration.legal_basis),
            }
        )
    return plan


def _sweep_skip(model):
    declaration = registry.declaration_for(model)
    if declaration is None or declaration.on_erasure != "keep" or declaration.sweep_kept:
        return None
    return True if declaration.keep_if is None else declaration.kept_q()


def erase(privacy_request, *, by, confirm_ongoing=False, request=None):
    """Anonymise the person everywhere declared, keep what the law requires, tell them.

    One transaction: either everything is anonymised or nothing is.
    """
    check_staff(by)
    with transaction.atomic():
        locked = _locked(privacy_request)
        _require_open(locked)
        if locked.kind != PrivacyRequest.Kind.ERASURE:
            raise ValidationError(_("Cette demande n'est pas une demande d'effacement."))
        if locked.user_id is None:
            raise ValidationError(_("Rattachez d'abord la demande à un compte."))
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        user = user_model.objects.select_for_update().get(pk=locked.user_id)
        if user == by:
            raise ValidationError(_("On ne traite pas l'effacement de son propre compte."))
        if not user.is_active and user.email.endswith("@invalid"):
            raise ValidationError(_("Ce compte est déjà anonymisé."))
        ongoing = ongoing_trainings(user)
        if ongoing and not confirm_ongoing:
            raise ValidationError(
                _(
                    "Cette personne suit une formation en cours : confirmez que l'effacement "
                    "met fin à son accès (les preuves de formation sont conservées)."
                )
            )
        original_email = user.email
        extra_emails = _other_emails(user)
        emails, names = needles_for(user, extra_emails)
        placeholder = placeholder_email(user.pk)
        plan = erasure_plan(user)
        user_label = user_model._meta.label_lower
        ordered = sorted(
            registry.declarations(), key=lambda d: d.model.lower() == user_label
        )  # the user row last: the other subjects still find the person by email
        for declaration in ordered:
            rows = declaration.records_of(user)
            if declaration.on_erasure == "keep":
                anonymise_rows(declaration, rows.exclude(declaration.kept_q()))
            elif declaration.erase is not None:
                declaration.erase(rows, user, placeholder)
            elif declaration.on_erasure == "delete":
                delete_rows(declaration, rows)
            else:
                anonymise_rows(declaration, rows)
        swept = sweep(emails, names, email_replacement=placeholder, skip=_sweep_skip)
        user.refresh_from_db()
        locked.refresh_from_db()
        locked.outcome = {
            "plan": plan,
            "swept": swept,
            "ongoing": len(ongoing),
            "at": timezone.now().isoformat(),
        }
        locked.save(update_fields=["outcome"])
        _close(
            locked,
            status=PrivacyRequest.Status.DONE,
            answer=_(
                "Vos données ont été anonymisées ; les documents que la loi impose de "
                "conserver le sont jusqu'à la fin de leur durée de conservation."
            ),
            by=by,
            request=request,
            notify=False,
            kept=sum(item["kept"] for item in plan),
            ongoing=len(ongoing),
        )
        record("privacy.erased", user, actor=by, request=request, request_id=locked.pk)
        notice = send_templated(
            [original_email],
            "privacy/email/erased",
            {"req": locked, "plan": plan, "url": settings.SITE_URL + erased_url(locked)},
        )
        locked.notice = notice
        locked.save(update_fields=["notice"])
    return locked


def _other_emails(user):
    try:
        email_address = apps.get_model("account", "EmailAddress")
    except LookupError:
        return []
    return list(email_address.objects.filter(user=user).values_list("email", flat=True))


def erased_url(privacy_request):
    token = signing.dumps(privacy_request.pk, salt=ERASED_SALT)
    return reverse("privacy:erased", kwargs={"token": token})


def erased_request(token):
    try:
        pk = signing.loads(token, salt=ERASED_SALT)
    except signing.BadSignature:
        return None
    return PrivacyRequest.objects.filter(
        pk=pk, kind=PrivacyRequest.Kind.ERASURE, status=PrivacyRequest.Status.DONE
    ).first()


def scrub_delivered_notices():
    """Once the erasure notice has left, its outbox row forgets the address it went to."""
    outgoing = apps.get_model("notifications", "OutgoingEmail")
    done = 0
    pending = PrivacyRequest.objects.filter(notice_scrubbed=False).filter(
        Q(notice__isnull=True, status=PrivacyRequest.Status.DONE, kind="erasure")
        | Q(notice__status__in=[outgoing.Status.SENT, outgoing.Status.FAILED])
    )
    for privacy_request in pending:
        with transaction.atomic():
            if privacy_request.notice_id:
                outgoing.objects.filter(pk=privacy_request.notice_id).update(
                    to=[placeholder_email(privacy_request.user_id or 0)]
                )
            privacy_request.notice_scrubbed = True
            privacy_request.save(update_fields=["notice_scrubbed"])
            done += 1
    return done
