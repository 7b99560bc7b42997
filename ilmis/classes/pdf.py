"""The attendance sheet ("feuille d'émargement", R11.7) as a PDF, from a Django template.

WeasyPrint gets a URL fetcher that only accepts inline `data:` URLs: the sheet cannot pull a
server file or reach the network, whatever a class title contains.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from . import services


def _fetcher():
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def attendance_sheet(live_class):
    from weasyprint import HTML

    context = services.sheet(live_class) | {
        "organisation": settings.ORGANISATION,
        "generated_at": timezone.localtime(),
    }
    html = render_to_string("classes/pdf/attendance.html", context)
    return HTML(string=html, url_fetcher=_fetcher(), base_url="data:/").write_pdf()


def filename(live_class):
    return f"emargement-{live_class.local_start():%Y-%m-%d}-classe-{live_class.pk}.pdf"
