"""Personal data held by enrolment (declared for ilmis.privacy).

A signed agreement, its signature and the enrolment it confirmed are evidence the training
organisation must keep for funders' controls (Code du travail, R11.9): on erasure they are kept
until the evidence period has run out, then anonymised. Everything not signed is anonymised.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ilmis.privacy.registry import PersonalData

SIGNED = Q(signed_at__isnull=False) | Q(status__in=["confirmed", "withdrawn"])
NOT_SIGNED = ~SIGNED
EVIDENCE = _(
    "obligation légale : preuve de la formation (Code du travail, contrôles des financeurs)"
)


def _prefixed(prefix, query):
    """`query` moved to a related model: Q(signed_at…) → Q(<prefix>__signed_at…)."""

    def move(node):
        if isinstance(node, Q):
            children = [move(child) for child in node.children]
            moved = Q(*children, _connector=node.connector, _negated=node.negated)
            return moved
        key, value = node
        return (f"{prefix}__{key}", value)

    return move(query)


DECLARATIONS = [
    PersonalData(
        model="enrolment.PreRegistration",
        # The contact who signs: the person, or the company's representative. A company's
        # trainees see their own Trainee row, not the representative's details.
        subject=lambda user: Q(email__iexact=user.email),
        fields=[
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "job_title",
            "siret",
            "file_number",
        ],
        free_text=["message", "withdrawal_reason"],
        others=["recorded_by", "decided_by", "decline_reason"],
        on_erasure="keep",
        keep_if=SIGNED,
        retention="evidence",
        retention_date="session__end_date",
        retention_filter=SIGNED,
        more_retention=[("preregistration", "created_at", NOT_SIGNED, "anonymise")],
        rectify={
            "first_name": "first_name",
            "last_name": "last_name",
            "address": "address",
            "company_name": "company_name",
        },
        legal_basis=EVIDENCE,
        label=_("préinscriptions et dossiers de financement"),
    ),
    PersonalData(
        model="enrolment.Trainee",
        subject=lambda user: Q(user=user) | Q(email__iexact=user.email),
        fields=["first_name", "last_name", "email"],
        on_erasure="keep",
        keep_if=_prefixed("preregistration", SIGNED),
        retention="evidence",
        retention_date="preregistration__session__end_date",
        retention_filter=_prefixed("preregistration", SIGNED),
        more_retention=[
            (
                "preregistration",
                "preregistration__created_at",
                _prefixed("preregistration", NOT_SIGNED),
                "anonymise",
            )
        ],
        rectify={"first_name": "first_name", "last_name": "last_name"},
        legal_basis=EVIDENCE,
        label=_("stagiaires nommés"),
    ),
    PersonalData(
        model="enrolment.Agreement",
        subject=lambda user: Q(preregistration__email__iexact=user.email),
        files=["pdf"],
        others=["created_by"],
        on_erasure="keep",
        keep_if=_prefixed("preregistration", SIGNED),
        retention="evidence",
        retention_date="preregistration__session__end_date",
        retention_filter=_prefixed("preregistration", SIGNED),
        more_retention=[
            ("preregistration", "created_at", _prefixed("preregistration", NOT_SIGNED), "anonymise")
        ],
        legal_basis=EVIDENCE,
        label=_("conventions et contrats"),
    ),
    PersonalData(
        model="enrolment.SigningLink",
        subject=lambda user: Q(email__iexact=user.email),
        fields=["email"],
        hidden=["token_hash", "otp_hash"],
        on_erasure="anonymise",
        retention="preregistration",
        retention_date="created_at",
        on_expiry="delete",
        legal_basis=_("exécution du contrat (signature en ligne)"),
        label=_("liens de signature"),
    ),
    PersonalData(
        model="enrolment.ScanUpload",
        subject=lambda user: (
            Q(agreement__preregistration__email__iexact=user.email) | Q(uploaded_by=user)
        ),
        files=["file"],
        ips=["ip"],
        others=["reviewed_by", "reason"],
        on_erasure="keep",
        keep_if=Q(status="accepted"),
        retention="evidence",
        retention_date="agreement__preregistration__session__end_date",
        retention_filter=Q(status="accepted"),
        more_retention=[("preregistration", "uploaded_at", ~Q(status="accepted"), "anonymise")],
        legal_basis=EVIDENCE,
        label=_("copies signées envoyées"),
    ),
    PersonalData(
        model="enrolment.Signature",
        subject=lambda user: Q(signer_email__iexact=user.email),
        fields=["signer_name", "signer_email"],
        ips=["ip", "user_agent"],
        files=["signed_pdf"],
        json=["details"],
        on_erasure="keep",
        retention="evidence",
        retention_date="preregistration__session__end_date",
        legal_basis=EVIDENCE,
        label=_("signatures"),
    ),
    PersonalData(
        model="enrolment.Enrolment",
        subject="learner",
        others=["invitation"],
        on_erasure="keep",
        legal_basis=EVIDENCE,
        label=_("inscriptions et accès"),
    ),
    PersonalData(
        model="enrolment.AgreementTemplate",
        subject="created_by",
        others=["body", "note"],
        on_erasure="anonymise",
        legal_basis=_("traçabilité des modèles"),
        label=_("modèles de convention rédigés"),
    ),
]

NOT_PERSONAL = ["enrolment.OutageExtension"]
