"""Personal data held by quizzes (declared for ilmis.privacy)."""

from django.utils.translation import gettext_lazy as _

from ilmis.privacy.registry import PersonalData

DECLARATIONS = [
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
    "quizzes.Category",  # `name` is a category's name
    "quizzes.Answer",
    "quizzes.Hint",
    "quizzes.QuestionFile",  # `name` is a file name
]
