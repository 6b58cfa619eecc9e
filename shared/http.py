"""The HTTP edge of every service: one error shape, request ids, trace context.

Every error body is `{"error": {"code", "message", "field"?}}` so frontends handle
failures one way, whichever service produced them.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opentelemetry import context as otel_context
from opentelemetry import trace
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import AuthError, AuthUnavailable, Forbidden
from shared.errors import DomainError
from shared.events import InvalidSubjectToken, new_id
from shared.eventstore.base import ConcurrencyConflict, StoreUnavailable
from shared.headers import header_problem
from shared.telemetry import continued_trace

log = logging.getLogger(__name__)
REQUEST_ID = "x-request-id"
HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
}


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    error.update(extra)
    return {"error": error}


def error_response(
    status: int, code: str, message: str, *, field: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The one error body as a response, for middleware that answers before any route runs."""
    return JSONResponse(error_body(code, message, field), status_code=status, headers=headers)


def http_error(exc: StarletteHTTPException) -> JSONResponse:
    """A framework HTTP error (404, 405, 413 ...) in the one error body."""
    code = HTTP_CODES.get(exc.status_code, "http_error")
    return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers)


def unauthenticated(reason: str) -> JSONResponse:
    """401 with the reason, in the body and in `WWW-Authenticate` (RFC 6750)."""
    quoted = reason.replace("\\", "").replace('"', "'")
    headers = {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{quoted}"'}
    return error_response(401, "unauthenticated", reason, headers=headers)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install_error_handlers(app: FastAPI) -> None:
    """Map domain and framework errors to the one error body."""

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"field": _field(e["loc"]), "message": e["msg"], "type": e["type"]} for e in exc.errors()]
        first = problems[0] if problems else {"field": "body", "message": "invalid request"}
        message = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        body = error_body("validation_error", message, first["field"], details=problems)
        return JSONResponse(body, status_code=422)

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = getattr(exc, "headers", None)  # e.g. Retry-After on a 409 in_progress
        return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=exc.status, headers=headers)

    @app.exception_handler(ConcurrencyConflict)
    async def _conflict(_: Request, exc: ConcurrencyConflict) -> JSONResponse:
        message = f"{exc}; reload and retry"
        return JSONResponse(error_body("concurrent_modification", message), status_code=409)

    @app.exception_handler(StoreUnavailable)
    async def _unavailable(_: Request, exc: StoreUnavailable) -> JSONResponse:
        message = f"event store unavailable ({exc}); retry with the same Idempotency-Key"
        return JSONResponse(error_body("store_unavailable", message), status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(AuthError)
    async def _unauthenticated(_: Request, exc: AuthError) -> JSONResponse:
        return unauthenticated(str(exc))

    @app.exception_handler(AuthUnavailable)
    async def _auth_unavailable(_: Request, exc: AuthUnavailable) -> JSONResponse:
        return error_response(503, "auth_unavailable", str(exc), headers={"Retry-After": "5"})

    @app.exception_handler(Forbidden)
    async def _forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse(error_body("forbidden", str(exc)), status_code=403)

    @app.exception_handler(InvalidSubjectToken)
    async def _bad_token(_: Request, exc: InvalidSubjectToken) -> JSONResponse:
        return JSONResponse(error_body("invalid_identifier", str(exc)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return http_error(exc)

    # Registered on Starlette's outermost error middleware: even a crash answers with the one error body.
    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        request_id = getattr(request.state, "request_id", None) or request.headers.get(REQUEST_ID, "")
        log.exception("unhandled error on %s %s (request %s)", request.method, request.url.path, request_id)
        message = f"internal error; quote request id {request_id} when reporting it"
        return JSONResponse(error_body("internal_error", message), status_code=500, headers={REQUEST_ID: request_id})


class RequestContext:
    """Pure ASGI middleware: each request gets an id, echoed back and recorded on the request's server span.

    The id is the caller's `X-Request-Id` or a new one, kept in `request.state.request_id`.
    Pure ASGI rather than `@app.middleware("http")`: Starlette's BaseHTTPMiddleware runs
    the app in a task group and relays the response through a memory stream, which
    cost ~10 % of a small GET's CPU, and buffers nothing we need here.
    """

    def __init__(self, app: ASGIApp, *, continue_trace: bool = False) -> None:
        self.app, self.continue_trace = app, continue_trace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = header_problem(scope["headers"])
        if problem is not None:  # an unreadable header is the caller's error, never a 500 further in
            name, message = problem
            refusal = error_response(400, "invalid_header", message, field=name, headers={REQUEST_ID: new_id()})
            await refusal(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = headers.get(REQUEST_ID) or new_id()
        # Request.state reads scope["state"] (uvicorn puts the lifespan state there: add, never replace).
        scope.setdefault("state", {})["request_id"] = request_id
        trace.get_current_span().set_attribute("dso.request_id", request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", ()))
                MutableHeaders(scope=message)[REQUEST_ID] = request_id
            await send(message)

        if not self.continue_trace:
            await self.app(scope, receive, send_with_id)
            return
        token = otel_context.attach(continued_trace(headers.get("traceparent")))
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            otel_context.detach(token)


def install_request_context(app: FastAPI, *, continue_trace: bool = False) -> None:
    """Give each request an id, echoed back and recorded on the request's server span.

    While spans are exported, FastAPI's native OpenTelemetry support opens the server
    span and continues the caller's `traceparent`; we only add our request id to it.
    Otherwise (`continue_trace`) the request runs in a context that carries the
    caller's trace on, for log lines, events and forwarded calls.
    """
    app.add_middleware(RequestContext, continue_trace=continue_trace)
