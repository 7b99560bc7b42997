"""Retention periods per kind of data (R11.9) and the job that applies them.

Periods are configuration (settings, read with getattr and a default). Each declaration in an
app's `personal_data.py` says which kind its rows are, from which date the period runs and what
happens at the end (anonymise or delete). The job is safe to run twice: a row already anonymised
is not changed again, a row deleted is gone, and the report counts only what changed.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    setting: str
    default: int
    unit: str  # "days", or "years_after_year_end"
    label: str
    description: str
    anchor: str = ""

    @property
    def value(self):
        return int(getattr(settings, self.setting, self.default))

    def cutoff(self, now=None):
        """Rows whose retention date is before the cutoff have expired."""
        now = now or timezone.now()
        if self.unit == "years_after_year_end":
            # Kept until the end of the year of the date, plus N years: a date in year Y
            # expires on 1 January of Y + N + 1.
            year = timezone.localtime(now).year - self.value
            return timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
        return now - timedelta(days=self.value)

    def describe(self):
        if self.unit == "years_after_year_end":
            return _("%(n)s ans après la fin de l'année %(anchor)s") % {
                "n": self.value,
                "anchor": self.anchor or _("du dernier paiement"),
            }
        return _("%(n)s jours") % {"n": self.value}


KINDS = {
    "evidence": Kind(
        "ILMIS_RETENTION_EVIDENCE_YEARS",
        3,
        "years_after_year_end",
        _("preuves de réalisation, conventions, signatures, certificats"),
        _(
            "Conservés pour les contrôles des financeurs (OPCO, CPF, France Travail) et l'audit "
            "Qualiopi."
        ),
    ),
    "security": Kind(
        "ILMIS_RETENTION_SECURITY_DAYS",
        365,
        "days",
        _("journaux de sécurité (connexions, sessions, événements d'audit)"),
        _("Conservés pour détecter et instruire les usages frauduleux."),
    ),
    "preregistration": Kind(
        "ILMIS_RETENTION_PREREGISTRATION_DAYS",
        365,
        "days",
        _("préinscriptions abandonnées"),
        _("Demandes refusées, annulées ou jamais signées."),
    ),
    "outbox": Kind(
        "ILMIS_RETENTION_OUTBOX_DAYS",
        365,
        "days",
        _("courriels envoyés"),
        _("Conservés pour prouver l'envoi des convocations et des avis."),
    ),
    "working": Kind(
        "ILMIS_RETENTION_WORKING_DAYS",
        365,
        "days",
        _("données de travail (imports, tests de compatibilité, demandes traitées)"),
        _("Utiles au traitement d'une demande, puis supprimées."),
    ),
    "account": Kind(
        "ILMIS_RETENTION_ACCOUNT_YEARS",
        3,
        "years_after_year_end",
        _("comptes sans formation ni connexion"),
        _("Un compte inutilisé depuis la fin de la dernière formation est anonymisé."),
        _("de la dernière formation ou connexion"),
    ),
    "export": Kind(
        "ILMIS_PRIVACY_EXPORT_DAYS",
        7,
        "days",
        _("archives de vos données"),
        _("Le lien de téléchargement expire, puis l'archive est supprimée."),
    ),
}


def expired_rows(declaration, rule, now=None):
    """The rows of `declaration` whose retention period under `rule` has run out."""
    kind_name, date_path, condition, _action = rule
    cutoff = KINDS[kind_name].cutoff(now)
    if callable(condition):
        condition = condition(cutoff)
    condition = condition if condition is not None else Q()
    model_field = _final_field(declaration.model_class, date_path)
    if isinstance(model_field, models.DateField) and not isinstance(
        model_field, models.DateTimeField
    ):
        cutoff = timezone.localtime(cutoff).date()
    return (
        declaration.model_class._default_manager.filter(condition)
        .filter(**{f"{date_path}__lt": cutoff})
        .distinct()
    )


def _final_field(model, path):
    for part in path.split("__"):
        model_field = model._meta.get_field(part)
        if model_field.is_relation:
            model = model_field.related_model
    return model_field


def apply_retention(*, dry_run=False, now=None):
    """Anonymise or delete every expired row; return the RetentionRun that reports it."""
    from .anonymise import anonymise_rows, delete_rows
    from .models import RetentionRun
    from .registry import declarations

    now = now or timezone.now()
    run = RetentionRun.objects.create(dry_run=dry_run)
    report = []
    user_label = settings.AUTH_USER_MODEL.lower()
    # Accounts first: records that wait for their person's account to go follow in the same run.
    ordered = sorted(declarations(), key=lambda d: d.model.lower() != user_label)
    for declaration in ordered:
        for rule in declaration.retention_rules():
            kind_name, _date_path, _condition, action = rule
            error = ""
            try:
                with transaction.atomic():
                    rows = expired_rows(declaration, rule, now)
                    if action == "delete":
                        count = rows.count()
                        if count and not dry_run:
                            delete_rows(declaration, rows)
                    elif declaration.erase is not None:
                        # The declaration's own handler (the user row): its condition leaves
                        # out what is already anonymised, so a second run finds nothing.
                        count = rows.count()
                        if count and not dry_run:
                            declaration.erase(rows, None, None)
                    else:
                        count = anonymise_rows(declaration, rows, dry_run=dry_run)
            except ProtectedError as protected:
                # Another record still needs these rows: report it, go on with the rest.
                count, error = 0, f"protected by {len(protected.protected_objects)} record(s)"
                logger.warning("retention: %s of %s: %s", action, declaration.model, error)
            entry = {
                "model": declaration.model,
                "kind": kind_name,
                "action": action,
                "period": str(KINDS[kind_name].describe()),
                "count": count,
            }
            if error:
                entry["error"] = error
            report.append(entry)
            if count:
                logger.info(
                    "retention%s: %s %s %s row(s) of %s",
                    " (dry run)" if dry_run else "",
                    "would" if dry_run else "did",
                    action,
                    count,
                    declaration.model,
                )
    run.report = report
    run.total = sum(entry["count"] for entry in report)
    run.finished_at = timezone.now()
    run.save(update_fields=["report", "total", "finished_at"])
    if not dry_run:
        from ilmis.audit.services import record

        record("privacy.retention_applied", run, total=run.total)
    logger.info("retention%s: %s row(s) in all", " (dry run)" if dry_run else "", run.total)
    return run
