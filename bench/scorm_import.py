"""SCORM import speed (issue 5): a 50 MB package imports in under 10 s.

Usage: .venv/bin/python bench/scorm_import.py [megabytes]
Builds a SCORM 2004 package of about `megabytes` MB (default 50): 20 SCOs, 3,000 small text
files (HTML, JS, CSS, which compress) and media files (random bytes, which do not), then on a
throw-away SQLite database and media folder prints the time to check it (`inspect`), to import
it (check + extract + rows), and to record API batches of 100 SetValue calls as the browser
sends them (median of 20). Goals: import < 10 s; a batch < 50 ms.
"""

import os
import random
import statistics
import sys
import tempfile
import time
import zipfile

os.environ["ILMIS_VAR_DIR"] = tempfile.mkdtemp(prefix="ilmis-bench-")
os.environ["MEDIA_ROOT"] = os.path.join(os.environ["ILMIS_VAR_DIR"], "media")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ilmis.settings")
os.environ["HUEY_IMMEDIATE"] = "1"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def build(path, megabytes):
    from ilmis.scorm.testing import manifest

    rng = random.Random(5)
    scos = tuple((f"sco{i}", f"Partie {i}", f"sco{i}/index.html") for i in range(1, 21))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", manifest("2004", scos=scos))
        for _ident, title, href in scos:
            zf.writestr(href, f"<!doctype html><title>{title}</title><p>{title}</p>" * 50)
        text = "function slide(n){return document.querySelectorAll('.s'+n).length;}\n" * 60
        for i in range(3000):
            ext = ("js", "css", "html")[i % 3]
            zf.writestr(f"shared/{i // 100}/file{i}.{ext}", text + str(i))
        target = megabytes * 1024 * 1024
        n = 0
        while os.path.getsize(path) < target and n < 1000:
            data = rng.randbytes(2 * 1024 * 1024)
            zf.writestr(zipfile.ZipInfo(f"media/video{n}.mp4"), data, zipfile.ZIP_STORED)
            zf.fp.flush()
            n += 1
    return os.path.getsize(path)


def main():
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    call_command("migrate", verbosity=0)
    from ilmis.accounts.models import User
    from ilmis.scorm import services
    from ilmis.scorm.package import inspect

    staff = User.objects.create_user("bench@example.test", "x", role="staff")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bench.zip")
        started = time.perf_counter()
        size = build(path, megabytes)
        took = time.perf_counter() - started
        print(f"package built: {size / 1024 / 1024:.1f} MB in {took:.1f} s")

        started = time.perf_counter()
        result = inspect(path)
        checked = time.perf_counter() - started
        print(
            f"check only:    {checked:.2f} s ({result.file_count} files, "
            f"{result.unpacked_bytes / 1024 / 1024:.1f} MB unpacked, {len(result.scos)} SCOs)"
        )

        started = time.perf_counter()
        package = services.import_package(path, by=staff)
        imported = time.perf_counter() - started
        verdict = "OK" if imported < 10 else "TOO SLOW"
        print(f"full import:   {imported:.2f} s  (goal < 10 s: {verdict})")

    sco = package.scos.first()
    attempt = services.launch(staff, sco)
    timings = []
    seq = 0
    for batch in range(20):
        calls = []
        for i in range(100):
            seq += 1
            calls.append(
                {
                    "seq": seq,
                    "fn": "SetValue",
                    "element": "cmi.suspend_data",
                    "value": f"{batch}-{i}" * 100,
                    "error": 0,
                    "t": 0,
                }
            )
        started = time.perf_counter()
        services.record_calls(attempt.pk, staff, attempt.session_count, calls)
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings) * 1000
    print(
        f"API batch of 100 SetValue: median {median:.1f} ms, max {max(timings) * 1000:.1f} ms "
        f"(goal < 50 ms: {'OK' if median < 50 else 'TOO SLOW'})"
    )


if __name__ == "__main__":
    main()
