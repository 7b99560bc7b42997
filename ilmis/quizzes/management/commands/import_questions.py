"""`ilmis import_questions FILE [--format gift|xml] [--category NAME]` (R6.3)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ilmis.quizzes import qformat, services
from ilmis.quizzes.models import Question


class Command(BaseCommand):
    help = "Importe des questions GIFT ou Moodle XML dans la banque : tout ou rien."

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier .gift / .txt ou .xml")
        parser.add_argument(
            "--format",
            choices=["gift", "xml"],
            default=None,
            help="format du fichier (deviné par défaut)",
        )
        parser.add_argument(
            "--category", default="", help="catégorie d'accueil, par exemple « Bureautique/Excel »"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        size = path.stat().st_size
        if size > services.max_import_bytes():
            raise CommandError(
                f"Le fichier fait {size} octets : la limite est de "
                f"{services.max_import_bytes()} octets (ILMIS_QUESTION_IMPORT_MAX_BYTES)."
            )
        data = path.read_bytes()
        fmt = options["format"] or (
            "xml" if path.suffix.lower() == ".xml" else services.detect_format(data)
        )
        try:
            counts = services.import_questions(data, fmt=fmt, category=options["category"])
        except qformat.ParseError as error:
            for problem in error.problems:
                self.stderr.write(f"{path.name}, {problem.where} : {problem.message}")
            raise CommandError(
                f"{len(error.problems)} erreur(s) : aucune question importée."
            ) from None
        labels = dict(Question.Type.choices)
        for qtype in qformat.TYPES:
            if counts.get(qtype):
                self.stdout.write(f"{labels[qtype]} : {counts[qtype]}")
        self.stdout.write(self.style.SUCCESS(f"{sum(counts.values())} question(s) importée(s)."))
