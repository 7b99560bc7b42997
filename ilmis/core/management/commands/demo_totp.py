"""`ilmis demo_totp`: the current two-factor code of the demo staff and admin accounts."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from .demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo back-office accounts (trial only)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Not available in production.")
        from allauth.mfa.totp.internal.auth import (
            format_hotp_value,
            hotp_value,
            yield_hotp_counters_from_time,
        )

        counter = next(iter(yield_hotp_counters_from_time()))
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
