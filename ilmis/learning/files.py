"""Learning files: delivery goes through `ilmis.core.files.serve` (X-Accel-Redirect or Range
streaming, R6.2), re-exported here.

Also here: stamping a PDF on every page with the learner's identity (pypdf, no new dependency),
cached per learner, activity version and day; and a tiny PDF writer for demo and tests.
"""

import hashlib
import io
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    RectangleObject,
)

from ilmis.core.files import Unsatisfiable, parse_range, serve  # noqa: F401 - re-exported

# --- PDF ------------------------------------------------------------------------------------


def _pdf_string(text):
    """A PDF literal string in WinAnsi (Helvetica's standard encoding)."""
    data = text.encode("cp1252", "replace")
    data = data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + data + b")"


def _helvetica():
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def _text_page(writer, width, height, lines, *, x, y, size, gray=0.0, leading=None):
    """A page holding `lines` of text starting at (x, y), downwards."""
    page = writer.add_blank_page(width=width, height=height)
    leading = leading or size * 1.3
    ops = [b"q", f"{gray:.2f} g".encode(), b"BT", f"/FStamp {size} Tf".encode()]
    ops.append(f"{leading:.1f} TL".encode())
    ops.append(f"{x:.1f} {y:.1f} Td".encode())
    for line in lines:
        ops += [_pdf_string(line) + b" Tj", b"T*"]
    ops += [b"ET", b"Q"]
    stream = DecodedStreamObject()
    stream.set_data(b"\n".join(ops))
    page[NameObject("/Contents")] = writer._add_object(stream)
    page[NameObject("/Resources")] = DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject({NameObject("/FStamp"): _helvetica()}),
            NameObject("/ProcSet"): ArrayObject([NameObject("/PDF"), NameObject("/Text")]),
        }
    )
    return page


def text_pdf(pages, *, title=""):
    """A small A4 PDF: one page per list of lines (demo content, tests)."""
    writer = PdfWriter()
    for lines in pages:
        _text_page(writer, 595, 842, lines, x=56, y=780, size=12)
    if title:
        writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stamp_lines(user, when):
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    name = (name or "").strip() or user.email
    date = timezone.localtime(when).strftime("%d/%m/%Y")
    return _("Document réservé à %(name)s <%(email)s> — téléchargé le %(date)s") % {
        "name": name,
        "email": user.email,
        "date": date,
    }


def stamp_pdf(data, text):
    """`data` (a PDF) with `text` written at the foot of every page, over the content."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    scratch = PdfWriter()
    for page in writer.pages:
        box = RectangleObject(page.mediabox)
        width, height = float(box.width), float(box.height)
        overlay = _text_page(
            scratch,
            width,
            height,
            [text],
            x=12,
            y=max(4.0, min(14.0, height / 20)),
            size=7,
            gray=0.35,
        )
        rotation = page.get("/Rotate", 0) or 0
        if rotation:
            page.transfer_rotation_to_content()
        page.merge_translated_page(
            overlay, FloatObject(box.left), FloatObject(box.bottom), over=True, expand=False
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stamped_copy(activity, user, now=None):
    """Path of `activity`'s PDF stamped for `user` today (made once per learner, version, day)."""
    now = now or timezone.now()
    text = stamp_lines(user, now)
    key = hashlib.sha256(
        "|".join(
            [str(activity.uuid), activity.file.name, str(activity.updated_at), str(user.pk), text]
        ).encode()
    ).hexdigest()
    folder = Path(settings.MEDIA_ROOT) / "learning" / "stamped"
    path = folder / f"{key}.pdf"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with activity.file.open("rb") as handle:
            data = stamp_pdf(handle.read(), text)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
    return path


def purge_stamped(older_than_days=2):
    """Remove cached stamped copies older than `older_than_days` (a daily job)."""
    folder = Path(settings.MEDIA_ROOT) / "learning" / "stamped"
    if not folder.exists():
        return 0
    limit = timezone.now().timestamp() - older_than_days * 86400
    removed = 0
    for path in folder.glob("*.pdf"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
