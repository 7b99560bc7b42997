"""Personal data held by this app, and by the third-party apps the platform installs
(allauth, Django's admin log and sessions), declared here because they have no ilmis module."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .handlers import end_sessions
from .registry import PersonalData

DECLARATIONS = [
    PersonalData(
        model="privacy.PrivacyRequest",
        subject=lambda user: Q(user=user) | Q(requester_email__iexact=user.email),
        fields=["requester_name", "requester_email"],
        free_text=["details"],
        json=["changes"],
        others=["recorded_by", "closed_by"],
        hidden=["notice", "notice_scrubbed", "outcome"],
        on_erasure="anonymise",
        retention="working",
        retention_date="closed_at",
        legal_basis=_("obligation légale (RGPD, art. 12 à 22)"),
        label=_("demandes sur vos données"),
    ),
    PersonalData(
        model="privacy.DataExport",
        subject="user",
        files=["file"],
        hidden=["manifest", "sha256", "error", "file"],  # no archive inside the archive
        on_erasure="delete",
        retention="export",
        retention_date="created_at",
        on_expiry="delete",
        legal_basis=_("obligation légale (RGPD, art. 15 et 20)"),
        label=_("archives de vos données"),
    ),
    # allauth
    PersonalData(
        model="account.EmailAddress",
        subject="user",
        fields=["email"],
        on_erasure="delete",
        legal_basis=_("exécution du contrat (connexion)"),
        label=_("adresses électroniques du compte"),
    ),
    PersonalData(
        model="account.EmailConfirmation",
        subject="email_address__user",
        hidden=["key"],
        on_erasure="delete",
        retention="security",
        retention_date="created",
        on_expiry="delete",
        legal_basis=_("exécution du contrat (connexion)"),
        label=_("confirmations d'adresse"),
    ),
    PersonalData(
        model="mfa.Authenticator",
        subject="user",
        hidden=["data"],
        on_erasure="delete",
        legal_basis=_("sécurité du compte"),
        label=_("double authentification"),
    ),
    PersonalData(
        model="usersessions.UserSession",
        subject="user",
        ips=["ip", "user_agent"],
        json=["data"],
        hidden=["session_key"],
        on_erasure="delete",
        erase=end_sessions,
        retention="security",
        retention_date="last_seen_at",
        on_expiry="delete",
        legal_basis=_("sécurité (un identifiant ne se partage pas, R3.4)"),
        label=_("sessions et connexions"),
    ),
    # Django
    PersonalData(
        model="admin.LogEntry",
        subject="user",
        others=["object_repr", "change_message", "object_id"],
        on_erasure="anonymise",
        retention="security",
        retention_date="action_time",
        on_expiry="delete",
        legal_basis=_("sécurité (journal d'administration)"),
        label=_("actions d'administration"),
    ),
]

NOT_PERSONAL = [
    "privacy.RetentionRun",
    # Session data is encoded; a person's sessions are ended through usersessions.UserSession.
    "sessions.Session",
]
