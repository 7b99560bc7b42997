"""Terms of use (R9.1): publish versions, record who accepted which, when and from where."""

import markdown
import nh3
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.safestring import mark_safe

from ilmis.audit.services import record
from ilmis.core.http import client_ip, user_agent

from .models import TermsAcceptance, TermsVersion


def current_version():
    return TermsVersion.objects.order_by("-number").first()


CURRENT_KEY = "legal:current_terms_id"
SESSION_KEY = "legal_terms_accepted"


def current_version_id():
    """The current version's id (0: none published), cached: every page of every user asks."""
    version_id = cache.get(CURRENT_KEY)
    if version_id is None:
        version_id = (
            TermsVersion.objects.order_by("-number").values_list("pk", flat=True).first() or 0
        )
        cache.set(CURRENT_KEY, version_id, 300)
    return version_id


def request_has_accepted_current(request):
    """For the middleware: the session remembers the version its user accepted, so the
    acceptance table is read once per session and version, not on every request."""
    version_id = current_version_id()
    if not version_id or request.session.get(SESSION_KEY) == version_id:
        return True
    if TermsAcceptance.objects.filter(user=request.user, version_id=version_id).exists():
        request.session[SESSION_KEY] = version_id
        return True
    return False


def has_accepted_current(user):
    version = current_version()
    return version is None or TermsAcceptance.objects.filter(user=user, version=version).exists()


@transaction.atomic
def publish(*, title, body, by=None):
    last = TermsVersion.objects.select_for_update().order_by("-number").first()
    version = TermsVersion.objects.create(
        number=(last.number + 1) if last else 1, title=title, body=body, published_by=by
    )
    record("terms.published", version, actor=by, to_state=str(version.number))
    cache.delete(CURRENT_KEY)
    transaction.on_commit(lambda: cache.delete(CURRENT_KEY))
    return version


def accept(user, version, *, request=None):
    """Store the exact version accepted, with time and IP; accepting twice is harmless."""
    try:
        with transaction.atomic():
            acceptance = TermsAcceptance.objects.create(
                user=user,
                version=version,
                ip=client_ip(request) if request else None,
                user_agent=user_agent(request) if request else "",
            )
    except IntegrityError:
        return TermsAcceptance.objects.get(user=user, version=version)
    record("terms.accepted", version, actor=user, request=request)
    return acceptance


def render(version):
    html = markdown.markdown(version.body, extensions=["extra", "sane_lists"])
    return mark_safe(nh3.clean(html))  # noqa: S308 - sanitised by nh3 just above
