import re

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .models import OutgoingEmail

LINK = re.compile(r"https?://[^\s<>\"']+")


@staff_member_required
def outbox(request):
    """Staff see every email and its links, so a trial can be followed without an SMTP server."""
    if not settings.ILMIS_OUTBOX_PAGE:
        raise Http404
    page = Paginator(OutgoingEmail.objects.all(), 25).get_page(request.GET.get("page"))
    for email in page:
        email.links = LINK.findall(email.body)
    return render(request, "notifications/outbox.html", {"page": page})
