"""PDF documents from HTML (agreements, certificates, attendance sheets, evidence files).

Some templates are edited by staff, so they are rendered in a sandbox: a template engine with no
loaders and no tag libraries, fed plain data only; and WeasyPrint may fetch inline `data:` URLs
only — no file on the server, no network — whatever a template or a title contains.
"""

from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

SANDBOX = Engine(
    dirs=[],
    app_dirs=False,
    loaders=[],
    libraries={},
    autoescape=True,
    debug=False,
    string_if_invalid="",
)


class TemplateError(Exception):
    """A staff template cannot be compiled or rendered; the message says why, in French."""


def render_sandboxed(body, context):
    """The HTML of a staff-edited template `body` with `context` (plain data)."""
    try:
        return SANDBOX.from_string(body).render(Context(context, autoescape=True))
    except TemplateSyntaxError as error:
        raise TemplateError(_("Erreur dans le modèle : %(error)s") % {"error": error}) from error
    except Exception as error:  # a template bug must never become a server error
        raise TemplateError(
            _("Le modèle ne peut pas être rendu : %(error)s") % {"error": error}
        ) from error


def url_fetcher():
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def html_document(html):
    """A laid-out WeasyPrint document (to split into several PDFs, see tracking.pdf)."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=url_fetcher(), base_url="data:/").render()


def html_to_pdf(html):
    return html_document(html).write_pdf()
