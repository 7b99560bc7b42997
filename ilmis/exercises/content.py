"""What an uploaded file really is, from its content (magic bytes, structure), not its name."""

import io
import zipfile

from django.utils.translation import gettext_lazy as _

from ilmis.core.uploads import sniff

# key: (label, content type, extension)
FILE_TYPES = {
    "pdf": (_("PDF"), "application/pdf", ".pdf"),
    "docx": (
        _("Word (.docx)"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    "xlsx": (
        _("Excel (.xlsx)"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
    "pptx": (
        _("PowerPoint (.pptx)"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".pptx",
    ),
    "odt": (_("Texte OpenDocument (.odt)"), "application/vnd.oasis.opendocument.text", ".odt"),
    "ods": (
        _("Classeur OpenDocument (.ods)"),
        "application/vnd.oasis.opendocument.spreadsheet",
        ".ods",
    ),
    "png": (_("Image PNG"), "image/png", ".png"),
    "jpg": (_("Image JPEG"), "image/jpeg", ".jpg"),
    "zip": (_("Archive ZIP"), "application/zip", ".zip"),
    "txt": (_("Texte brut (.txt)"), "text/plain; charset=utf-8", ".txt"),
}
CHOICES = [(key, label) for key, (label, _ct, _ext) in FILE_TYPES.items()]

_OOXML = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
_ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def _zip_kind(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        for member, kind in _OOXML.items():
            if member in names:
                return kind
        if "mimetype" in names:
            with archive.open("mimetype") as handle:
                kind = _ODF.get(handle.read(100).strip())
            if kind:
                return kind
        return "zip"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, NotImplementedError):
        return None


def detect(uploaded):
    """The FILE_TYPES key of `uploaded`, or None when unrecognised or damaged."""
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    kind = sniff(data[:16])
    if kind == "pdf":
        from pypdf import PdfReader

        try:
            return "pdf" if len(PdfReader(io.BytesIO(data)).pages) > 0 else None
        except Exception:  # pypdf raises many kinds of errors on broken files
            return None
    if kind in ("png", "jpg"):
        return kind
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data and b"\x00" not in data:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "txt"
    return None
