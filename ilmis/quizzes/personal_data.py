"""Personal data held by quizzes (declared for ilmis.privacy)."""

from django.utils.translation import gettext_lazy as _

from ilmis.privacy.registry import PersonalData

EVIDENCE = _("obligation légale : évaluations de la formation (D6313-3-1 3°, R11.3)")

DECLARATIONS = [
    PersonalData(
        # Each attempt (identity, time, score) is evidence for funders: kept on erasure, then
        # anonymised once the evidence period has run out.
        model="quizzes.Attempt",
        subject="user",
        on_erasure="keep",
        retention="evidence",
        retention_date="started_at",
        legal_basis=EVIDENCE,
        label=_("tentatives de QCM"),
    ),
    PersonalData(
        model="quizzes.AttemptQuestion",
        subject="attempt__user",
        json=["response"],
        others=["grader_comment"],
        on_erasure="keep",
        retention="evidence",
        retention_date="attempt__started_at",
        legal_basis=EVIDENCE,
        label=_("réponses aux QCM"),
    ),
    PersonalData(
        model="quizzes.Question",
        subject="created_by",
        others=["text", "general_feedback", "options"],
        on_erasure="anonymise",
        legal_basis=_("traçabilité des contenus"),
        label=_("questions créées ou importées"),
    ),
    PersonalData(
        model="quizzes.Quiz",
        subject="created_by",
        others=["intro"],
        on_erasure="anonymise",
        legal_basis=_("traçabilité des contenus"),
        label=_("QCM créés"),
    ),
    PersonalData(
        model="quizzes.ImportJob",
        subject="created_by",
        fields=["filename"],
        on_erasure="delete",
        retention="working",
        retention_date="created_at",
        on_expiry="delete",
        legal_basis=_("suivi des imports de questions"),
        label=_("imports de questions"),
    ),
]

NOT_PERSONAL = [
    "quizzes.Category",  # `name` is a folder of the bank
    "quizzes.Answer",
    "quizzes.Hint",
    "quizzes.QuestionFile",  # `name` is the name of an image in a question
    "quizzes.QuizSlot",
]
