"""R3.0: the CNIL recommendation (deliberation 2022-100) measures strength as entropy.

Twelve characters mixing the four kinds, or a longer passphrase of plain words, both pass; no
composition rule is imposed, and passwords never expire.
"""

import math
import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    (string.ascii_lowercase, 26),
    (string.ascii_uppercase, 26),
    (string.digits, 10),
)
OTHER_SIZE = 33


def entropy_bits(password: str) -> float:
    alphabet = 0
    for chars, size in CLASSES:
        if any(c in chars for c in password):
            alphabet += size
    if any(not c.isascii() or not c.isalnum() for c in password):
        alphabet += OTHER_SIZE
    return len(password) * math.log2(alphabet) if alphabet else 0.0


class EntropyValidator:
    def __init__(self, min_bits=78):
        self.min_bits = min_bits

    def validate(self, password, user=None):
        if entropy_bits(password) < self.min_bits:
            raise ValidationError(
                _(
                    "Ce mot de passe est trop facile à deviner. Allongez-le : par exemple une "
                    "phrase de plusieurs mots, ou 12 caractères mêlant majuscules, minuscules, "
                    "chiffres et symboles."
                ),
                code="password_entropy",
            )

    def get_help_text(self):
        return _(
            "Au moins 12 caractères mêlant majuscules, minuscules, chiffres et symboles, ou une "
            "phrase de passe plus longue (par exemple quatre mots). Il n'expire jamais."
        )
