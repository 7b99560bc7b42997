"""R3.0, R3.4, R5.1, R5.3, R5.5, R8.1: logins, sessions, resets — the ASVS basics."""

import re
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.test import Client as HttpClient

from ilmis.core.testing import PASSWORD, human_fields, links_in

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
RESET = "/accounts/password/reset/"
NEW_PASSWORD = "Bleu-Horizon-2032?"


def login(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def is_logged_in(client):
    return client.get("/tableau-de-bord/").status_code == 200


class TestBruteForce:
    def test_limited_per_account(self, client, learner):
        """5 failures on one account lock it for a while, even from another IP with the right
        password."""
        for _ in range(5):
            login(client, learner.email, "wrong-password-123")
        elsewhere = HttpClient(REMOTE_ADDR="10.0.0.9")
        response = login(elsewhere, learner.email)
        assert "trop" in str(response.context["form"].non_field_errors()).lower()
        assert not is_logged_in(elsewhere)

    def test_limited_per_ip(self, client, make_user):
        """10 failures from one IP (on different accounts) stop that IP, not others."""
        for _ in range(10):
            login(client, make_user().email, "wrong-password-123")
        user = make_user()
        response = login(client, user.email)
        assert "trop" in str(response.context["form"].non_field_errors()).lower()
        assert not is_logged_in(client)
        other_ip = HttpClient(REMOTE_ADDR="10.0.0.7")
        login(other_ip, user.email)
        assert is_logged_in(other_ip)


def test_login_gives_no_enumeration(client, learner):
    """Unknown email and wrong password get the same answer."""
    unknown = login(client, "nobody@example.test", "wrong-password-123")
    wrong = login(HttpClient(), learner.email, "wrong-password-123")
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()


def test_signup_gives_no_enumeration(client, learner, mailbox):
    """Signing up with a taken address answers like a new one; the owner is told by email."""
    from ilmis.accounts.tests.test_signup import SIGNUP, person

    taken = client.post(SIGNUP, person(email=learner.email) | human_fields(client, SIGNUP))
    fresh_client = HttpClient()
    fresh = fresh_client.post(
        SIGNUP, person(email="new@example.test") | human_fields(fresh_client, SIGNUP)
    )
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert any(learner.email in m.to for m in mailbox())


def request_reset(client, email):
    return client.post(RESET, {"email": email} | human_fields(client, RESET))


def reset_link(mailbox, email):
    for message in reversed(mailbox()):
        if email in message.to:
            for link in links_in(message):
                if "/password/reset/key/" in link:
                    return link.replace("http://testserver", "")
    raise AssertionError("no reset link")


class TestPasswordReset:
    """R5.3: a single-use expiring link, never a password; same answer for any email."""

    def test_same_answer_for_known_and_unknown_emails(self, client, learner):
        known = request_reset(client, learner.email)
        unknown = request_reset(HttpClient(), "nobody@example.test")
        assert known.status_code == unknown.status_code == 302
        assert known["Location"] == unknown["Location"]

    def test_link_sets_a_new_password_once(self, client, learner, mailbox):
        request_reset(client, learner.email)
        link = reset_link(mailbox, learner.email)
        assert PASSWORD not in mailbox()[-1].body if mailbox() else True
        form_url = client.get(link)["Location"]
        response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert response.status_code == 302
        learner.refresh_from_db()
        assert learner.check_password(NEW_PASSWORD)
        # Used once: the same link no longer works.
        again = HttpClient()
        response = again.get(link, follow=True)
        assert "token_fail" in " ".join(t.name for t in response.templates) or (
            response.context.get("token_fail")
        )

    def test_link_expires(self, client, learner, mailbox, settings):
        request_reset(client, learner.email)
        link = reset_link(mailbox, learner.email)
        # The token generator counts in naive local time.
        later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
        with mock.patch(
            "django.contrib.auth.tokens.PasswordResetTokenGenerator._now", return_value=later
        ):
            response = client.get(link, follow=True)
        assert response.context.get("token_fail")

    def test_link_is_invalid_after_a_password_change(self, client, learner, mailbox):
        request_reset(client, learner.email)
        link = reset_link(mailbox, learner.email)
        learner.set_password(NEW_PASSWORD)
        learner.save()
        response = client.get(link, follow=True)
        assert response.context.get("token_fail")

    def test_reset_ends_the_other_sessions(self, client, learner, mailbox):
        other = HttpClient()
        login(other, learner.email)
        assert is_logged_in(other)
        request_reset(client, learner.email)
        link = reset_link(mailbox, learner.email)
        form_url = client.get(link)["Location"]
        client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert not is_logged_in(other)

    def test_reset_requests_are_rate_limited_per_email(self, client, learner, settings):
        statuses = [request_reset(HttpClient(), learner.email).status_code for _ in range(4)]
        assert statuses[-1] in (200, 429) and statuses[:3] == [302, 302, 302]


class TestSessions:
    def test_session_id_changes_at_login(self, client, learner):
        client.get(LOGIN)
        client.cookies["sessionid"] = "fixated-session-id-0123456789abcdef"
        login(client, learner.email)
        assert client.cookies["sessionid"].value != "fixated-session-id-0123456789abcdef"
        assert is_logged_in(client)

    def test_cookie_replayed_after_logout_is_refused(self, client, learner):
        login(client, learner.email)
        cookie = client.cookies["sessionid"].value
        client.post("/accounts/logout/")
        replay = HttpClient()
        replay.cookies["sessionid"] = cookie
        assert replay.get("/tableau-de-bord/").status_code == 302

    def test_one_active_session_per_login(self, learner):
        """R3.4: a new login ends the others (the default)."""
        first, second = HttpClient(REMOTE_ADDR="10.0.0.1"), HttpClient(REMOTE_ADDR="10.0.0.2")
        login(first, learner.email)
        login(second, learner.email)
        assert is_logged_in(second)
        assert not is_logged_in(first)

    def test_the_limit_is_a_setting(self, learner, settings):
        settings.ILMIS_MAX_SESSIONS_PER_USER = 2
        first, second = HttpClient(), HttpClient()
        login(first, learner.email)
        login(second, learner.email)
        assert is_logged_in(first) and is_logged_in(second)

    def test_shared_logins_are_flagged_for_staff(self, client, learner, staff, settings):
        settings.ILMIS_MAX_SESSIONS_PER_USER = 0  # unlimited, to let sharing happen
        for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            login(HttpClient(REMOTE_ADDR=ip), learner.email)
        client.force_login(staff)
        page = client.get("/compte/securite/").content.decode()
        assert learner.email in page

    def test_sessions_page_lists_and_ends_sessions(self, learner, settings):
        settings.ILMIS_MAX_SESSIONS_PER_USER = 0
        first, second = HttpClient(), HttpClient(HTTP_USER_AGENT="Firefox test")
        login(first, learner.email)
        login(second, learner.email)
        page = first.get("/accounts/sessions/")
        assert "Firefox test" in page.content.decode()
        first.post("/accounts/sessions/", {})
        assert is_logged_in(first) and not is_logged_in(second)

    def test_active_users_are_never_logged_out_idle_ones_are(self, client, learner, settings):
        """R5.5: each request renews the session; the idle timeout is a setting."""
        assert settings.SESSION_SAVE_EVERY_REQUEST
        login(client, learner.email)
        from django.contrib.sessions.models import Session

        if "db" in settings.SESSION_ENGINE:
            key = client.cookies["sessionid"].value
            before = Session.objects.get(session_key=key).expire_date
            client.get("/tableau-de-bord/")
            assert Session.objects.get(session_key=key).expire_date >= before


def test_csrf_is_enforced(learner):
    strict = HttpClient(enforce_csrf_checks=True)
    response = strict.post(LOGIN, {"login": learner.email, "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_open_redirect_after_login_is_refused(client, learner, target):
    response = client.post(
        f"{LOGIN}?next={target}", {"login": learner.email, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_learner_cannot_reach_staff_pages(client, learner):
    client.force_login(learner)
    for url in ("/compte/securite/", "/equipe/courriels/", "/admin/"):
        response = client.get(url)
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:
            assert "login" in response["Location"]


def test_staff_must_set_up_mfa(client, make_user):
    """R8.1: staff without TOTP are sent to set it up before anything else."""
    staff = make_user(role="staff")
    client.force_login(staff)
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 302 and "/accounts/2fa/totp/activate" in response["Location"]


def test_no_password_in_any_email(client, learner, mailbox):
    """R5.1: the platform never sends a password."""
    request_reset(client, learner.email)
    for message in mailbox():
        assert PASSWORD not in message.body
        assert re.search(r"mot de passe\s*:\s*\S+", message.body, re.I) is None
