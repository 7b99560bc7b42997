"""Personal data held by maintenance (declared for ilmis.privacy)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ilmis.privacy.registry import PersonalData

DECLARATIONS = [
    PersonalData(
        model="maintenance.MaintenanceWindow",
        subject=lambda user: Q(created_by=user) | Q(cancelled_by=user) | Q(ended_by=user),
        others=["affected", "emergency_reason"],
        on_erasure="anonymise",
        legal_basis=_("traçabilité des interruptions de service (R5.8)"),
        label=_("maintenances planifiées"),
    ),
]
