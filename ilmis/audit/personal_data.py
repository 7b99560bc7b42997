"""Personal data held by audit (declared for ilmis.privacy)."""

from django.utils.translation import gettext_lazy as _

from ilmis.privacy.handlers import audit_row, audit_subject
from ilmis.privacy.registry import PersonalData

DECLARATIONS = [
    PersonalData(
        # On erasure the IP goes; names and emails in target_repr and data are replaced by the
        # sweep; what happened, and when, stays (security log, deleted after its period).
        model="audit.AuditEvent",
        subject=audit_subject,
        ips=["ip"],
        others=["target_repr", "data"],
        on_erasure="anonymise",
        row=audit_row,
        retention="security",
        retention_date="at",
        on_expiry="delete",
        legal_basis=_("sécurité et traçabilité (journal d'audit)"),
        label=_("journal d'audit"),
    ),
]
