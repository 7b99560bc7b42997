"""R8.1: Django's deployment check passes with production settings; no secret in the repo."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ILMIS_"))},
        "DJANGO_SETTINGS_MODULE": "ilmis.settings",
        "ILMIS_ENV": "production",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-for-the-check-only-9f8e7d",
        "ALLOWED_HOSTS": "formation.example.org",
        "ILMIS_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "ilmis", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ILMIS_"))},
        "DJANGO_SETTINGS_MODULE": "ilmis.settings",
        "ILMIS_ENV": "production",
        "ILMIS_VAR_DIR": str(tmp_path),
    }
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "ilmis", "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_no_secret_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    names = tracked.stdout.split()
    assert not [n for n in names if n.endswith((".pem", ".key", ".env", "secret_key"))]
