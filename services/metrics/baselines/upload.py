"""A CSV request body as text: its media type, size and encoding checked (as readiness' import does)."""

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


async def csv_text(request: Request) -> str:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("text/csv", "text/plain"):
        raise UnsupportedMediaType(f"send the CSV as text/csv, not {media or 'no content type'}", field="content-type")
    raw = await request.body()
    if len(raw) > MAX_BYTES:
        raise TooLarge(f"the CSV is over {MAX_BYTES} bytes; split it", field="body")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError(f"the CSV must be UTF-8 (byte {error.start} is not)", field="body") from error
