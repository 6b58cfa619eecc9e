"""`POST /webhooks/{source}[/{integration_id}]`: no bearer token — the Standard Webhooks signature is the
credential.

Refused, with nothing stored: a missing or malformed header (400), a timestamp more than five minutes
off (401), an unknown source or integration or a signature that matches none of its valid secrets —
the current one, and the previous one during a rotation's overlap (401). A verified delivery is
appended to DSO_INTAKE and acknowledged by JetStream before the answer, 202; processing is
asynchronous (metrics). `webhook-id` is the idempotency key: the same delivery again within the
stream's duplicate window is not stored twice, and metrics records one effect per webhook id.
Each accepted delivery leaves an audit entry in the integration's org chain.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.gateway.audit.trail import AuditUnavailable
from services.gateway.intake.projection import Verifiable, WebhookIntegrationsProjection, candidates
from shared.contracts.gateway import WebhookReceived, delivery_ref
from shared.db import on_engine
from shared.events import Metadata, record
from shared.eventstore.base import StoreUnavailable
from shared.http import error_response
from shared.runtime import Runtime
from shared.webhooks import DeliveryRefused, envelope, integration_secret, verify

log = logging.getLogger(__name__)
router = APIRouter(tags=["webhooks"])
MAX_CANDIDATES = 50
_ERROR = {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "object"}}}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"description": "Verified and stored (JetStream-acknowledged); `duplicate` when this webhook-id was "
                         "stored already"},
    400: {"description": "A Standard Webhooks header is missing or malformed, or the body is not UTF-8",
          "content": _ERROR},
    401: {"description": "Stale or future timestamp (over 5 minutes), unknown source or integration, or no "
                         "valid signature", "content": _ERROR},
    413: {"description": "The body is larger than the gateway accepts", "content": _ERROR},
    503: {"description": "Not stored or not audited: send again (one effect per webhook-id)", "content": _ERROR},
}
CATCH_UP_S = 1.0


def _secrets(key: bytes, row: Verifiable, now: datetime) -> list[str]:
    ids = [row.secret_id]
    until = row.previous_valid_until
    if row.previous_secret_id and until is not None and (until.replace(tzinfo=UTC) if until.tzinfo is None
                                                         else until) > now:
        ids.append(row.previous_secret_id)
    return [integration_secret(key, org=row.org, integration_id=row.id, secret_id=i) for i in ids]


async def _integrations(runtime: Runtime, source: str, integration_id: str | None) -> list[Verifiable]:
    found = await on_engine(runtime.engine, candidates, source=source, integration_id=integration_id,
                            limit=MAX_CANDIDATES)
    if not found and await runtime.caught_up(WebhookIntegrationsProjection.name, timeout=CATCH_UP_S):
        found = await on_engine(runtime.engine, candidates, source=source, integration_id=integration_id,
                                limit=MAX_CANDIDATES)
    if not found:
        raise DeliveryRefused(401, f"no integration {integration_id or ''} of source {source} is registered".replace(
            "  ", " "), field="integration_id" if integration_id else "source")
    if len(found) > MAX_CANDIDATES:
        raise DeliveryRefused(400, f"source {source} has many integrations: post to /webhooks/{source}/"
                              "<integration_id>", field="integration_id")
    return found


async def _accept(request: Request, source: str, integration_id: str | None) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    now = datetime.now(UTC)
    body = await request.body()
    if len(body) > request.app.state.settings.max_body_bytes:
        raise DeliveryRefused(413, "the body is larger than the gateway accepts", field="body")
    try:
        body.decode()
    except UnicodeDecodeError:
        raise DeliveryRefused(400, "the body must be UTF-8 (JSON)", field="body") from None
    headers = {k.lower(): v for k, v in request.headers.items()}
    delivery = envelope(headers, now=now)  # before any secret is tried
    key: bytes = request.app.state.webhook_key
    for row in await _integrations(runtime, source, integration_id):
        try:
            verify(_secrets(key, row, now), headers, body, now=now)
        except DeliveryRefused:
            continue
        duplicate = await _append(request, row, delivery.webhook_id, delivery.timestamp, now, body, headers)
        return JSONResponse({"status": "accepted", "webhook_id": delivery.webhook_id, "integration_id": row.id,
                             "duplicate": duplicate}, status_code=202)
    raise DeliveryRefused(401, "webhook-signature does not match the integration's secret", field="webhook-signature")


async def _append(request: Request, row: Verifiable, webhook_id: str, stamp: datetime, now: datetime,
                  body: bytes, headers: dict[str, str]) -> bool:
    runtime: Runtime = request.app.state.runtime
    ref = delivery_ref(row.org, row.id)
    event = WebhookReceived(integration_id=row.id, source=row.source, webhook_id=webhook_id, webhook_timestamp=stamp,
                            received_at=now, content_type=headers.get("content-type"), body=body.decode())
    meta = Metadata(correlation_id=getattr(request.state, "request_id", None), actor=f"integration:{row.id}")
    [recorded] = record(ref, [event.to_new_event()], version=0, meta=meta)
    message_id = hashlib.sha256(f"{row.org}\x1f{row.id}\x1f{webhook_id}".encode()).hexdigest()[:40]
    try:
        ack = await runtime.nc.jetstream().publish(recorded.subject, recorded.payload(),
                                                   headers=recorded.headers() | {"Nats-Msg-Id": message_id})
    except Exception as error:
        raise StoreUnavailable(f"intake append: {type(error).__name__}") from error
    gate = getattr(request.app.state, "gatekeeper", None)
    if gate is not None:
        await gate.trail.record(row.org, {
            "time": now.isoformat().replace("+00:00", "Z"), "actor": f"integration:{row.id}", "role": "integration",
            "method": "POST", "path": request.url.path,
            "route": "POST /webhooks/{source}", "permission": "webhooks:deliver", "target": "intake",
            "decision": "allow", "status": 202,
            "reason": f"webhook {webhook_id}" + (" (duplicate)" if ack.duplicate else ""),
            "request_id": getattr(request.state, "request_id", None) or recorded.id, "client": None,
        }, meta=meta)
    return bool(ack.duplicate)


async def _answer(request: Request, source: str, integration_id: str | None) -> JSONResponse:
    try:
        return await _accept(request, source, integration_id)
    except DeliveryRefused as refused:
        log.info("webhook refused: %s %s (%s)", source, integration_id or "-", refused.reason)
        return error_response(refused.status, "webhook_refused", refused.reason, field=refused.field)
    except AuditUnavailable as error:  # stored, but not audited: the sender retries (one effect per webhook id)
        return error_response(503, "audit_unavailable", f"the delivery could not be audited: {error}",
                              headers={"Retry-After": "1"})


@router.post("/webhooks/{source}", status_code=202, responses=RESPONSES)
async def receive(source: str, request: Request) -> JSONResponse:
    """A delivery from `source`, verified against that source's integrations (the signature picks one)."""
    return await _answer(request, source, None)


@router.post("/webhooks/{source}/{integration_id}", status_code=202, responses=RESPONSES)
async def receive_for(source: str, integration_id: str, request: Request) -> JSONResponse:
    """A delivery for one integration (the URL its registration gave)."""
    return await _answer(request, source, integration_id)
