"""R9.1: the exact version accepted is stored with time and IP; a new one is asked again."""

import pytest

from ilmis.legal import services
from ilmis.legal.models import TermsAcceptance

pytestmark = pytest.mark.django_db


def test_public_page_shows_the_current_terms_and_links_microsoft(client, terms):
    response = client.get("/conditions/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Version de test" in page and "microsoft.com" in page


def test_new_version_must_be_accepted_at_next_login(client, learner):
    client.force_login(learner)
    assert client.get("/tableau-de-bord/").status_code == 200
    version = services.publish(title="Conditions", body="# V2\n\nNouvel article.")
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 302 and response["Location"].startswith("/conditions/accepter/")
    page = client.get(response["Location"]).content.decode()
    assert "Nouvel article" in page

    refused = client.post("/conditions/accepter/", {"next": "/tableau-de-bord/"})
    assert refused.status_code == 200 and "accept" in refused.context["form"].errors
    assert not TermsAcceptance.objects.filter(user=learner, version=version).exists()

    accepted = client.post(
        "/conditions/accepter/",
        {"accept": "on", "next": "/tableau-de-bord/"},
        REMOTE_ADDR="192.0.2.10",
    )
    assert accepted["Location"] == "/tableau-de-bord/"
    acceptance = TermsAcceptance.objects.get(user=learner, version=version)
    assert acceptance.ip == "192.0.2.10" and acceptance.accepted_at
    assert client.get("/tableau-de-bord/").status_code == 200


def test_acceptance_redirect_is_never_offsite(client, learner):
    services.publish(title="Conditions", body="V2")
    client.force_login(learner)
    response = client.post(
        "/conditions/accepter/", {"accept": "on", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_published_versions_are_kept_and_numbered(terms):
    second = services.publish(title="Conditions", body="V2")
    assert (terms.number, second.number) == (1, 2)
    assert terms.sha256 != second.sha256


def test_demo_loads_the_clients_terms_as_version_1(db):
    from django.core.management import call_command

    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    version = services.current_version()
    assert version.number == 1 and "ILMIS" in version.body
