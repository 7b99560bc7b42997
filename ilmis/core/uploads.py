"""What an uploaded file is, from its first bytes — never from the name the browser sent."""

MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
IMAGES = {"png", "jpg", "gif", "webp"}


def sniff(head: bytes) -> str | None:
    """ "pdf", "png", "jpg", "gif" or "webp" from a file's first 16 bytes, else None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)
