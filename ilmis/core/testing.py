"""Fixtures and helpers for every app's tests (a pytest plugin, loaded by conftest.py)."""

import re
import shutil

import factory
import pytest
from django.core import mail

PASSWORD = "Vert-Tilleul-2031!"


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Client"

    kind = "company"
    name = factory.Sequence(lambda n: f"Entreprise {n}")
    siret = factory.Sequence(lambda n: _luhn_siret(n))
    address = "1 rue de la Paix, 75002 Paris"
    email = factory.Sequence(lambda n: f"contact{n}@entreprise.test")
    phone = "01 23 45 67 89"


def _luhn_siret(n):
    from ilmis.accounts.validators import luhn_valid

    base = f"9{n:012d}"
    return next(base + str(k) for k in range(10) if luhn_valid(base + str(k)))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.User"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    role = "learner"
    phone = "06 12 34 56 78"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


def accept_current_terms(user):
    from ilmis.legal import services as legal

    version = legal.current_version()
    if version:
        legal.accept(user, version)


def human_fields(client, url):
    """What a person's browser adds to a public form: the challenge, solved."""
    from ilmis.core import antibot

    page = client.get(url).content.decode()
    token = re.search(r'name="challenge" value="([^"]+)"', page).group(1)
    return {"challenge": token, "nonce": antibot.solve(token), "website": ""}


def deliver_outbox():
    from ilmis.notifications.services import deliver_due

    deliver_due()
    return mail.outbox


def links_in(message):
    return re.findall(r"https?://[^\s<>\"']+", message.body)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    from django.core.cache import cache

    cache.clear()
    settings.EMAIL_BACKEND = "ilmis.notifications.backends.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ILMIS_OUTBOX_PAGE = True
    yield
    cache.clear()
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def mailbox(db):
    """Call it to deliver the outbox; it returns the delivered messages."""
    mail.outbox = []
    return deliver_outbox


@pytest.fixture
def terms(db):
    from ilmis.legal import services as legal

    return legal.publish(title="Conditions", body="# Conditions\n\nVersion de test.")


@pytest.fixture
def make_user(db, terms):
    def make(**kwargs):
        user = UserFactory(**kwargs)
        accept_current_terms(user)
        return user

    return make


@pytest.fixture
def learner(make_user):
    return make_user(role="learner", client=ClientFactory(kind="person", siret=""))


@pytest.fixture
def company(db):
    return ClientFactory()


@pytest.fixture
def manager(make_user, company):
    return make_user(role="manager", client=company)


@pytest.fixture
def staff(make_user):
    user = make_user(role="staff")
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


@pytest.fixture
def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's Chromium is required for browser tests: apt-get install chromium")
    return path


@pytest.fixture
def browser(chromium_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
