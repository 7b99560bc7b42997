"""Personal data held by accounts (declared for ilmis.privacy: export, erasure, retention)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ilmis.privacy.handlers import anonymise_user
from ilmis.privacy.registry import PersonalData

DECLARATIONS = [
    PersonalData(
        model="accounts.User",
        subject="",
        fields=["first_name", "last_name", "email", "phone", "address"],
        hidden=["password", "is_superuser", "must_reset_password"],
        on_erasure="anonymise",
        erase=anonymise_user,
        # Edited by the person at /compte/profil/; staff apply a correction of the signed
        # documents to the account too.
        rectify={"first_name": "first_name", "last_name": "last_name", "address": "address"},
        legal_basis=_("exécution du contrat de formation"),
        label=_("identité"),
    ),
    PersonalData(
        # A natural person's client record is theirs; a company's is not personal data.
        model="accounts.Client",
        subject=lambda user: Q(users=user, kind="person"),
        fields=["name", "address", "email", "phone", "siret"],
        on_erasure="anonymise",
        rectify={"address": "address"},
        legal_basis=_("exécution du contrat de formation"),
        label=_("client (particulier)"),
    ),
    PersonalData(
        model="accounts.FraudReport",
        subject="user",
        free_text=["description"],
        ips=["ip"],
        others=["handled_by", "staff_notes"],
        on_erasure="anonymise",
        retention="security",
        retention_date="reported_at",
        on_expiry="delete",
        legal_basis=_("sécurité (signalement d'usage frauduleux, R5.2)"),
        label=_("signalements d'usage frauduleux"),
    ),
    PersonalData(
        # A manager's CSV: it lists other people, so it is never exported; erasing one of them
        # replaces their name and email inside it (the sweep).
        model="accounts.LearnerImport",
        subject="created_by",
        others=["content", "errors"],
        on_erasure="anonymise",
        retention="working",
        retention_date="created_at",
        on_expiry="delete",
        legal_basis=_("exécution du contrat (comptes des salariés)"),
        label=_("imports d'apprenants"),
    ),
]
