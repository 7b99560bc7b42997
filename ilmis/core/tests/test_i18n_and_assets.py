"""R9.2 French first, English available; R1.2 cached, compressed static files."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db


def test_french_by_default_even_for_an_english_browser(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "fr"
    assert "Se connecter" in response.content.decode()


def test_english_when_chosen(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get(response["Location"]).content.decode()
    assert 'lang="en"' in page
    assert "Sign in" in page or "Log in" in page
    assert "Forgot your password?" in page


def test_a_users_saved_language_applies(client, learner):
    learner.language = "en"
    learner.save()
    client.force_login(learner)
    assert client.get("/tableau-de-bord/")["Content-Language"] == "en"


def test_static_files_are_hashed_compressed_and_cached_for_a_year(tmp_path):
    """What production serves: WhiteNoise with hashed names, brotli, far-future cache."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ILMIS_"))},
        "DJANGO_SETTINGS_MODULE": "ilmis.settings",
        "ILMIS_ENV": "production",
        "SECRET_KEY": "for-this-test-only-" + "z" * 50,
        "ALLOWED_HOSTS": "testserver",
        "ILMIS_VAR_DIR": str(tmp_path),
        "SECURE_SSL_REDIRECT": "0",
    }
    script = r"""
import django; django.setup()
from django.core.management import call_command
call_command("collectstatic", "--noinput", verbosity=0)
from django.templatetags.static import static
from django.test import Client
url = static("css/site.css")
r = Client().get(url, HTTP_ACCEPT_ENCODING="br, gzip")
print(url, r.status_code, r.headers.get("Cache-Control"), r.headers.get("Content-Encoding"),
      sep="\n")
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    url, status, cache_control, encoding = result.stdout.split("\n")[:4]
    assert (
        url.startswith("/static/css/site.")
        and url.endswith(".css")
        and url != "/static/css/site.css"
    )
    assert status == "200"
    assert "max-age=315360000" in cache_control and "immutable" in cache_control
    assert encoding == "br"
