"""Request headers we read or forward, checked before anything uses them: a bad one is a 400 naming it.

Header values are bytes; HTTP allows only visible ASCII (and spaces) in the ones we
care about, and the HTTP client forwarding them (and every log line and span that
records them) would fail on anything else — a 500 the caller caused. The request id
is also bounded (128 characters), because it is echoed back, logged, forwarded and
stored in the audit trail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Lower-case wire name -> the name an error message gives the caller.
CHECKED = {
    b"x-request-id": "X-Request-Id",
    b"idempotency-key": "Idempotency-Key",
    b"accept": "Accept",
    b"content-type": "Content-Type",
    b"last-event-id": "Last-Event-ID",
}
VISIBLE_ASCII = re.compile(rb"^[\x20-\x7e\t]*$")
REQUEST_ID = re.compile(r"^[\x21-\x7e][\x20-\x7e]{0,127}$")


def header_problem(headers: Iterable[tuple[bytes, bytes]]) -> tuple[str, str] | None:
    """(header name, what is wrong) for the first bad header among those we read or forward, else None."""
    for raw_name, value in headers:
        name = CHECKED.get(raw_name.lower())
        if name is None:
            continue
        if not VISIBLE_ASCII.match(value):
            return name, f"{name} must be visible ASCII characters only"
        if name == "X-Request-Id" and not REQUEST_ID.match(value.decode()):
            return name, f"{name} must be 1-128 visible ASCII characters (no tab, not starting with a space)"
    return None
