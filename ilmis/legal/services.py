"""Terms of use (R9.1): publish versions, record who accepted which, when and from where."""

import markdown
import nh3
from django.db import IntegrityError, transaction
from django.utils.safestring import mark_safe

from ilmis.audit.services import record
from ilmis.core.http import client_ip, user_agent

from .models import TermsAcceptance, TermsVersion


def current_version():
    return TermsVersion.objects.order_by("-number").first()


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
