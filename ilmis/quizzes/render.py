"""Question texts to safe HTML (R6.3): html sanitised with nh3, markdown rendered then sanitised,
plain escaped, Moodle's auto-format keeps its HTML (sanitised) and turns new lines into breaks.
Embedded files (@@PLUGINFILE@@/name) point to the access-checked file view."""

import html
import re

import markdown
import nh3
from django.urls import reverse
from django.utils.safestring import mark_safe

from . import qformat

_PLUGINFILE = re.compile(r"@@PLUGINFILE@@/([^\"'\s<>?#]+)")


def to_html(text, fmt, *, file_urls=None):
    """Safe HTML for `text` written in `fmt` (html, markdown, plain, moodle)."""
    if not text:
        return mark_safe("")  # noqa: S308 - empty
    if fmt == qformat.PLAIN:
        rendered = html.escape(text).replace("\n", "<br>")
    elif fmt == qformat.MARKDOWN:
        rendered = markdown.markdown(text)
    elif fmt == qformat.MOODLE:
        rendered = (
            text
            if re.search(r"<(p|div|br|table|ul|ol)\b", text, re.I)
            else text.replace("\n", "<br>")
        )
    else:
        rendered = text
    if file_urls is not None:
        rendered = _PLUGINFILE.sub(lambda m: file_urls.get(m.group(1), ""), rendered)
    return mark_safe(nh3.clean(rendered))  # noqa: S308 - sanitised by nh3


def file_urls(question):
    """{name: url} for the files of `question` (prefetch `files` when listing many)."""
    urls = {}
    for f in question.files.all():
        urls.setdefault(f.name, reverse("quizzes:question_file", args=[f.pk, f.name]))
    return urls
