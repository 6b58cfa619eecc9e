"""CORS for the frontends' origins, answering a refused preflight with the one error body."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from shared.http import error_response

# What a browser script may send and read: our request headers in, our response headers out.
ALLOW_HEADERS = ["authorization", "content-type", "idempotency-key", "last-event-id", "x-request-id", "traceparent"]
EXPOSE_HEADERS = ["x-request-id", "location", "x-event-position", "x-read-model", "retry-after", "www-authenticate"]


class Cors(CORSMiddleware):
    """Starlette's CORS, except that a refused preflight says why in JSON like every other error."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = bytes(response.body).decode() or "CORS preflight refused"
        keep = {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-") or k == "vary"}
        return error_response(response.status_code, "cors_rejected", reason, headers=keep)
