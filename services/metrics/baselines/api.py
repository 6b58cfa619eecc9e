"""Baseline routes: capture over HTTP or CSV, a location's baseline, a program's completeness."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import UTC, date, datetime

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from services.metrics.baselines import handlers, views
from services.metrics.baselines.derive import derived_entries
from services.metrics.baselines.domain import CaptureBaseline, Entry
from services.metrics.baselines.projections import BaselinesProjection
from services.metrics.baselines.schemas import (
    BaselineCapture,
    BaselineImportReport,
    BaselineValue,
    ImportedBaseline,
    LocationBaseline,
    LocationCompleteness,
    MetricDefinition,
    ProgramBaselines,
)
from services.metrics.baselines.spreadsheet import named_locations
from services.metrics.cases.views import cases_of
from services.metrics.kpis.views import facts
from services.metrics.locations import views as locations
from services.metrics.locations.lookup import location_for
from services.metrics.locations.projections import LocationsProjection
from services.metrics.programs.lookup import playbook_for
from services.metrics.programs.views import go_lives
from shared.access import require
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal, Principal
from shared.errors import DomainError
from shared.http import error_body
from shared.playbooks import PlaybookTemplate
from shared.uploads import csv_text

router = APIRouter(prefix="/api/v1", tags=["metrics"])
CATCH_UP_S = 5.0
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}}
IMPORT_DOC = """Captures baseline values from CSV (UTF-8, header row first): `location_id, metric, value,
period_start, period_end` and optionally `sample_size`; `source` is recorded as `csv`.

**All or nothing**: every row is checked as a capture over HTTP would be (the metric belongs to the
location's program's baseline set, the value fits its unit, the period is past and within the lookback).
If any row is invalid nothing is captured and the answer is 422 with `error.rejected` (line, field, reason).
"""


@router.post("/baselines/import", status_code=status.HTTP_201_CREATED, response_model=BaselineImportReport,
             description=IMPORT_DOC, openapi_extra=CSV_BODY)
async def import_baselines(
    request: Request, response: Response, ctx: ContextDep, runtime: RuntimeDep,
) -> BaselineImportReport | JSONResponse:
    """Captures baselines of many locations from CSV, all or nothing."""
    require(ctx.principal, "baselines:capture")
    text = await csv_text(request)
    await runtime.caught_up(LocationsProjection.name, timeout=CATCH_UP_S)  # locations readiness just registered
    rows = await asyncio.to_thread(locations.by_ids, runtime.engine, org=ctx.principal.org,
                                   ids=named_locations(text))
    programs = {row.program_id for row in rows.values()}
    playbooks = {p: await playbook_for(runtime, ctx.principal.org, p) for p in programs}
    known = {i: handlers.ImportLocation(r.region, r.program_id, playbooks[r.program_id].metrics.baseline.metrics)
             for i, r in rows.items()}
    result = await handlers.import_baselines(handlers.ImportBaselines(text, known, _today()), ctx)
    if result.rejected:
        total = len(result.rows) + len(result.rejected)
        body = error_body("import_rejected", f"{len(result.rejected)} of {total} rows rejected; nothing was imported",
                          "body", rejected=[asdict(r) for r in result.rejected])
        return JSONResponse(body, status_code=422)
    await read_your_writes(runtime, BaselinesProjection.name, result.position, response)
    return BaselineImportReport(imported=len(result.rows), rows=[
        ImportedBaseline(line=r.line, location_id=r.location_id, metric=r.entry.metric) for r in result.rows
    ])


@router.put("/locations/{location_id}/baseline", response_model=LocationBaseline)
async def capture_baseline(
    location_id: str, body: BaselineCapture, response: Response, ctx: ContextDep, runtime: RuntimeDep,
) -> LocationBaseline:
    """Captures one or more baseline metrics of a location; emits `BaselineCaptured` per changed metric."""
    require(ctx.principal, "baselines:capture")
    location = await location_for(runtime, ctx.principal, location_id)
    playbook = await playbook_for(runtime, ctx.principal.org, location.program_id)
    entries = [Entry(m.metric, m.value, m.period_start, m.period_end, m.sample_size) for m in body.metrics]
    command = CaptureBaseline(location.id, location.program_id, entries, playbook.metrics.baseline.metrics,
                              source=body.source, captured_by=ctx.principal.subject, today=_today(),
                              region=location.region)
    outcome = await handlers.capture_baseline(command, ctx)
    await read_your_writes(runtime, BaselinesProjection.name, outcome.position, response)
    return await asyncio.to_thread(location_baseline, runtime.engine, ctx.principal.org, location_id,
                                   location.program_id, playbook)


@router.post("/locations/{location_id}/baseline/derive", response_model=LocationBaseline)
async def derive_baseline(location_id: str, response: Response, ctx: ContextDep,
                         runtime: RuntimeDep) -> LocationBaseline:
    """Captures what the location's case events before go-live give (source `derived`, n as the sample size)."""
    require(ctx.principal, "baselines:capture")
    location = await location_for(runtime, ctx.principal, location_id)
    playbook = await playbook_for(runtime, ctx.principal.org, location.program_id)
    engine, org = runtime.engine, ctx.principal.org
    live = await asyncio.to_thread(go_lives, engine, org=org, location_ids=[location.id])
    until = live[location.id].date if location.id in live else _today()
    cases = (await asyncio.to_thread(cases_of, engine, org=org, location_ids=[location.id]))[location.id]
    plan = playbook.metrics.baseline
    entries = derived_entries([facts(c) for c in cases], plan.metrics, until=until, week_one=plan.capture == "week_1",
                              acceptance_within_days=playbook.metrics.acceptance_within_days)
    if not entries:
        raise DomainError(f"no case events before {until} give any of the baseline metrics "
                          f"({', '.join(m.key for m in plan.metrics)})", field="location_id")
    command = CaptureBaseline(location.id, location.program_id, entries, plan.metrics, source="derived",
                              captured_by=ctx.principal.subject, today=_today(), region=location.region)
    outcome = await handlers.capture_baseline(command, ctx)
    await read_your_writes(runtime, BaselinesProjection.name, outcome.position, response)
    return await asyncio.to_thread(location_baseline, engine, org, location_id, location.program_id, playbook)


@router.get("/locations/{location_id}/baseline", response_model=LocationBaseline)
async def get_baseline(location_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> LocationBaseline:
    """A location's baseline: the program's metric set, the values that stand and the metrics still missing."""
    location = await location_for(runtime, principal, location_id)
    playbook = await playbook_for(runtime, principal.org, location.program_id)
    return await asyncio.to_thread(location_baseline, runtime.engine, principal.org, location_id,
                                   location.program_id, playbook)


@router.get("/programs/{program_id}/baselines", response_model=ProgramBaselines)
async def program_baselines(
    program_id: str, principal: CurrentPrincipal, runtime: RuntimeDep, engine: EngineDep,
) -> ProgramBaselines:
    """Baseline completeness of a program: per location in the caller's scope, which metrics it lacks."""
    playbook = await playbook_for(runtime, principal.org, program_id)
    return await asyncio.to_thread(completeness, engine, principal, program_id, playbook)


def location_baseline(
    engine: Engine, org: str, location_id: str, program_id: str | None, playbook: PlaybookTemplate,
) -> LocationBaseline:
    plan = playbook.metrics.baseline
    values = views.values_of(engine, org=org, location_ids=[location_id])[location_id]
    keys = [m.key for m in plan.metrics]
    missing = [k for k in keys if k not in values]
    return LocationBaseline(
        location_id=location_id, program_id=program_id, capture=plan.capture,
        metrics=[MetricDefinition.of(m) for m in plan.metrics],
        values=[BaselineValue.model_validate(values[k], from_attributes=True) for k in keys if k in values],
        missing=missing, complete=not missing,
    )


def completeness(engine: Engine, principal: Principal, program_id: str, playbook: PlaybookTemplate) -> ProgramBaselines:
    plan = playbook.metrics.baseline
    keys = [m.key for m in plan.metrics]
    rows = locations.program_locations(engine, principal=principal, program_id=program_id)
    values = views.values_of(engine, org=principal.org, location_ids=[r.id for r in rows])
    out = []
    for row in rows:
        captured = [k for k in keys if k in values[row.id]]
        missing = [k for k in keys if k not in values[row.id]]
        out.append(LocationCompleteness(location_id=row.id, name=row.name, captured=captured, missing=missing,
                                        complete=not missing))
    return ProgramBaselines(program_id=program_id, metrics=[MetricDefinition.of(m) for m in plan.metrics],
                            locations=out, complete_locations=sum(o.complete for o in out), total_locations=len(out))


def _today() -> date:
    return datetime.now(UTC).date()
