"""R8.1: staff accounts use MFA (TOTP); every user can turn it on."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from ilmis.core.testing import PASSWORD

pytestmark = pytest.mark.django_db
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def current_code(secret=SECRET):
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


def test_staff_login_needs_the_second_factor(client, staff):
    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and "/2fa/authenticate" in response["Location"]
    assert client.get("/tableau-de-bord/").status_code == 302  # not logged in yet
    client.post(response["Location"], {"code": "000000" if current_code() != "000000" else "1"})
    assert client.get("/tableau-de-bord/").status_code == 302
    client.post(response["Location"], {"code": current_code()})
    assert client.get("/tableau-de-bord/").status_code == 200


def test_a_learner_can_turn_on_totp(client, learner):
    client.post("/accounts/login/", {"login": learner.email, "password": PASSWORD})
    # allauth asks for the password again before a security change.
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=learner, type=Authenticator.Type.TOTP).exists()
