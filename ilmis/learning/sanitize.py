"""HTML of course pages: cleaned with nh3 on save and again on display (R6.1, R8.1).

Images and image maps are removed: a page must not make the learner's browser fetch anything
from a third-party host (R1.2), and the platform has no public image storage.
"""

import nh3
from django.utils.safestring import mark_safe

TAGS = set(nh3.ALLOWED_TAGS) - {"img", "map", "area"}
ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items() if tag in TAGS}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(html):
    return nh3.clean(
        html or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def safe_html(html):
    """For templates: cleaned again at display time, then marked safe."""
    return mark_safe(clean_html(html))  # noqa: S308 — nh3 has just cleaned it
