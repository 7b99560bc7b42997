"""R3.0, R3.1, R3.2: sign-up with a full identity, strong passwords, no robots."""

import pytest
from allauth.account.models import EmailAddress

from ilmis.accounts.models import Client, User
from ilmis.core.testing import PASSWORD, human_fields, links_in

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"


def person(**overrides):
    return {
        "kind": "person",
        "first_name": "Jeanne",
        "last_name": "Durand",
        "email": "jeanne.durand@example.test",
        "phone": "06 12 34 56 78",
        "address": "3 rue des Écoles, 75005 Paris",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }


def test_a_person_signs_up_verifies_by_link_then_logs_in(client, terms, mailbox):
    """R3.1: identity stored, email verified by link before the first login."""
    response = client.post(SIGNUP, person() | human_fields(client, SIGNUP))
    assert response.status_code == 302
    user = User.objects.get(email="jeanne.durand@example.test")
    assert user.client.kind == Client.Kind.PERSON and user.phone == "06 12 34 56 78"
    assert user.password.startswith("argon2")  # R3.0: Argon2

    # Not verified yet: the login is refused and a verification email goes out.
    client.logout()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    messages = mailbox()
    confirm = next(link for m in messages for link in links_in(m) if "confirm-email" in link)
    client.post(confirm.replace("http://testserver", ""))
    assert EmailAddress.objects.get(user=user).verified

    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_company_signs_up_with_a_valid_siret_and_becomes_its_manager(client, terms):
    data = person(kind="company", company_name="Atelier Nord", siret="732 829 320 00074")
    response = client.post(SIGNUP, data | human_fields(client, SIGNUP))
    assert response.status_code == 302
    user = User.objects.get(email=data["email"])
    assert user.role == User.Role.MANAGER
    assert user.client.siret == "73282932000074" and user.client.is_company


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kind": "company", "company_name": "X", "siret": "73282932000075"}, "siret", "clé"),
        ({"kind": "company", "company_name": "X", "siret": "1234"}, "siret", "14 chiffres"),
        (
            {"kind": "company", "company_name": "", "siret": "73282932000074"},
            "company_name",
            "raison sociale",
        ),
        ({"phone": "abc"}, "phone", "téléphone"),
        ({"email": "pas-une-adresse"}, "email", ""),
        ({"first_name": ""}, "first_name", ""),
        ({"address": ""}, "address", ""),
    ],
)
def test_missing_or_invalid_identity_is_refused_per_field(client, terms, overrides, field, message):
    """R3.1: mandatory identity enforced; the error sits next to its field; nothing saved."""
    response = client.post(SIGNUP, person(**overrides) | human_fields(client, SIGNUP))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not User.objects.exists() and not Client.objects.exists()


@pytest.mark.parametrize(
    "password",
    [
        "court1!A",  # too short
        "azertyuiopqs",  # 12 lowercase letters: too little entropy
        "motdepasse123",  # common-looking and weak
        "password12345",  # in the common-password list
    ],
)
def test_weak_passwords_are_refused(client, terms, password):
    """R3.0: CNIL 2022-100 — length and entropy, common passwords refused."""
    data = person(password1=password, password2=password)
    response = client.post(SIGNUP, data | human_fields(client, SIGNUP))
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.parametrize("password", ["Vert-Tilleul-2031!", "cheval agrafe batterie correcte"])
def test_strong_passwords_and_passphrases_pass_without_composition_rules(client, terms, password):
    """R3.0: a long passphrase of plain words is accepted."""
    data = person(password1=password, password2=password)
    response = client.post(SIGNUP, data | human_fields(client, SIGNUP))
    assert response.status_code == 302


class TestRobots:
    """R3.2: a scripted POST is refused; a person's browser is not (see test_browser)."""

    def test_post_without_solving_the_challenge_is_refused(self, client, terms):
        fields = human_fields(client, SIGNUP) | {"nonce": ""}
        response = client.post(SIGNUP, person() | fields)
        assert response.status_code == 200
        assert "anti-robot" in " ".join(response.context["form"].non_field_errors())
        assert not User.objects.exists()

    def test_post_without_any_challenge_is_refused(self, client, terms):
        response = client.post(SIGNUP, person())
        assert response.status_code == 200
        assert not User.objects.exists()

    def test_filled_honeypot_is_refused(self, client, terms):
        fields = human_fields(client, SIGNUP) | {"website": "http://spam.example"}
        client.post(SIGNUP, person() | fields)
        assert not User.objects.exists()

    def test_a_solved_challenge_cannot_be_replayed(self, client, terms):
        fields = human_fields(client, SIGNUP)
        client.post(SIGNUP, person() | fields)
        client.logout()
        response = client.post(SIGNUP, person(email="autre@example.test") | fields)
        assert response.status_code == 200
        assert User.objects.count() == 1

    def test_forged_challenge_is_refused(self, client, terms):
        forged = "eyJzIjoiMDAiLCJkIjowfQ:forged:signature"
        client.post(SIGNUP, person() | {"challenge": forged, "nonce": "0"})
        assert not User.objects.exists()

    def test_the_accessible_fallback_question_works_without_javascript(self, client, terms):
        from ilmis.core.antibot import read_challenge

        fields = human_fields(client, SIGNUP)
        data = read_challenge(fields["challenge"])
        fields |= {"nonce": "", "human_answer": str(data["a"] + data["b"])}
        assert client.post(SIGNUP, person() | fields).status_code == 302

    def test_signups_are_rate_limited_per_ip(self, client, terms, settings):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
        statuses = []
        for n in range(3):
            client.logout()
            data = person(email=f"p{n}@example.test") | human_fields(client, SIGNUP)
            statuses.append(client.post(SIGNUP, data).status_code)
        assert statuses == [302, 302, 429]
        assert User.objects.count() == 2
