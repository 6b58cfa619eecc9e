"""The check every `/api/v1` request passes before any route runs, and the audit entry it leaves.

In order: a valid token (401), the caller's rate (429), an idle browser session
(401), a rule in the policy table (404/405), the rule's roles and scope (403). Audit
fails closed: a change is forwarded only once its `intent` entry is stored (else
503 `audit_unavailable`, nothing changed), and every answer's `outcome` entry is
stored before the response starts; a read whose entry cannot be stored is answered
503 instead. So nothing acknowledged goes unaudited. (A change whose outcome cannot
be stored after it happened is answered truthfully: its intent is on record.)
Requests without a valid token are logged, not chained: their org is unknown.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import nats.errors
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.access.ratelimit import TokenBuckets
from services.gateway.access.sessions import SessionIdle, SessionTracker
from services.gateway.audit.trail import AuditTrail, AuditUnavailable
from services.gateway.forwarding.api import relay
from shared.access.policy import API_PREFIX, Match, NoMatch, Policy, denial
from shared.auth import AuthError, AuthUnavailable, Principal, TokenVerifier, bearer_token
from shared.events import Metadata
from shared.http import error_response, unauthenticated
from shared.telemetry import current_traceparent

log = logging.getLogger(__name__)
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class Decision:
    """The edge's verdict: the rule that matched (if any) and, when refused, the answer to send."""

    match: Match | None
    refusal: Response | None = None
    reason: str | None = None


class Gatekeeper:
    """Everything the edge consults, built once the gateway is connected."""

    def __init__(
        self, *, policy: Policy, verifier: TokenVerifier, sessions: SessionTracker, buckets: TokenBuckets,
        trail: AuditTrail,
    ) -> None:
        self.policy, self.verifier, self.sessions, self.buckets = policy, verifier, sessions, buckets
        self.trail = trail

    async def authenticate(self, request: Request) -> Principal:
        token = bearer_token(request)
        if self.verifier.fetches_keys:  # a JWKS fetch blocks: keep it off the event loop
            return await asyncio.to_thread(self.verifier.verify, token)
        return self.verifier.verify(token)

    async def decide(self, request: Request, principal: Principal) -> Decision:
        wait = self.buckets.take(f"{principal.org}:{principal.subject}")
        if wait:
            limit = self.buckets
            message = f"rate limit of {limit.total_rate:g} requests/s (burst {limit.total_burst}) exceeded"
            refusal = error_response(429, "rate_limited", message, headers={"Retry-After": str(wait)})
            return Decision(None, refusal, message)
        try:
            await self.sessions.touch(principal)
        except SessionIdle as idle:
            return Decision(None, unauthenticated(str(idle)), str(idle))
        except (nats.errors.Error, TimeoutError) as error:
            message = f"session store unavailable ({type(error).__name__}); retry shortly"
            return Decision(None, error_response(503, "session_store_unavailable", message), message)
        raw_path = (request.scope.get("raw_path") or request.url.path.encode()).decode("latin-1").split("?")[0]
        found = self.policy.match(request.method, raw_path)
        if isinstance(found, NoMatch):
            return _no_route(request, found)
        reason = denial(found, principal)
        if reason:
            return Decision(found, error_response(403, "forbidden", reason), reason)
        return Decision(found)

    async def record(
        self, request: Request, principal: Principal, decision: Decision, status: int | None, *,
        phase: str = "outcome",
    ) -> None:
        """Chain the request's entry once stored; AuditUnavailable when it cannot be."""
        rule = decision.match.rule if decision.match else None
        request_id = getattr(request.state, "request_id", "")
        session = principal.session_id
        fields = {
            "time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "actor": principal.subject,
            "role": principal.role,
            "session": hashlib.sha256(session.encode()).hexdigest()[:16] if session else None,
            "method": request.method,
            "path": request.scope["path"],
            "route": rule.template if rule else None,
            "permission": rule.permission if rule else None,
            "target": rule.service if rule else None,
            "decision": "deny" if decision.refusal is not None else "allow",
            "phase": phase,
            "status": status,
            "reason": decision.reason,
            "request_id": request_id,
            "client": request.client.host if request.client else None,
        }
        actor = f"{principal.role}:{principal.subject}"
        meta = Metadata(correlation_id=request_id, traceparent=current_traceparent(), actor=actor)
        try:
            await self.trail.record(principal.org, fields, meta=meta)
        except AuditUnavailable as error:
            log.error("audit entry NOT recorded for org %s (%s): %s", principal.org, error, fields)
            raise


def audit_unavailable(error: AuditUnavailable) -> Response:
    message = f"the audit trail cannot record this request ({error}), so it is not carried out; retry shortly"
    return error_response(503, "audit_unavailable", message, headers={"Retry-After": "1"})


def _no_route(request: Request, found: NoMatch) -> Decision:
    if found.allowed:
        message = f"{request.method} is not allowed on {request.url.path}; allowed: {', '.join(found.allowed)}"
        refusal = error_response(405, "method_not_allowed", message, headers={"Allow": ", ".join(found.allowed)})
        return Decision(None, refusal, message)
    message = f"no route {request.method} {request.url.path}"
    return Decision(None, error_response(404, "not_found", message), message)


def is_api(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


class Edge:
    """ASGI middleware running the gatekeeper around every `/api/v1` request (streams pass through untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_api(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        gate: Gatekeeper | None = getattr(request.app.state, "gatekeeper", None)
        if gate is None:
            await error_response(503, "starting", "the gateway is starting")(scope, receive, send)
            return
        try:
            principal = await gate.authenticate(request)
        except AuthError as error:
            log.info("401 %s %s: %s", request.method, request.url.path, error)
            await unauthenticated(str(error))(scope, receive, send)
            return
        except AuthUnavailable as error:
            refusal = error_response(503, "auth_unavailable", str(error), headers={"Retry-After": "5"})
            await refusal(scope, receive, send)
            return
        request.state.principal = principal
        decision = await gate.decide(request, principal)
        if decision.refusal is not None:
            with contextlib.suppress(AuditUnavailable):  # refused either way; the failure is logged
                await gate.record(request, principal, decision, decision.refusal.status_code)
            await decision.refusal(scope, receive, send)
            return
        assert decision.match is not None
        request.state.rule = decision.match.rule
        if request.method in CHANGES:
            try:
                await gate.record(request, principal, decision, None, phase="intent")
            except AuditUnavailable as error:
                await audit_unavailable(error)(scope, receive, send)
                return
        await self._run(scope, receive, send, gate=gate, request=request, principal=principal, decision=decision)

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, *, gate: Gatekeeper, request: Request,
        principal: Principal, decision: Decision,
    ) -> None:
        recorded = withheld = False

        async def send_after_recording(message: Message) -> None:
            nonlocal recorded, withheld
            if withheld:  # the route's answer is dropped: a 503 went out in its place
                return
            if message["type"] == "http.response.start" and not recorded:
                recorded = True
                try:
                    await gate.record(request, principal, decision, message["status"])
                except AuditUnavailable as error:
                    if request.method not in CHANGES:  # a read changed nothing: refuse it rather than leave no trace
                        withheld = True
                        await audit_unavailable(error)(scope, receive, send)
                        return
            await send(message)

        # A rule of another service is relayed here; only the gateway's own routes need the app.
        inner = relay if decision.match and decision.match.rule.service != "gateway" else self.app
        try:
            await inner(scope, receive, send_after_recording)
        except Exception:
            if not recorded:
                with contextlib.suppress(AuditUnavailable):
                    await gate.record(request, principal, decision, 500)
            raise
