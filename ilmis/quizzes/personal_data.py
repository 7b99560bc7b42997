"""Personal data held by quizzes (declared for ilmis.privacy)."""

from django.utils.translation import gettext_lazy as _

from ilmis.privacy.registry import PersonalData

EVALUATION = _(
    "obligation légale : évaluations, chaque tentative avec score, durée et identité "
    "(D6313-3-1, R11.3)"
)

DECLARATIONS = [
    PersonalData(
        # Attempts are evaluation evidence: kept on erasure with their scores and times.
        model="quizzes.Attempt",
        subject="user",
        on_erasure="keep",
        legal_basis=EVALUATION,
        label=_("tentatives de QCM"),
    ),
    PersonalData(
        # The person's answers (a short answer is free text) and the grader's comment on them.
        model="quizzes.AttemptQuestion",
        subject="attempt__user",
        json=["response"],
        others=["layout"],
        on_erasure="keep",
        retention="evidence",
        retention_date="attempt__started_at",
        legal_basis=EVALUATION,
        label=_("réponses aux QCM"),
    ),
    PersonalData(
        model="quizzes.Quiz",
        subject="created_by",
        others=["intro", "title"],
        on_erasure="anonymise",
        legal_basis=_("traçabilité des contenus"),
        label=_("QCM rédigés"),
    ),
    PersonalData(
        model="quizzes.Question",
        subject="created_by",
        others=["text", "general_feedback", "options", "tags"],
        on_erasure="anonymise",
        legal_basis=_("traçabilité des contenus"),
        label=_("questions rédigées"),
    ),
    PersonalData(
        model="quizzes.ImportJob",
        subject="created_by",
        files=["upload"],
        others=["errors", "counts"],
        on_erasure="anonymise",
        retention="working",
        retention_date="created_at",
        on_expiry="delete",
        legal_basis=_("traçabilité des contenus"),
        label=_("imports de questions"),
    ),
]

NOT_PERSONAL = [
    "quizzes.QuizSlot",
    "quizzes.Category",  # `name` is a category's name
    "quizzes.Answer",
    "quizzes.Hint",
    "quizzes.QuestionFile",  # `name` is a file name
]
