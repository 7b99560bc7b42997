import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection

from ilmis.enrolment import services
from ilmis.enrolment.models import Enrolment, ScanUpload, Signature
from ilmis.enrolment.services import TransitionError

from .helpers import last_code, new_request, signing_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _race(*calls):
    """Run the calls at the same moment, each in its own thread and DB connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        from django.db import connections

        try:
            barrier.wait()
            for _attempt in range(50):  # a locked database is retried, as a client would
                try:
                    results[index] = ("ok", call())
                    break
                except OperationalError as error:  # SQLite's shared-cache test database
                    results[index] = ("locked", error)
                    time.sleep(0.1)
        except TransitionError as error:
            results[index] = ("refused", str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_staff_accepting_the_same_scan_confirm_once(staff, make_user, terms):
    """R2.4: two simultaneous confirmations give one (row lock + one signature per file)."""
    other = make_user(role="staff")
    prereg = new_request()
    services.accept(prereg, by=staff)
    services.upload_scan(prereg, SimpleUploadedFile("scan.png", PNG, "image/png"), by=staff)
    scan = ScanUpload.objects.get()
    results = _race(
        lambda: services.review_scan(scan, accept=True, by=staff),
        lambda: services.review_scan(scan, accept=True, by=other),
    )
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["ok", "refused"], results
    assert Signature.objects.filter(preregistration=prereg).count() == 1
    assert Enrolment.objects.filter(preregistration=prereg).count() == 1


@pytest.mark.django_db(transaction=True)
def test_same_code_entered_twice_at_once_signs_once(staff, terms):
    """R2.4: a double click on « Signer » (two requests) gives one signature."""
    prereg = new_request()
    services.accept(prereg, by=staff)
    link = services.link_for_token(signing_token(prereg.email))
    services.send_code(link, terms_version=terms)
    code = last_code(prereg.email)
    results = _race(
        lambda: services.sign_online(link, code, terms_version=terms),
        lambda: services.sign_online(link, code, terms_version=terms),
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    assert Signature.objects.filter(preregistration=prereg).count() == 1
    assert connection.vendor in ("sqlite", "postgresql")
