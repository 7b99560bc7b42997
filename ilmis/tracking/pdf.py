"""Certificates (R11.6) and evidence files (R11.4) as PDFs, with WeasyPrint.

Certificate templates are staff-edited (DocumentTemplate, seeded from
`document_templates/<kind>.html`): an HTML fragment (a <style> element and the page's content)
rendered in a sandbox — the same rules as the enrolment app's agreements: an Engine with no
loaders and no tag libraries, autoescaping, a context of plain data only (no model instance), and
a WeasyPrint URL fetcher that only accepts inline data: URLs.

For a whole session, learners are rendered in chunks: one WeasyPrint layout per chunk (much
faster than one per learner), then each learner's pages are written out from the anchors found
on the laid-out pages.
"""

import base64
import logging
import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ilmis.core.documents import (  # noqa: F401 - TemplateError is re-exported
    TemplateError,
    html_document,
    html_to_pdf,
    render_sandboxed,
)

TEMPLATE_DIR = Path(__file__).parent / "document_templates"
# WeasyPrint logs every page laid out at INFO: thousands of lines for a session's certificates.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)


def seed_text(kind):
    return (TEMPLATE_DIR / f"{kind}.html").read_text(encoding="utf-8")


def _data_uri(static_path):
    path = finders.find(static_path) if static_path else None
    if not path:
        return ""
    mime = mimetypes.guess_type(path)[0] or "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(Path(path).read_bytes()).decode()}"


def images():
    """The organisation's logo, signature and stamp as data: URIs (paths are static files,
    configurable: ORGANISATION["logo"], ILMIS_CERTIFICATE_SIGNATURE, ILMIS_CERTIFICATE_STAMP)."""
    return {
        "logo": _data_uri(settings.ORGANISATION.get("logo", "")),
        "signature": _data_uri(
            getattr(settings, "ILMIS_CERTIFICATE_SIGNATURE", "tracking/signature.svg")
        ),
        "stamp": _data_uri(getattr(settings, "ILMIS_CERTIFICATE_STAMP", "tracking/stamp.svg")),
    }


def _date(value):
    return formats.date_format(value, "d/m/Y") if value else ""


def _num(value):
    return formats.number_format(value, decimal_pos=2, use_l10n=True)


def certificate_context(row, *, pictures=None, today=None):
    """Plain data for the certificate templates (documented in docs/tracking.md)."""
    enrolment = row["enrolment"]
    learner, session = enrolment.learner, enrolment.session
    programme = session.programme
    prereg = enrolment.preregistration
    employer = ""
    if prereg is not None and prereg.company_name:
        employer = prereg.company_name
    elif learner.client_id and learner.client.is_company:
        employer = learner.client.name
    representative = settings.ORGANISATION.get("representative", "")
    rep_name, _sep, rep_title = representative.partition(",")
    today = today or timezone.localdate()
    end = session.end_date
    if row["stopped_at"] and row["stopped_at"] < end:
        end = row["stopped_at"]
    return {
        "organisation": {
            key: str(value) for key, value in settings.ORGANISATION.items() if key != "logo"
        }
        | {"representative_name": rep_name.strip(), "representative_title": rep_title.strip()},
        "images": pictures if pictures is not None else images(),
        "learner": {
            "first_name": learner.first_name,
            "last_name": learner.last_name,
            "full_name": learner.get_full_name() or learner.email,
            "email": learner.email,
        },
        "employer": employer,
        "action": {
            "title": programme.title,
            "nature": _("action de formation"),
            "objectives": programme.objectives,
            "assessment_methods": programme.assessment_methods,
            "start": _date(session.start_date),
            "end": _date(end),
            "session_end": _date(session.end_date),
            "place": session.place,
            "planned_hours": _num(row["planned_hours"]),
            "programme_hours": _num(programme.duration_hours),
        },
        "hours": _num(row["hours"]),
        "hours_not_done": _num(row["hours_not_done"]),
        "rate": _num(row["rate"]),
        "active_time": row["active_hm"],
        "partial": row["status"] != "completed",
        "stopped": bool(row["stopped_at"]),
        "stopped_at": _date(row["stopped_at"]),
        "stop_reason": row["stop_reason"],
        "evaluation": {
            "passed": row["passed"],
            "text": row["evaluation"],
            "results": row.get("results", []),
        },
        "funding": {
            "funder": prereg.get_funder_display() if prereg else "",
            "file_number": prereg.file_number if prereg else "",
        },
        "issued_place": getattr(settings, "ILMIS_CERTIFICATE_PLACE", "Paris"),
        "issued_on": _date(today),
    }


def render_fragment(body, context):
    return render_sandboxed(body, context)


def _document(fragments):
    """[rendered fragment] -> one HTML document: the first fragment's styles, then each
    fragment's content in a section that starts on a new page."""
    styles = "\n".join(STYLE.findall(fragments[0])) if fragments else ""
    sections = "".join(
        f'<section id="doc{n}" style="page-break-before:always">{STYLE.sub("", f)}</section>'
        for n, f in enumerate(fragments)
    )
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        f"<style>{styles}</style></head><body>{sections}</body></html>"
    )


def render_pdf(body, context):
    return render_many(body, [context])[0]


def render_many(body, contexts):
    """One PDF per context, laid out in a single WeasyPrint pass."""
    fragments = [render_fragment(body, c) for c in contexts]
    document = html_document(_document(fragments))
    starts = []
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("doc"):
                starts.append((int(anchor[3:]), index))
    starts.sort()
    bounds = [index for _n, index in starts] + [len(document.pages)]
    return [
        document.copy(document.pages[bounds[i] : bounds[i + 1]]).write_pdf()
        for i in range(len(contexts))
    ]


def evidence_pdf(data):
    html = render_to_string("tracking/pdf/evidence.html", data | {"images": images()})
    return html_to_pdf(html)
