"""Worker-process entry points for laying out certificates (imported before Django is set up,
so nothing here may import models at module level)."""


def init():
    import django

    django.setup()


def render_chunk(body, contexts):
    from . import pdf

    return pdf.render_many(body, contexts)
