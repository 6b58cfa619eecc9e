"""A CSV request body as text: its media type, size and encoding checked, the same for every import."""

from __future__ import annotations

from fastapi import Request

from shared.errors import DomainError

MAX_BYTES = 2_000_000


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


class TooLarge(DomainError):
    status = 413
    code = "payload_too_large"


async def csv_text(request: Request, *, max_bytes: int = MAX_BYTES) -> str:
    """The body of a CSV upload, or 415 (media type), 413 (size) or 422 (encoding) naming the culprit."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("text/csv", "text/plain"):
        raise UnsupportedMediaType(f"send the CSV as text/csv, not {media or 'no content type'}", field="content-type")
    raw = await request.body()
    if len(raw) > max_bytes:
        raise TooLarge(f"the CSV is over {max_bytes} bytes; split it", field="body")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError(f"the CSV must be UTF-8 (byte {error.start} is not)", field="body") from error
