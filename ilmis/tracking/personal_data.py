"""Personal data held by tracking (declared for ilmis.privacy: export, erasure, retention).

Beats, connections, exchanges, outcomes and surveys are evidence that the action took place
(D6313-3-1, R6313-3): kept on erasure, anonymised by the retention job once the evidence period
has run out.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ilmis.privacy.registry import PersonalData

EVIDENCE = _("obligation légale : preuve de réalisation de l'action à distance (D6313-3-1)")
QUALITY = _("obligation de qualité (Qualiopi, indicateurs 2, 12 et 26)")

DECLARATIONS = [
    PersonalData(
        model="tracking.Beat",
        subject="learner",
        on_erasure="keep",
        retention="evidence",
        retention_date="at",
        on_expiry="delete",
        legal_basis=EVIDENCE,
        label=_("temps actif (signaux d'activité)"),
    ),
    PersonalData(
        model="tracking.Connection",
        subject="user",
        ips=["ip", "user_agent"],
        on_erasure="keep",
        retention="evidence",
        retention_date="at",
        on_expiry="delete",
        legal_basis=EVIDENCE,
        label=_("connexions et déconnexions"),
    ),
    PersonalData(
        model="tracking.SessionTutor",
        subject="trainer",
        on_erasure="keep",
        legal_basis=_("organisation du tutorat"),
        label=_("tutorat de sessions"),
    ),
    PersonalData(
        model="tracking.Thread",
        subject="learner",
        on_erasure="keep",
        retention="evidence",
        retention_date="last_message_at",
        legal_basis=EVIDENCE,
        label=_("échanges avec le tuteur"),
    ),
    PersonalData(
        # The person's own messages and the answers they received.
        model="tracking.Message",
        subject=lambda user: Q(author=user) | Q(thread__learner=user),
        free_text=["body"],
        on_erasure="keep",
        retention="evidence",
        retention_date="created_at",
        legal_basis=EVIDENCE,
        label=_("messages au tuteur"),
    ),
    PersonalData(
        model="tracking.Outcome",
        subject="enrolment__learner",
        free_text=["stop_reason", "evaluation"],
        others=["recorded_by"],
        on_erasure="keep",
        retention="evidence",
        retention_date="recorded_at",
        legal_basis=EVIDENCE,
        label=_("arrêt et évaluation de la formation"),
    ),
    PersonalData(
        model="tracking.Job",
        subject="created_by",
        others=["file", "error"],
        on_erasure="delete",
        retention="working",
        retention_date="created_at",
        on_expiry="delete",
        legal_basis=_("génération de documents par l'équipe"),
        label=_("générations de documents"),
    ),
    PersonalData(
        model="tracking.Survey",
        subject="enrolment__learner",
        free_text=["comment"],
        on_erasure="anonymise",
        retention="evidence",
        retention_date="enrolment__session__end_date",
        legal_basis=QUALITY,
        label=_("enquêtes de satisfaction"),
    ),
    PersonalData(
        model="tracking.InactivityAlert",
        subject="enrolment__learner",
        others=["followed_up_by", "follow_up"],
        on_erasure="keep",
        retention="evidence",
        retention_date="created_at",
        legal_basis=QUALITY,
        label=_("alertes d'inactivité"),
    ),
    PersonalData(
        model="tracking.AccessibilityNeed",
        subject="learner",
        free_text=["needs", "adaptations"],
        others=["handled_by"],
        on_erasure="anonymise",
        retention="evidence",
        retention_date="created_at",
        legal_basis=QUALITY,
        label=_("besoins d'adaptation (handicap)"),
    ),
]

NOT_PERSONAL = ["tracking.DocumentTemplate"]
