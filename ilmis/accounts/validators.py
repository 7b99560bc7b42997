import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE = re.compile(r"^\+?[0-9 .()-]{8,20}$")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_siret(value: str) -> str:
    return re.sub(r"[\s.]", "", value or "")


def validate_siret(value):
    """R3.1: 14 digits whose Luhn key is right (La Poste's SIRETs use a digit-sum rule)."""
    siret = normalise_siret(value)
    if not re.fullmatch(r"\d{14}", siret):
        raise ValidationError(_("Le SIRET doit comporter 14 chiffres."), code="siret_format")
    if siret.startswith("356000000"):  # La Poste: the sum of the digits is a multiple of 5
        if sum(int(c) for c in siret) % 5 == 0:
            return
        raise ValidationError(_("Ce SIRET n'est pas valide (clé incorrecte)."), code="siret_key")
    if not luhn_valid(siret):
        raise ValidationError(_("Ce SIRET n'est pas valide (clé incorrecte)."), code="siret_key")


def validate_phone(value):
    if not PHONE.fullmatch(value or "") or sum(c.isdigit() for c in value) < 8:
        raise ValidationError(
            _("Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78."),
            code="phone",
        )
