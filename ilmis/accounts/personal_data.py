"""Personal data held by accounts (declared for ilmis.privacy: export, erasure, retention)."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ilmis.privacy.handlers import anonymise_user
from ilmis.privacy.registry import PersonalData


def _dormant_account(cutoff):
    """Learners and managers with no login and no training access since the cutoff."""
    return (
        Q(role__in=["learner", "manager"])
        & (Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
        & ~Q(enrolments__access_end__gte=cutoff)
        & ~Q(email__endswith="@invalid")
    )


def _unused_person_client(cutoff):
    """A natural person's client record once none of its accounts identifies anyone."""
    from ilmis.accounts.models import User

    identified = User.objects.filter(client=OuterRef("pk")).exclude(email__endswith="@invalid")
    return Q(kind="person") & ~Q(Exists(identified))


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
        # R11.9: an account unused since the end of its last training is anonymised (the same
        # handler as erasure: inactive, unusable password, placeholder email).
        retention="account",
        retention_date="date_joined",
        retention_filter=_dormant_account,
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
        retention="account",
        retention_date="created_at",
        retention_filter=_unused_person_client,
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
