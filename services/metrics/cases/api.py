"""Case routes for sources without webhooks: submit a case at a location, record its steps, read it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request, Response, status

from services.metrics.cases import handlers, views
from services.metrics.cases.domain import OpenCase, RecordStep
from services.metrics.cases.models import CaseRow
from services.metrics.cases.projections import CasesProjection
from services.metrics.cases.pseudonyms import identity, org_key, patient_key
from services.metrics.cases.schemas import CaseCreate, CaseEventOut, CasePublic, StepIn
from services.metrics.config import MetricsSettings
from services.metrics.locations.lookup import location_for
from shared.access import require
from shared.app import ContextDep, RuntimeDep, StoreDep, read_your_writes
from shared.auth import CurrentPrincipal, Principal
from shared.errors import NotFound
from shared.events import new_id
from shared.runtime import Runtime

router = APIRouter(prefix="/api/v1", tags=["metrics"])
CATCH_UP_S = 5.0


def _settings(request: Request) -> MetricsSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


@router.post("/locations/{location_id}/cases", status_code=status.HTTP_201_CREATED, response_model=CasePublic)
async def create_case(
    location_id: str, body: CaseCreate, request: Request, response: Response, ctx: ContextDep, runtime: RuntimeDep,
    store: StoreDep,
) -> CasePublic:
    """Records a submitted case (`CaseCreated`); the patient is kept only as a pseudonymous key."""
    require(ctx.principal, "cases:record")
    location = await location_for(runtime, ctx.principal, location_id)
    settings = _settings(request)
    who = identity(**body.patient.model_dump())
    key = patient_key(org_key(request.app.state.patient_secret, ctx.principal.org), who)
    command = OpenCase(new_id(), location.id, location.program_id, key, body.submitted_at, datetime.now(UTC),
                       timedelta(seconds=settings.clock_skew_s), ctx.principal.subject, body.source,
                       body.provider_id, body.external_case_id, region=location.region)
    outcome = await handlers.open_case(command, ctx)
    await read_your_writes(runtime, CasesProjection.name, outcome.position, response)
    response.headers["Location"] = f"/api/v1/cases/{outcome.state.id}"
    return await case_out(runtime, store, ctx.principal, outcome.state.id)


@router.post("/cases/{case_id}/events", response_model=CasePublic)
async def record_step(
    case_id: str, body: StepIn, request: Request, response: Response, ctx: ContextDep, runtime: RuntimeDep,
    store: StoreDep,
) -> CasePublic:
    """Records one lifecycle step at the source's time (and `CaseProcessed` once the plan is approved)."""
    require(ctx.principal, "cases:record")
    row = await visible_case(runtime, ctx.principal, case_id)
    location = await location_for(runtime, ctx.principal, row.location_id)
    command = RecordStep(case_id, body.type, body.occurred_at, datetime.now(UTC),
                         timedelta(seconds=_settings(request).clock_skew_s), ctx.principal.subject, body.source,
                         body.source_event_id, body.critical_issue, body.details(), region=location.region)
    outcome = await handlers.record_step(command, ctx)
    await read_your_writes(runtime, CasesProjection.name, outcome.position, response)
    return await case_out(runtime, store, ctx.principal, case_id)


@router.get("/cases/{case_id}", response_model=CasePublic)
async def get_case(case_id: str, principal: CurrentPrincipal, runtime: RuntimeDep, store: StoreDep) -> CasePublic:
    """One case: its facts by source time, the planning verdict and every event."""
    return await case_out(runtime, store, principal, case_id)


async def visible_case(runtime: Runtime, principal: Principal, case_id: str) -> CaseRow:
    """The case if it exists and its location is in the caller's scope, else 404."""
    row = await asyncio.to_thread(views.find, runtime.engine, org=principal.org, case_id=case_id)
    if row is None and await runtime.caught_up(CasesProjection.name, timeout=CATCH_UP_S):
        row = await asyncio.to_thread(views.find, runtime.engine, org=principal.org, case_id=case_id)
    if row is None:
        raise NotFound(f"case {case_id} not found", field="case_id")
    await location_for(runtime, principal, row.location_id)
    return row


async def case_out(runtime: Runtime, store: StoreDep, principal: Principal, case_id: str) -> CasePublic:
    row = await visible_case(runtime, principal, case_id)
    events = (await store.load(handlers.case_ref(principal.org, case_id))).events
    turnaround = None
    if row.submitted_at and row.approved_at:
        turnaround = round((row.approved_at - row.submitted_at).total_seconds() / 3600, 2)
    return CasePublic.model_validate(row.model_dump() | {"turnaround_hours": turnaround, "events": [
        CaseEventOut(version=e.version, type=e.type, occurred_at=e.data.get("occurred_at"), recorded_at=e.time,
                     data=e.data) for e in events]})
