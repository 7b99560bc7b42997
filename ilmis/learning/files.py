"""Serving protected files (R6.2, R1.2): X-Accel-Redirect to nginx, or streaming with Range.

Files live under MEDIA_ROOT with random names and are never served by a public URL: a view
checks access first, then calls `serve(request, path, …)`.
- With settings.ILMIS_X_ACCEL_REDIRECT_PREFIX (e.g. "/protected/", an nginx `internal` location
  whose alias is MEDIA_ROOT), the response only carries X-Accel-Redirect: nginx sends the bytes
  (and handles Range itself).
- Otherwise Django streams the file with single-range support: 206 Partial Content with
  Content-Range, 416 with "bytes */size" for an unsatisfiable or malformed range.

Also here: stamping a PDF on every page with the learner's identity (pypdf, no new dependency),
cached per learner, activity version and day; and a tiny PDF writer for demo and tests.
"""

import hashlib
import io
import re
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import http_date
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

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    pass


def parse_range(header, size):
    """(start, end) inclusive for a single byte range, None to send everything.

    Raises Unsatisfiable for a malformed or unsatisfiable byte range. Several ranges at once
    are answered with the whole file (allowed by RFC 9110 §14.2)."""
    if not header:
        return None
    header = header.strip()
    if not header.lower().startswith("bytes="):
        return None  # another unit: ignore the header
    if "," in header:
        return None
    match = _RANGE.match(header.replace(" ", ""))
    if not match:
        raise Unsatisfiable
    first, last = match.groups()
    if first == "" and last == "":
        raise Unsatisfiable
    if first == "":  # suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        raise Unsatisfiable
    return start, min(end, size - 1)


def _iter_file(path, start, length):
    with open(path, "rb") as handle:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


def _disposition(filename, as_attachment):
    kind = "attachment" if as_attachment else "inline"
    filename = "".join(c for c in filename if c.isprintable() and c not in '"\\/') or "fichier"
    ascii_name = filename.encode("ascii", "ignore").decode() or "fichier"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _common_headers(response, content_type, filename, as_attachment, cache):
    response["Content-Type"] = content_type
    response["Content-Disposition"] = _disposition(filename, as_attachment)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache
    response["Accept-Ranges"] = "bytes"
    return response


def serve(
    request,
    path,
    *,
    content_type,
    filename,
    as_attachment=False,
    cache="private, no-store",
):
    """The response delivering the file at `path` (under MEDIA_ROOT) to an already-checked user."""
    path = Path(path)
    prefix = getattr(settings, "ILMIS_X_ACCEL_REDIRECT_PREFIX", "")
    if prefix:
        relative = path.resolve().relative_to(Path(settings.MEDIA_ROOT).resolve())
        response = HttpResponse()
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(relative.as_posix())
        return _common_headers(response, content_type, filename, as_attachment, cache)
    stat = path.stat()
    size = stat.st_size
    last_modified = http_date(stat.st_mtime)
    range_header = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range")
    if if_range and if_range != last_modified:
        range_header = ""  # the file changed since the client's copy: send it whole
    try:
        byte_range = parse_range(range_header, size)
    except Unsatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    if byte_range is None:
        start, end, status = 0, size - 1, 200
    else:
        (start, end), status = byte_range, 206
    length = max(0, end - start + 1)
    if request.method == "HEAD":
        response = HttpResponse(status=status)
    else:
        response = StreamingHttpResponse(_iter_file(path, start, length), status=status)
    response["Last-Modified"] = last_modified
    response["Content-Length"] = str(length)
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return _common_headers(response, content_type, filename, as_attachment, cache)


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
