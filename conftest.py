"""Test set-up shared by every app: jobs run inline, a private var/ dir, the outbox on locmem."""

import os
import tempfile

os.environ.setdefault("HUEY_IMMEDIATE", "1")
os.environ.setdefault("ILMIS_POW_BITS", "10")
os.environ.setdefault("ILMIS_VAR_DIR", tempfile.mkdtemp(prefix="ilmis-test-"))
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("ILMIS_REQUIRE_STAFF_MFA", "1")

pytest_plugins = ["ilmis.core.testing"]
