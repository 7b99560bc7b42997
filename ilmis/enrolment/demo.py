"""Demo data for the catalogue and enrolment (called by `ilmis demo` after the demo accounts).

`load_demo()` is idempotent: it does nothing if the demo programme already exists.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

DEMO_SLUG = "excel-perfectionnement-a-distance"


def _programme_fields():
    return {
        "title": "Excel perfectionnement — à distance",
        "summary": "Tableaux croisés, fonctions de recherche et automatisations simples, "
        "à votre rythme avec un tuteur.",
        "audience": "Salariés, demandeurs d'emploi et indépendants utilisant Excel au quotidien.",
        "objectives": "Construire des tableaux croisés dynamiques.\nUtiliser RECHERCHEX, "
        "SOMME.SI.ENS et les fonctions logiques.\nAutomatiser une tâche répétitive "
        "avec une macro enregistrée.",
        "content": "Module 1 — Rappels et bonnes pratiques (2 h)\nModule 2 — Fonctions avancées "
        "(5 h)\nModule 3 — Tableaux croisés dynamiques (4 h)\nModule 4 — Macros "
        "enregistrées (3 h)",
        "prerequisites": "Connaître les bases d'Excel (saisie, formules simples). Un test de "
        "positionnement en ligne est proposé avant l'entrée en formation.",
        "duration_hours": Decimal("14"),
        "modalities": "100 % à distance, à son rythme, sur la plateforme ILMIS ; une classe "
        "virtuelle Teams d'une heure par module.",
        "distance": True,
        "distance_modalities": "Assistance pédagogique par messagerie (réponse sous 48 h "
        "ouvrées) ; assistance technique du lundi au vendredi ; durée "
        "estimée affichée pour chaque activité.",
        "teaching_methods": "Vidéos courtes, fiches PDF, exercices corrigés sur fichiers réels, "
        "QCM d'entraînement.",
        "assessment_methods": "QCM de positionnement, QCM en fin de module, exercice final "
        "corrigé par le formateur.",
        "monitoring": "Relevés de connexion et de temps par activité ; certificat de réalisation "
        "et attestation de fin de formation.",
        "trainers": "Claire Fournier — formatrice bureautique certifiée TOSA Expert, 12 ans "
        "d'expérience en entreprise.",
        "access_delay": "Entrée en formation sous 15 jours après signature.",
        "price": Decimal("890.00"),
        "price_details": "Exonéré de TVA (article 261-4-4° a du CGI). Éligible OPCO.",
        "published": True,
    }


def sample_preregistration():
    """An unsaved, complete pre-registration: to check a staff-edited template renders."""
    from ilmis.catalog.models import Programme, Session

    from .models import PreRegistration

    today = timezone.localdate()
    programme = Programme(**_programme_fields())
    session = Session(
        programme=programme, code="exemple", start_date=today, end_date=today + timedelta(days=60)
    )
    return PreRegistration(
        session=session,
        kind="company",
        first_name="Camille",
        last_name="Exemple",
        email="camille@example.test",
        phone="01 02 03 04 05",
        address="1 rue de l'Exemple, 75001 Paris",
        company_name="Exemple SARL",
        siret="73282932000074",
        funder="opco",
        funder_name="OPCO Atlas",
        file_number="A-123",
        funding_amount=Decimal("890.00"),
    )


@transaction.atomic
def load_demo():
    from ilmis.accounts.models import User
    from ilmis.catalog.models import Programme, Session

    from . import pdf
    from .models import Agreement, Enrolment, PreRegistration, Signature, Trainee
    from .services import access_window_for, current_template, kind_for

    if Programme.objects.filter(slug=DEMO_SLUG).exists():
        return
    now = timezone.now()
    today = timezone.localdate()
    programme = Programme.objects.create(slug=DEMO_SLUG, **_programme_fields())
    running = Session.objects.create(
        programme=programme,
        code="excel-demo-en-cours",
        title="Excel perfectionnement — session en cours",
        start_date=today - timedelta(days=3),
        end_date=today + timedelta(days=60),
        capacity=12,
        access_duration_days=90,
    )
    Session.objects.create(
        programme=programme,
        code="excel-demo-prochaine",
        title="Excel perfectionnement — prochaine session",
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=90),
        capacity=12,
        access_duration_days=90,
    )
    users = {u.email: u for u in User.objects.filter(email__endswith="@demo.ilmis.fr")}

    def confirmed(kind, contact, trainees, **extra):
        prereg = PreRegistration.objects.create(
            session=running,
            kind=kind,
            channel="site",
            first_name=contact.first_name,
            last_name=contact.last_name,
            email=contact.email,
            phone=contact.phone or "0600000000",
            address=(contact.client.address if contact.client else "Adresse de démonstration"),
            client=contact.client,
            status="confirmed",
            created_at=now - timedelta(days=6),
            decided_at=now - timedelta(days=5),
            sent_at=now - timedelta(days=5),
            sign_deadline=now + timedelta(days=10),
            signed_at=now - timedelta(days=4),
            confirmed_at=now - timedelta(days=4),
            **extra,
        )
        for user in trainees:
            Trainee.objects.create(
                preregistration=prereg,
                first_name=user.first_name,
                last_name=user.last_name,
                email=user.email,
                user=user,
            )
        template = current_template(kind_for(prereg))
        data = pdf.render_agreement(template.body, pdf.agreement_context(prereg))
        agreement = Agreement(
            preregistration=prereg,
            version=1,
            kind=kind_for(prereg),
            template=template,
            sha256=pdf.sha256(data),
            created_at=now - timedelta(days=5),
        )
        agreement.pdf.save(agreement.filename, ContentFile(data), save=False)
        agreement.save()
        Signature.objects.create(
            preregistration=prereg,
            agreement=agreement,
            method="scan",
            signer_name=prereg.full_name,
            signer_email=prereg.email,
            signed_at=prereg.signed_at,
            document_sha256=agreement.sha256,
            signed_sha256=agreement.sha256,
            details={"demo": True},
        )
        start, end = access_window_for(running, prereg.confirmed_at)
        for user in trainees:
            Enrolment.objects.create(
                learner=user,
                session=running,
                preregistration=prereg,
                access_start=start,
                access_end=end,
                confirmed_at=prereg.confirmed_at,
                had_credentials=True,
            )

    learner = users.get("apprenant@demo.ilmis.fr")
    if learner:
        confirmed(
            "person",
            learner,
            [learner],
            funder="cpf",
            file_number="CPF-2026-0001",
            funding_amount=Decimal("890.00"),
        )
    manager = users.get("responsable@demo.ilmis.fr")
    employees = [
        users[e] for e in ("salarie1@demo.ilmis.fr", "salarie2@demo.ilmis.fr") if e in users
    ]
    if manager and employees:
        confirmed(
            "company",
            manager,
            employees,
            company_name=manager.client.name,
            siret=manager.client.siret,
            funder="opco",
            funder_name="OPCO Atlas",
            file_number="ATL-2026-4242",
            funding_amount=Decimal("1780.00"),
            job_title="Gérant",
        )
    pending = PreRegistration.objects.create(
        session=running,
        kind="person",
        channel="phone",
        first_name="Julien",
        last_name="Martin",
        email="julien.martin@example.test",
        phone="06 98 76 54 32",
        address="3 place Bellecour, 69002 Lyon",
        funder="self",
        message="Appel du lundi : souhaite démarrer rapidement.",
        recorded_by=users.get("equipe@demo.ilmis.fr"),
    )
    Trainee.objects.create(
        preregistration=pending,
        first_name="Julien",
        last_name="Martin",
        email="julien.martin@example.test",
    )
