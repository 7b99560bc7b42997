"""`ilmis export_questions [--format gift|xml] [--category PATH] [-o FILE]` (R6.3)."""

from django.core.management.base import BaseCommand, CommandError

from ilmis.quizzes import qformat, services
from ilmis.quizzes.models import Category


class Command(BaseCommand):
    help = "Exporte des questions de la banque en GIFT ou Moodle XML."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["gift", "xml"], default="gift")
        parser.add_argument("--category", default="", help="chemin, par exemple « A/B »")
        parser.add_argument("-o", "--output", default="-", help="fichier (sortie standard : -)")

    def handle(self, *args, **options):
        category = None
        if options["category"]:
            path = qformat.normalise_category(options["category"])
            category = Category.objects.filter(path=path).first()
            if category is None:
                raise CommandError(f"Catégorie introuvable : {options['category']}")
        data = services.export_questions(category, fmt=options["format"])
        if options["output"] == "-":
            self.stdout.write(data.decode("utf-8"), ending="")
        else:
            with open(options["output"], "wb") as handle:
                handle.write(data)
            self.stderr.write(f"{len(data)} octets écrits dans {options['output']}.")
