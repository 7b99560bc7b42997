"""Personal data held by learning (declared for ilmis.privacy)."""

from django.utils.translation import gettext_lazy as _

from ilmis.privacy.registry import PersonalData

DECLARATIONS = [
    PersonalData(
        # Completion is evidence of the training (R11.4, R11.5): kept on erasure, for its period.
        model="learning.ActivityCompletion",
        subject="user",
        on_erasure="keep",
        legal_basis=_("obligation légale : preuve de réalisation (D6313-3-1)"),
        label=_("activités terminées"),
    ),
    PersonalData(
        model="learning.ProgrammeVersion",
        subject="published_by",
        others=["snapshot", "note"],
        on_erasure="anonymise",
        legal_basis=_("traçabilité des contenus"),
        label=_("versions de programme publiées"),
    ),
]

NOT_PERSONAL = [
    "learning.Module",
    "learning.Activity",  # `file_name` is the name of a course file
]
