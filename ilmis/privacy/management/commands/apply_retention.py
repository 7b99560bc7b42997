"""`ilmis apply_retention [--dry-run]`: apply retention periods now and print what was done."""

from django.core.management.base import BaseCommand

from ilmis.privacy.retention import apply_retention
from ilmis.privacy.services import scrub_delivered_notices


class Command(BaseCommand):
    help = "Anonymise or delete personal data whose retention period has run out (R11.9)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would change; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        run = apply_retention(dry_run=dry_run)
        if not dry_run:
            scrub_delivered_notices()
        verb = "would" if dry_run else "did"
        for entry in run.report:
            line = (
                f"{entry['model']:<32} {entry['kind']:<16} {entry['action']:<9} {entry['count']:>6}"
            )
            if entry.get("error"):
                line += f"  ({entry['error']})"
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(f"Retention run {run.pk}: {verb} change {run.total} row(s).")
        )
