"""Demo content for the demo programme of ilmis/enrolment/demo.py (called by `ilmis demo`).

Two modules: a welcome page and a generated PDF sheet; a page on lookups and a short exercise
(configured in the exercises app), then a published version. Idempotent.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

WELCOME = """<h2>Bienvenue dans votre formation</h2>
<p>Cette formation se suit <strong>à votre rythme</strong>. Chaque activité indique sa durée
estimée ; cochez « Marquer comme terminé » lorsque vous avez fini une page ou un document.</p>
<ul><li>Une question ? Écrivez à votre formatrice depuis la plateforme.</li>
<li>Un problème technique ? Signalez-le depuis votre tableau de bord.</li></ul>"""

LOOKUPS = """<h2>RECHERCHEX en trois questions</h2>
<ol><li><strong>Que cherche-t-on ?</strong> La valeur (par exemple une référence produit).</li>
<li><strong>Où la cherche-t-on ?</strong> La colonne des références.</li>
<li><strong>Que renvoie-t-on ?</strong> La colonne des prix, des libellés…</li></ol>
<pre>=RECHERCHEX(A2; Produits[Référence]; Produits[Prix]; "introuvable")</pre>
<p>Le quatrième argument évite l'erreur #N/A lorsque la référence n'existe pas.</p>"""

SHEET = [
    [
        "Fiche mémo — Bonnes pratiques Excel",
        "",
        "1. Une information par cellule, une ligne par enregistrement.",
        "2. Mettez vos données sous forme de tableau (Ctrl+T).",
        "3. Nommez vos tableaux : Produits, Ventes, Clients.",
        "4. Évitez les cellules fusionnées dans les données.",
    ],
    [
        "Fiche mémo — Raccourcis utiles",
        "",
        "Ctrl+Flèche : aller au bout d'une plage",
        "Ctrl+Maj+L : filtres",
        "F4 : figer une référence ($A$1)",
        "Alt+= : somme automatique",
    ],
]


@transaction.atomic
def load_demo():
    from ilmis.accounts.models import User
    from ilmis.catalog.models import Programme
    from ilmis.enrolment import demo as enrolment_demo

    from . import services
    from .files import text_pdf
    from .models import Activity, Module

    enrolment_demo.load_demo()  # idempotent; makes sure the programme exists
    programme = Programme.objects.filter(slug=enrolment_demo.DEMO_SLUG).first()
    if programme is None or Module.objects.filter(programme=programme).exists():
        return
    staff = User.objects.filter(email="equipe@demo.ilmis.fr").first()
    trainer = User.objects.filter(email="formateur@demo.ilmis.fr").first()

    first = services.save_module(
        Module(programme=programme, title="Module 1 — Rappels et bonnes pratiques"), by=staff
    )
    services.save_activity(
        Activity(module=first, kind="page", title="Bienvenue", duration_minutes=10, body=WELCOME),
        by=staff,
    )
    sheet = SimpleUploadedFile(
        "fiche-memo-excel.pdf", text_pdf(SHEET, title="Fiche mémo"), content_type="application/pdf"
    )
    services.save_activity(
        Activity(module=first, kind="document", title="Fiche mémo (PDF)", duration_minutes=20),
        by=staff,
        upload=sheet,
    )
    second = services.save_module(
        Module(programme=programme, title="Module 2 — Fonctions de recherche"), by=staff
    )
    services.save_activity(
        Activity(
            module=second,
            kind="page",
            title="RECHERCHEX pas à pas",
            duration_minutes=25,
            body=LOOKUPS,
        ),
        by=staff,
    )
    exercise_activity = services.save_activity(
        Activity(
            module=second,
            kind="exercise",
            title="Exercice : tarif par référence",
            duration_minutes=45,
        ),
        by=staff,
    )
    try:
        from ilmis.exercises.models import Exercise
    except ImportError:  # the exercises app is optional for this one
        Exercise = None
    if Exercise is not None:
        Exercise.objects.create(
            activity=exercise_activity,
            instructions=(
                "Dans le classeur de votre choix, créez un tableau Produits (Référence, "
                "Libellé, Prix) d'au moins cinq lignes, puis une cellule qui affiche le prix "
                "d'une référence saisie avec RECHERCHEX.\n\nDéposez votre classeur (.xlsx ou "
                ".ods) ou une capture d'écran, et expliquez votre formule en deux phrases."
            ),
            due_at=timezone.now() + timedelta(days=30),
            allowed_types=["xlsx", "ods", "png", "jpg", "pdf"],
            max_file_mb=10,
            max_files=3,
            corrector=trainer,
            correction_text=(
                '=RECHERCHEX(F2; Produits[Référence]; Produits[Prix]; "introuvable")\n'
                "La formule cherche la référence saisie en F2 dans la colonne Référence et "
                "renvoie le prix de la même ligne."
            ),
        )
    _evaluation_module(programme, staff, services)
    services.publish_version(programme, by=staff, note="Contenu de démonstration")


QUESTIONS = """$CATEGORY: Démo/Excel

::Référence absolue::Quelle touche fige une référence de cellule ($A$1) ?
{=F4 ~F2 ~F9 #F9 recalcule les formules.}

::Tableau::Le raccourci Ctrl+T transforme une plage en tableau.{T}

::Recherche::Quelles fonctions cherchent une valeur dans une colonne ?
{~%50%RECHERCHEX ~%50%RECHERCHEV ~%-50%SOMME ~%-50%CONCAT}

::Somme::Combien font =SOMME(2;3;5) ?{#10}
"""


def _evaluation_module(programme, staff, services):
    """Module 3: a final quiz (questions imported as GIFT) and the demo SCORM package."""
    from .models import Activity, Module

    third = services.save_module(
        Module(programme=programme, title="Module 3 — Évaluation"), by=staff
    )
    quiz_activity = services.save_activity(
        Activity(module=third, kind="quiz", title="QCM final", duration_minutes=15), by=staff
    )
    scorm_activity = services.save_activity(
        Activity(
            module=third, kind="scorm", title="Module interactif (SCORM)", duration_minutes=20
        ),
        by=staff,
    )
    try:
        from ilmis.quizzes import services as quizzes
        from ilmis.quizzes.models import Category, Quiz
    except ImportError:
        quizzes = None
    if quizzes is not None:
        quizzes.import_questions(QUESTIONS, fmt="gift", by=staff)
        quiz = Quiz.objects.create(
            activity=quiz_activity,
            title="QCM final",
            purpose=Quiz.Purpose.FINAL,
            attempts_allowed=2,
            created_by=staff,
        )
        category = Category.objects.get(path="Démo/Excel")
        quizzes.add_slots(quiz, category=category, mode="all", by=staff)
    try:
        from ilmis.scorm.demo import DEMO_TITLE
        from ilmis.scorm.integration import attach
        from ilmis.scorm.models import ScormPackage
    except ImportError:
        return
    package = ScormPackage.objects.filter(title=DEMO_TITLE).first()
    if package is not None:
        attach(scorm_activity, package)
