"""Personal data held by legal (declared for ilmis.privacy)."""

from django.utils.translation import gettext_lazy as _

from ilmis.privacy.registry import PersonalData

DECLARATIONS = [
    PersonalData(
        # The proof of acceptance (version, time) stays with the kept enrolment file; the IP and
        # browser go on erasure, and after the evidence period.
        model="legal.TermsAcceptance",
        subject="user",
        ips=["ip", "user_agent"],
        on_erasure="anonymise",
        retention="evidence",
        retention_date="accepted_at",
        legal_basis=_("preuve de l'acceptation des conditions (R9.1)"),
        label=_("acceptations des conditions d'utilisation"),
    ),
    PersonalData(
        model="legal.TermsVersion",
        subject="published_by",
        others=["body", "title"],
        on_erasure="anonymise",
        legal_basis=_("traçabilité des publications"),
        label=_("versions des conditions publiées"),
    ),
]
