"""Settings for the test suite: the real settings, with jobs inline and a private var/ dir.

DATABASE_URL and REDIS_URL still apply, so CI runs the same suite on PostgreSQL and Redis.
"""

import os
import tempfile

os.environ.setdefault("HUEY_IMMEDIATE", "1")
os.environ.setdefault("ILMIS_POW_BITS", "10")
os.environ.setdefault("ILMIS_VAR_DIR", tempfile.mkdtemp(prefix="ilmis-test-"))
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("CACHE_KEY_PREFIX", f"ilmis-test-{os.getpid()}")

from ilmis.settings import *  # noqa: E402, F403

if not REDIS_URL:  # noqa: F405
    # Tests clear the cache around each test; local memory needs no database for that.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: with WAL and a busy timeout, the live server's thread
    # and the test can read and write at once (browser tests) without "table is locked".
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
