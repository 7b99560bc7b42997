"""Personal data held by exercises (declared for ilmis.privacy)."""

from django.utils.translation import gettext_lazy as _

from ilmis.privacy.registry import PersonalData

EVIDENCE = _("obligation légale : travaux remis, preuve de réalisation (D6313-3-1, R11.4)")

DECLARATIONS = [
    PersonalData(
        # Submitted work and its correction are evidence for funders: kept on erasure, then
        # anonymised (text and files) once the evidence period has run out.
        model="exercises.Submission",
        subject="learner",
        free_text=["text"],
        files=["annotated_file"],
        fields=["annotated_file_name"],
        on_erasure="keep",
        retention="evidence",
        retention_date="submitted_at",
        legal_basis=EVIDENCE,
        label=_("exercices remis et corrections"),
    ),
    PersonalData(
        model="exercises.SubmissionFile",
        subject="submission__learner",
        files=["file"],
        fields=["original_name"],
        on_erasure="keep",
        retention="evidence",
        retention_date="submission__submitted_at",
        legal_basis=EVIDENCE,
        label=_("fichiers remis"),
    ),
    PersonalData(
        model="exercises.Exercise",
        subject="corrector",
        others=["instructions", "correction_text", "correction_file", "correction_file_name"],
        on_erasure="anonymise",
        legal_basis=_("organisation de la correction"),
        label=_("exercices à corriger"),
    ),
]
