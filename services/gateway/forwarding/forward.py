"""Forwarding one request to the service that owns it, and its answer back to the caller.

Only named headers cross the edge in either direction: a client cannot smuggle
hop-by-hop or internal headers to a service, and a service's internals (server,
cookies) never leak out. A service that is down or slow becomes a 503/504 with the
standard error body naming it, never a raw 500.
"""

from __future__ import annotations

from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
from fastapi import Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from opentelemetry.trace import SpanKind
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException

from services.gateway.config import GatewaySettings
from services.gateway.forwarding.transport import PooledTransport
from shared.http import REQUEST_ID, error_body
from shared.telemetry import child_span, current_traceparent

# Request headers a service needs; X-Request-Id and traceparent are set by the gateway itself.
FORWARDED = ("authorization", "content-type", "idempotency-key", "last-event-id", "accept")
# Response headers a client needs; X-Read-Model tells it a read model was still catching up.
RETURNED = (
    "location",
    "x-event-position",
    "x-read-model",
    "x-request-id",
    "retry-after",
    "content-type",
    "www-authenticate",
)
EVENT_STREAM = "text/event-stream"


def new_client(settings: GatewaySettings, transport: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
    """The client of the gateway's own calls to services (health, OpenAPI, composed views), on the same pool."""
    timeout = httpx.Timeout(settings.forward_timeout_s, connect=settings.connect_timeout_s)
    # A jar that keeps nothing: these calls act for many callers, and a kept cookie would go out with every one.
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False, cookies=no_cookies)


def new_transport() -> httpx.AsyncBaseTransport:
    """The connection pool to the services that every forwarded request shares."""
    return PooledTransport()


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` bytes (declared or streamed)."""
    message = f"request body exceeds the gateway limit of {limit} bytes"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, message)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:  # chunked uploads declare no length; count as we go
            raise HTTPException(413, message)
    return bytes(body)


def outbound_headers(request: Request) -> dict[str, str]:
    """The caller's headers a service needs, plus the request id and the gateway's trace context."""
    headers = {name: value for name in FORWARDED if (value := request.headers.get(name)) is not None}
    headers[REQUEST_ID] = getattr(request.state, "request_id", None) or request.headers.get(REQUEST_ID, "")
    traceparent = current_traceparent()
    if traceparent:
        headers["traceparent"] = traceparent
    return headers


def upstream_error(service: str, error: httpx.TransportError) -> JSONResponse:
    """503 when the service cannot be reached, 504 when it did not answer in time."""
    reason = type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        body = error_body("gateway_timeout", f"{service} service did not answer in time ({reason})", service=service)
        return JSONResponse(body, status_code=504)
    body = error_body("service_unavailable", f"{service} service is unavailable ({reason})", service=service)
    return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})


def _target(request: Request, base_url: str) -> str:
    # The raw path keeps the caller's percent-encoding (an id with %2F stays one segment).
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.url.query
    return base_url + raw_path.decode("latin-1") + (f"?{query}" if query else "")


def _answer(upstream: httpx.Response, response: Response) -> Response:
    for name, value in upstream.headers.multi_items():
        if name.lower() in RETURNED:
            response.headers.append(name, value)
    return response


async def forward(
    request: Request, *, transport: httpx.AsyncBaseTransport, service: str, base_url: str, settings: GatewaySettings
) -> Response:
    """Send the request to `service` and relay its status, body and the returned headers.

    Straight to the transport, not through an `httpx.AsyncClient`: the client's request building,
    auth flow and cookie jar were ~10 % of a forwarded GET's CPU, and its jar would have kept a
    cookie one service set and sent it on every later caller's requests.
    """
    body = await read_body(request, settings.max_body_bytes)
    streaming = EVENT_STREAM in request.headers.get("accept", "")
    # An event stream is quiet between events: only connecting is bounded, not reading.
    read_timeout = None if streaming else settings.forward_timeout_s
    timeout = httpx.Timeout(settings.forward_timeout_s, connect=settings.connect_timeout_s, read=read_timeout)
    with child_span(f"{request.method} {service}", kind=SpanKind.CLIENT) as span:
        span.set_attribute("dso.downstream", service)
        outbound = httpx.Request(request.method, _target(request, base_url), headers=outbound_headers(request),
                                 content=body, extensions={"timeout": timeout.as_dict()})
        # The service's only proof that the edge's checks passed: a credential for exactly this request.
        request.app.state.internal.sign(outbound, request.state.principal)
        try:
            upstream = await transport.handle_async_request(outbound)
        except httpx.TransportError as error:
            span.set_attribute("error.type", type(error).__name__)
            return upstream_error(service, error)
        span.set_attribute("http.response.status_code", upstream.status_code)
        if upstream.headers.get("content-type", "").startswith(EVENT_STREAM):
            relay = StreamingResponse(
                upstream.aiter_bytes(), status_code=upstream.status_code, background=BackgroundTask(upstream.aclose)
            )
            return _answer(upstream, relay)
        try:
            content = await upstream.aread()
        except httpx.TransportError as error:
            return upstream_error(service, error)
        finally:
            await upstream.aclose()
    return _answer(upstream, Response(content=content, status_code=upstream.status_code))
