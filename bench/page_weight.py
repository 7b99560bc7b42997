"""R1.2: bytes a first visit transfers for the main pages, HTML and assets, brotli-compressed.

Usage: .venv/bin/python bench/page_weight.py
Runs on a throw-away SQLite database with the demo data; prints one line per page and fails
(exit 1) if a page is over the 150 KB budget.
"""

import os
import re
import sys
import tempfile

os.environ["ILMIS_VAR_DIR"] = tempfile.mkdtemp(prefix="ilmis-bench-")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilmis.settings")
os.environ["ALLOWED_HOSTS"] = "testserver"

import brotli  # noqa: E402
import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

BUDGET = 150 * 1024
ASSET = re.compile(r'(?:href|src)="(/static/[^"?#]+)"')
PAGES = [
    (None, "/"),
    (None, "/accounts/login/"),
    (None, "/accounts/signup/"),
    (None, "/accounts/password/reset/"),
    (None, "/conditions/"),
    (None, "/formations/"),
    (None, "/assistance/compatibilite/"),
    ("apprenant@demo.ilmis.fr", "/tableau-de-bord/"),
    ("apprenant@demo.ilmis.fr", "/compte/profil/"),
    ("responsable@demo.ilmis.fr", "/compte/apprenants/"),
]


def compressed(data: bytes) -> int:
    return len(brotli.compress(data, quality=11))


def main():
    call_command("migrate", verbosity=0)
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from ilmis.accounts.models import User
    from ilmis.legal import services as legal

    over = False
    print(f"{'page':<32} {'status':>6} {'html':>8} {'assets':>8} {'total':>8}  (bytes, brotli)")
    for email, path in PAGES:
        client = Client()
        if email:
            user = User.objects.get(email=email)
            legal.accept(user, legal.current_version())
            client.force_login(user)
        response = client.get(path)
        if response.status_code == 404:
            print(f"{path:<32} {'404':>6}  (not built yet)")
            continue
        html = response.content
        assets = 0
        for url in sorted(set(ASSET.findall(html.decode()))):
            found = finders.find(url.removeprefix("/static/"))
            if found:
                with open(found, "rb") as handle:
                    assets += compressed(handle.read())
        total = compressed(html) + assets
        over |= total > BUDGET
        print(
            f"{path:<32} {response.status_code:>6} {compressed(html):>8} {assets:>8} "
            f"{total:>8}{'  OVER BUDGET' if total > BUDGET else ''}"
        )
    print(
        f"budget: {BUDGET} bytes per page on first visit; static files are cached for a year "
        "(hashed names), so a repeat visit transfers only the HTML."
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
