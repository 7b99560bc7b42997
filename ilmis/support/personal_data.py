"""Personal data held by support (declared for ilmis.privacy)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ilmis.privacy.registry import PersonalData

REGISTER = _("obligation de qualité : registre des incidents et réclamations (Qualiopi, ind. 31)")

DECLARATIONS = [
    PersonalData(
        model="support.Incident",
        subject="reporter",
        free_text=["summary", "description", "page_url", "activity_ref"],
        files=["screenshot"],
        ips=["user_agent"],
        others=["assigned_to"],
        on_erasure="anonymise",
        retention="evidence",
        retention_date="reported_at",
        legal_basis=REGISTER,
        label=_("incidents signalés"),
    ),
    PersonalData(
        # The person's own messages, and the team's replies on their incidents (not notes).
        model="support.IncidentEvent",
        subject=lambda user: Q(author=user) | (Q(incident__reporter=user) & ~Q(kind="note")),
        free_text=["body"],
        on_erasure="anonymise",
        retention="evidence",
        retention_date="at",
        legal_basis=REGISTER,
        label=_("échanges sur les incidents"),
    ),
    PersonalData(
        model="support.CompatibilityReport",
        subject="user",
        ips=["user_agent"],
        json=["results"],
        on_erasure="delete",
        retention="working",
        retention_date="created_at",
        on_expiry="delete",
        legal_basis=_("assistance technique"),
        label=_("tests de compatibilité"),
    ),
    PersonalData(
        model="support.Complaint",
        subject=lambda user: Q(user=user) | Q(email__iexact=user.email),
        fields=["name", "email", "phone"],
        free_text=["description"],
        others=["recorded_by", "handled_by", "actions"],
        on_erasure="anonymise",
        retention="evidence",
        retention_date="received_at",
        legal_basis=REGISTER,
        label=_("réclamations"),
    ),
]
