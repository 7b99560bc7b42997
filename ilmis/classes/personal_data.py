"""Personal data held by classes (declared for ilmis.privacy)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ilmis.privacy.registry import PersonalData

EVIDENCE = _("obligation légale : émargement des classes virtuelles (R11.7, D6313-3-1)")

DECLARATIONS = [
    PersonalData(
        model="classes.Attendance",
        subject="learner",
        ips=["signed_ip", "signed_user_agent"],
        others=["confirmed_by"],
        on_erasure="keep",
        retention="evidence",
        retention_date="live_class__start",
        legal_basis=EVIDENCE,
        label=_("présences aux classes virtuelles"),
    ),
    PersonalData(
        model="classes.TrainerSignature",
        subject="trainer",
        ips=["signed_ip"],
        on_erasure="keep",
        retention="evidence",
        retention_date="live_class__start",
        legal_basis=EVIDENCE,
        label=_("signatures du formateur"),
    ),
    PersonalData(
        # Microsoft Teams' attendance report: a row per participant, matched to a learner.
        model="classes.TeamsAttendance",
        subject=lambda user: Q(learner=user) | Q(email__iexact=user.email),
        fields=["email", "name"],
        on_erasure="keep",
        retention="evidence",
        retention_date="live_class__start",
        legal_basis=EVIDENCE,
        label=_("rapports de présence Teams"),
    ),
    PersonalData(
        model="classes.LiveClass",
        subject=lambda user: Q(trainer=user) | Q(created_by=user) | Q(cancelled_by=user),
        others=["join_url", "graph_meeting_id", "graph_organizer", "cancel_reason"],
        on_erasure="anonymise",
        legal_basis=_("organisation des classes virtuelles"),
        label=_("classes virtuelles animées"),
    ),
    PersonalData(
        model="classes.CalendarFeed",
        subject="user",
        hidden=["token"],
        on_erasure="delete",
        legal_basis=_("exécution du contrat (agenda)"),
        label=_("abonnement d'agenda"),
    ),
]
