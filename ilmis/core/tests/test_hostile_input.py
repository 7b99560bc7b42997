"""R8.1: junk gets 400/404 or a safe redirect, never a 500; nothing is half-saved."""

import pytest

from ilmis.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client(client):
    client.raise_request_exception = False
    return client


def test_null_bytes_in_a_form_are_a_field_error(strict_client, terms):
    response = strict_client.post(
        "/accounts/signup/", {"email": "a\x00b@example.test", "first_name": "A\x00"}
    )
    assert response.status_code == 200
    assert not User.objects.exists()


def test_null_bytes_at_login_are_refused(strict_client):
    response = strict_client.post("/accounts/login/", {"login": "\x00", "password": "\x00"})
    assert response.status_code == 200


def test_huge_fields_are_refused(strict_client, terms):
    response = strict_client.post(
        "/accounts/signup/", {"first_name": "x" * 100_000, "email": "y" * 5000 + "@example.test"}
    )
    assert response.status_code == 200
    assert not User.objects.exists()


def test_more_than_a_thousand_fields_is_a_400(strict_client):
    data = {f"f{n}": "x" for n in range(1001)}
    assert strict_client.post("/accounts/login/", data).status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/compte/apprenants/abc/",
        "/conditions/vabc/",
        "/compte/apprenants/import/999999999999999999999/",
    ],
)
def test_non_numeric_or_absurd_ids_are_404(strict_client, manager, url):
    strict_client.force_login(manager)
    assert strict_client.get(url).status_code == 404


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "javascript:x"])
def test_language_switch_never_redirects_offsite(strict_client, target):
    response = strict_client.post("/i18n/setlang/", {"language": "en", "next": target})
    assert response.status_code == 302
    assert "evil" not in response["Location"] and "javascript" not in response["Location"]


def test_healthz_reports_database_cache_and_queue(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == body["checks"]["cache"] == body["checks"]["queue"] == "ok"
