import pytest


@pytest.mark.django_db
def test_home_shows_the_configured_organisation(client, settings):
    """R1.3: the identity is configuration, not code."""
    settings.ORGANISATION = {**settings.ORGANISATION, "name": "Formation Sud", "email": "a@b.fr"}
    response = client.get("/")
    assert response.status_code == 200
    assert "Formation Sud" in response.content.decode()
    assert "a@b.fr" in response.content.decode()
