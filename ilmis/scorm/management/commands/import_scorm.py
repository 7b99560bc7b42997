"""`ilmis import_scorm ZIP [--activity ID]`: check a SCORM package (and import it)."""

import shutil
import sys

from django.core.management.base import BaseCommand
from django.db import transaction

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
        parser.add_argument(
            "--programme",
            type=int,
            help="Programme donnant accès au paquet (par défaut celui de l'activité)",
        )
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
        if options["activity"] is None:
            self.stdout.write(
                "Vérification seulement : rien n'a été enregistré "
                "(ajoutez --activity ID pour importer)."
            )
            return
        activity, problem = self._activity(options["activity"])
        if problem:
            self.stderr.write(f"Paquet non importé : {problem}")
            sys.exit(1)
        programme = None
        if options["programme"] is not None:
            from ilmis.catalog.models import Programme

            programme = Programme.objects.filter(pk=options["programme"]).first()
            if programme is None:
                self.stderr.write(
                    f"Paquet non importé : le programme {options['programme']} n'existe pas."
                )
                sys.exit(1)
        package = None
        try:
            with transaction.atomic():
                package = services.import_package(path, programme=programme, title=options["title"])
                if activity is not None:
                    from ilmis.learning.services import attach_scorm_package

                    attach_scorm_package(activity.pk, package)
        except PackageError as error:
            for problem in error.problems:
                self.stderr.write(f"  - {problem}")
            sys.exit(1)
        except Exception:
            if package is not None:  # the rows are rolled back: remove the files too
                shutil.rmtree(package.root, ignore_errors=True)
            raise
        self.stdout.write(f"Paquet importé : {package.uuid}")
        if activity is not None:
            self.stdout.write(f"Rattaché à l'activité {activity.pk} « {activity} ».")
        else:
            self.stdout.write(
                f"L'activité {options['activity']} sera rattachée depuis l'application des "
                "parcours (ilmis.learning), absente ici."
            )

    def _activity(self, activity_id):
        """(activity, None), (None, problem), or (None, None) without the learning app."""
        try:
            from ilmis.learning.models import Activity
        except ImportError:
            return None, None
        activity = Activity.objects.filter(pk=activity_id).first()
        if activity is None:
            return None, f"l'activité {activity_id} n'existe pas."
        if activity.kind != "scorm":
            return None, f"l'activité {activity_id} « {activity} » n'est pas de type SCORM."
        return activity, None
