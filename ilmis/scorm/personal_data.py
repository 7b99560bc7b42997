"""Personal data held by scorm (declared for ilmis.privacy)."""

from django.utils.translation import gettext_lazy as _

from ilmis.privacy.registry import PersonalData

DECLARATIONS = [
    PersonalData(
        # Scores and times are evaluation evidence (R11.3): kept on erasure; the learner's name
        # inside the run-time data (cmi.core.student_name) is replaced by the sweep.
        model="scorm.ScormAttempt",
        subject="learner",
        free_text=["suspend_data", "location"],
        json=["data"],
        on_erasure="keep",
        sweep_kept=True,
        retention="evidence",
        retention_date="updated_at",
        legal_basis=_("obligation légale : évaluations et temps de formation (D6313-3-1)"),
        label=_("tentatives SCORM"),
    ),
    PersonalData(
        model="scorm.ApiCall",
        subject="attempt__learner",
        free_text=["value", "result"],
        on_erasure="delete",
        retention="working",
        retention_date="at",
        on_expiry="delete",
        legal_basis=_("assistance technique (journal des appels SCORM)"),
        label=_("appels SCORM"),
    ),
    PersonalData(
        model="scorm.ScormPackage",
        subject="uploaded_by",
        on_erasure="anonymise",
        legal_basis=_("traçabilité des contenus"),
        label=_("paquets SCORM déposés"),
    ),
]

NOT_PERSONAL = ["scorm.Sco"]
