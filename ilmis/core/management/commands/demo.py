"""`ilmis demo`: demo accounts and content for a trial (idempotent: safe to run twice)."""

from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ilmis.accounts.models import Client, User
from ilmis.core.dashboard import app_modules
from ilmis.legal import services as legal

PASSWORD = "Demo-Ilmis-2026!"
# A fixed TOTP secret for the demo back-office accounts, so `ilmis demo_totp` can print codes.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SEED = Path(__file__).resolve().parents[3] / "legal" / "seed" / "conditions-utilisation-ilmis.md"

ACCOUNTS = [
    # email, first name, last name, role, client key
    ("apprenant@demo.ilmis.fr", "Léa", "Moreau", User.Role.LEARNER, "person"),
    ("responsable@demo.ilmis.fr", "Paul", "Bernard", User.Role.MANAGER, "company"),
    ("salarie1@demo.ilmis.fr", "Inès", "Petit", User.Role.LEARNER, "company"),
    ("salarie2@demo.ilmis.fr", "Hugo", "Roux", User.Role.LEARNER, "company"),
    ("formateur@demo.ilmis.fr", "Claire", "Fournier", User.Role.TRAINER, None),
    ("equipe@demo.ilmis.fr", "Nadia", "Lefèvre", User.Role.STAFF, None),
    ("admin@demo.ilmis.fr", "Marc", "Girard", User.Role.ADMIN, None),
]


class Command(BaseCommand):
    help = "Load the demo accounts and the client's terms of use (version 1)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo data is not for production (ILMIS_ENV=production).")
        with transaction.atomic():
            self.load()
            # Each area adds its own demo content: `ilmis/<app>/demo.py` with `load_demo()`.
            for module in app_modules("demo"):
                module.load_demo()
        for email, *_rest in ACCOUNTS:
            self.stdout.write(f"  {email:<28} {PASSWORD}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))

    def load(self):
        if legal.current_version() is None:
            legal.publish(
                title="Conditions d'utilisation de la plateforme ILMIS",
                body=SEED.read_text(encoding="utf-8"),
            )
        clients = {
            "person": Client.objects.get_or_create(
                kind=Client.Kind.PERSON,
                name="Léa Moreau",
                defaults={
                    "address": "5 rue des Lilas, 69003 Lyon",
                    "email": ACCOUNTS[0][0],
                    "phone": "06 11 22 33 44",
                },
            )[0],
            "company": Client.objects.get_or_create(
                siret="84123456700011",
                defaults={
                    "kind": Client.Kind.COMPANY,
                    "name": "Atelier Lumière SARL",
                    "address": "18 quai des Chartrons, 33000 Bordeaux",
                    "email": ACCOUNTS[1][0],
                    "phone": "05 56 00 00 00",
                },
            )[0],
        }
        for email, first_name, last_name, role, client_key in ACCOUNTS:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "role": role,
                    "client": clients.get(client_key),
                    "phone": "06 00 00 00 00",
                    "is_superuser": role == User.Role.ADMIN,
                },
            )
            if created:
                user.set_password(PASSWORD)
                user.save()
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if (
                user.is_staff
                and not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists()
            ):
                from allauth.mfa.totp.internal.auth import TOTP

                TOTP.activate(user, DEMO_TOTP_SECRET)
