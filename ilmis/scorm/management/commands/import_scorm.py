"""`ilmis import_scorm ZIP [--activity ID]`: check a SCORM package (and import it)."""

import sys
from importlib import import_module

from django.core.management.base import BaseCommand

from ilmis.scorm import services
from ilmis.scorm.package import PackageError


class Command(BaseCommand):
    help = (
        "Vérifie un paquet SCORM (version, SCO, fichiers de lancement). Avec --activity, "
        "l'importe et le rattache à l'activité."
    )

    def add_arguments(self, parser):
        parser.add_argument("zip", help="Chemin de l'archive zip")
        parser.add_argument("--activity", type=int, help="Activité SCORM à laquelle le rattacher")
        parser.add_argument("--programme", type=int, help="Programme donnant accès au paquet")
        parser.add_argument("--title", default="", help="Titre (par défaut celui du manifeste)")

    def handle(self, *args, **options):
        path = options["zip"]
        try:
            manifest = services.check_package(path)
        except PackageError as error:
            self.stderr.write(f"Paquet refusé : {path}")
            for problem in error.problems:
                self.stderr.write(f"  - {problem}")
            sys.exit(1)
        self.stdout.write(
            f"{manifest.version_label} · « {manifest.title} » · "
            f"{manifest.file_count} fichiers, "
            f"{manifest.unpacked_bytes / 1024 / 1024:.1f} Mo décompressés"
        )
        for sco in manifest.scos:
            extra = []
            if sco.mastery_score is not None:
                extra.append(f"score de maîtrise {sco.mastery_score}")
            if sco.min_normalized_measure is not None:
                extra.append(f"minNormalizedMeasure {sco.min_normalized_measure}")
            if sco.max_time_allowed:
                extra.append(f"temps maximum {sco.max_time_allowed}")
            kind = "SCO" if sco.kind == "sco" else "ressource"
            self.stdout.write(
                f"{'  ' * (sco.level + 1)}{kind} {sco.identifier} « {sco.title} » "
                f"→ {sco.launch}{sco.parameters}" + (f" ({', '.join(extra)})" if extra else "")
            )
        if options["activity"] is None and options["programme"] is None:
            self.stdout.write(
                "Vérification seulement : rien n'a été enregistré "
                "(ajoutez --activity ID pour importer)."
            )
            return
        programme = None
        if options["programme"] is not None:
            from ilmis.catalog.models import Programme

            programme = Programme.objects.get(pk=options["programme"])
        try:
            package = services.import_package(path, programme=programme, title=options["title"])
        except PackageError as error:
            for problem in error.problems:
                self.stderr.write(f"  - {problem}")
            sys.exit(1)
        self.stdout.write(f"Paquet importé : {package.uuid}")
        if options["activity"] is not None:
            self._attach(options["activity"], package)

    def _attach(self, activity_id, package):
        """Link to the learning app's activity when that app offers it."""
        try:
            learning = import_module("ilmis.learning.services")
            attach = learning.attach_scorm_package
        except (ModuleNotFoundError, AttributeError):
            self.stdout.write(
                f"L'activité {activity_id} sera rattachée depuis l'application "
                "des parcours (ilmis.learning) : indiquez-y ce paquet."
            )
            return
        attach(activity_id, package)
        self.stdout.write(f"Rattaché à l'activité {activity_id}.")
