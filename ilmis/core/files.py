"""Serving protected files (R6.2, R1.2): X-Accel-Redirect to nginx, or streaming with Range.

Files live under MEDIA_ROOT and are never served by a public URL: a view checks access first,
then calls `serve(request, path, …)`. Used by learning (documents, videos) and SCORM packages.
- With settings.ILMIS_X_ACCEL_REDIRECT_PREFIX (e.g. "/protected/", an nginx `internal` location
  whose alias is MEDIA_ROOT), the response only carries X-Accel-Redirect: nginx sends the bytes
  (and handles Range itself).
- Otherwise Django streams the file with single-range support: 206 Partial Content with
  Content-Range, 416 with "bytes */size" for an unsatisfiable or malformed range.
"""

import re
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import http_date

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
