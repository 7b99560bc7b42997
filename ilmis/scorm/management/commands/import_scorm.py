"""`ilmis import_scorm ZIP [--activity ID]`: check a SCORM package (and import it)."""

import shutil
import sys

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

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

    def fail(self, message, problems=()):
        self.stderr.write(message)
        for problem in problems:
            self.stderr.write(f"  - {problem}")
        sys.exit(1)

    def handle(self, *args, **options):
        path = options["zip"]
        try:
            manifest = services.check_package(path)
        except PackageError as error:
            self.fail(_("Paquet refusé : %(path)s") % {"path": path}, error.problems)
        self.stdout.write(
            _("%(version)s · « %(title)s » · %(files)d fichiers, %(size).1f Mo décompressés")
            % {
                "version": manifest.version_label,
                "title": manifest.title,
                "files": manifest.file_count,
                "size": manifest.unpacked_bytes / 1024 / 1024,
            }
        )
        for sco in manifest.scos:
            extra = []
            if sco.mastery_score is not None:
                extra.append(_("score de maîtrise %(v)s") % {"v": sco.mastery_score})
            if sco.min_normalized_measure is not None:
                extra.append(_("minNormalizedMeasure %(v)s") % {"v": sco.min_normalized_measure})
            if sco.max_time_allowed:
                extra.append(_("temps maximum %(v)s") % {"v": sco.max_time_allowed})
            kind = _("SCO") if sco.kind == "sco" else _("ressource")
            line = f"{'  ' * (sco.level + 1)}{kind} {sco.identifier} « {sco.title} » → "
            line += sco.launch + sco.parameters + (f" ({', '.join(extra)})" if extra else "")
            self.stdout.write(line)
        if options["activity"] is None:
            self.stdout.write(
                _(
                    "Vérification seulement : rien n'a été enregistré "
                    "(ajoutez --activity ID pour importer)."
                )
            )
            return
        activity, problem = self._activity(options["activity"])
        if problem:
            self.fail(_("Paquet non importé : %(why)s") % {"why": problem})
        programme = None
        if options["programme"] is not None:
            from ilmis.catalog.models import Programme

            programme = Programme.objects.filter(pk=options["programme"]).first()
            if programme is None:
                self.fail(
                    _("Paquet non importé : le programme %(id)s n'existe pas.")
                    % {"id": options["programme"]}
                )
        package = None
        try:
            with transaction.atomic():
                package = services.import_package(path, programme=programme, title=options["title"])
                if activity is not None:
                    from ilmis.learning.services import attach_scorm_package

                    attach_scorm_package(activity.pk, package)
        except PackageError as error:
            self.fail(_("Paquet refusé : %(path)s") % {"path": path}, error.problems)
        except Exception:
            if package is not None:  # the rows are rolled back: remove the files too
                shutil.rmtree(package.root, ignore_errors=True)
            raise
        self.stdout.write(_("Paquet importé : %(uuid)s") % {"uuid": package.uuid})
        if activity is not None:
            self.stdout.write(
                _("Rattaché à l'activité %(id)s « %(title)s ».")
                % {"id": activity.pk, "title": activity}
            )
        else:
            self.stdout.write(
                _(
                    "L'activité %(id)s sera rattachée depuis l'application des parcours "
                    "(ilmis.learning), absente ici."
                )
                % {"id": options["activity"]}
            )

    def _activity(self, activity_id):
        """(activity, None), (None, problem), or (None, None) without the learning app."""
        try:
            from ilmis.learning.models import Activity
        except ImportError:
            return None, None
        activity = Activity.objects.filter(pk=activity_id).first()
        if activity is None:
            return None, _("l'activité %(id)s n'existe pas.") % {"id": activity_id}
        if activity.kind != "scorm":
            return None, _("l'activité %(id)s « %(title)s » n'est pas de type SCORM.") % {
                "id": activity_id,
                "title": activity,
            }
        return activity, None
