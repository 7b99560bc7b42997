"""The attendance sheet ("feuille d'émargement", R11.7) as a PDF, from a Django template.

WeasyPrint gets a URL fetcher that only accepts inline `data:` URLs: the sheet cannot pull a
server file or reach the network, whatever a class title contains.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from ilmis.core.documents import html_to_pdf

from . import services


def attendance_sheet(live_class):
    context = services.sheet(live_class) | {
        "organisation": settings.ORGANISATION,
        "generated_at": timezone.localtime(),
    }
    html = render_to_string("classes/pdf/attendance.html", context)
    return html_to_pdf(html)


def filename(live_class):
    return f"emargement-{live_class.local_start():%Y-%m-%d}-classe-{live_class.pk}.pdf"
