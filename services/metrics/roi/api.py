"""ROI route: per metric of the playbook's ROI table, baseline vs current vs target with progress."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import iterate_in_threadpool

from services.metrics.baselines.models import BaselineRow
from services.metrics.baselines.views import values_of
from services.metrics.cases.views import cases_of
from services.metrics.kpis.views import facts, measure_locations
from services.metrics.locations import views as locations
from services.metrics.locations.models import LocationRow
from services.metrics.programs.lookup import playbook_for
from services.metrics.programs.views import go_lives
from services.metrics.roi.benchmarks import BenchmarkResult, LiveLocation, benchmark_results
from services.metrics.roi.domain import MetricRoi, SetRoiAssumptions, Weighted, roi_assumptions, roi_of, weighted
from services.metrics.roi.models import RoiAssumptionsRow
from services.metrics.roi.money import Assumptions, Money, per_month
from services.metrics.roi.projections import RoiProjection
from services.metrics.roi.report import COLUMNS, LocationMonth, report_rows
from services.metrics.roi.targets import targets_of
from shared.access import require
from shared.aggregates import execute
from shared.app import ContextDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal
from shared.csvout import csv_lines
from shared.events import AggregateRef
from shared.playbooks import PlaybookTemplate

router = APIRouter(prefix="/api/v1", tags=["metrics"])


class AssumptionsBody(BaseModel):
    """Money assumptions of the program (None: the default - the locations' captured baselines, where any)."""

    model_config = ConfigDict(extra="forbid")

    provider_hourly_rate: float | None = Field(default=None, ge=0, le=10_000)
    platform_cost_per_plan: float | None = Field(default=None, ge=0, le=100_000)
    revenue_per_case: float | None = Field(default=None, ge=0, le=1_000_000)
    cost_per_plan: float | None = Field(default=None, ge=0, le=100_000)


class ProgramRoi(BaseModel):
    """The program's ROI table, money per month and day-N benchmarks over the caller's (live) locations."""

    program_id: str
    locations: int
    live_locations: int
    metrics: list[MetricRoi]
    assumptions: AssumptionsBody
    money_per_month: list[Money]
    total_per_month: float
    benchmarks: list[BenchmarkResult]


@router.get("/programs/{program_id}/roi", response_model=ProgramRoi)
async def program_roi(program_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> ProgramRoi:
    """Baseline (measured before go-live, else the playbook's) vs current (live locations' KPIs) vs target."""
    playbook = await playbook_for(runtime, principal.org, program_id)
    rows = await asyncio.to_thread(locations.program_locations, runtime.engine, principal=principal,
                                   program_id=program_id)
    measured = await asyncio.to_thread(measure_locations, runtime.engine, org=principal.org, locations=rows)
    live = [m for m in measured if m.went_live]
    captured = await asyncio.to_thread(values_of, runtime.engine, org=principal.org,
                                       location_ids=[r.id for r in rows])

    def baselines(metric: str) -> list[Weighted]:
        return [Weighted(b.value, b.sample_size or 1) for per in captured.values()
                if (b := per.get(metric)) is not None]

    table = []
    for target in targets_of(playbook, lambda metric: weighted(baselines(metric))):
        kpis = [m.values[target.metric] for m in live if target.metric in m.values]
        table.append(roi_of(target, baselines(target.metric), kpis))
    row = await asyncio.to_thread(assumptions_of, runtime.engine, org=principal.org, program_id=program_id)
    assumed = Assumptions(**row.model_dump(include=set(AssumptionsBody.model_fields))) if row else Assumptions()
    money = [per_month(
        m.location.id, baselines={k: b.value for k, b in captured.get(m.location.id, {}).items()},
        current={k: float(v.value) for k, v in m.values.items()
                 if isinstance(v.value, int | float) and not isinstance(v.value, bool)},
        assumptions=assumed) for m in live]
    benchmarks = await asyncio.to_thread(program_benchmarks, runtime.engine, org=principal.org, playbook=playbook,
                                         rows=[m.location for m in live], captured=captured)
    return ProgramRoi(program_id=program_id, locations=len(rows), live_locations=len(live), metrics=table,
                      assumptions=AssumptionsBody(**asdict(assumed)), money_per_month=money,
                      total_per_month=round(sum(m.total for m in money), 2),
                      benchmarks=benchmarks)


def program_benchmarks(engine: Engine, *, org: str, playbook: PlaybookTemplate, rows: list[LocationRow],
                       captured: dict[str, dict[str, BaselineRow]]) -> list[BenchmarkResult]:
    """The playbook's day-N benchmarks for each live location."""
    ids = [r.id for r in rows]
    cases, live = cases_of(engine, org=org, location_ids=ids), go_lives(engine, org=org, location_ids=ids)
    places = [LiveLocation(r.id, live[r.id].wave, live[r.id].date, [facts(c) for c in cases[r.id]],
                           {k: (b.value, b.sample_size or 1) for k, b in captured.get(r.id, {}).items()})
              for r in rows if r.id in live]
    return benchmark_results(playbook.metrics.benchmarks, places, now=datetime.now(UTC),
                             acceptance_within_days=playbook.metrics.acceptance_within_days)


def assumptions_of(engine: Engine, *, org: str, program_id: str) -> RoiAssumptionsRow | None:
    with Session(engine) as session:
        return session.get(RoiAssumptionsRow, (org, program_id))


@router.put("/programs/{program_id}/roi/assumptions", response_model=AssumptionsBody)
async def set_assumptions(program_id: str, body: AssumptionsBody, response: Response, ctx: ContextDep,
                          runtime: RuntimeDep) -> AssumptionsBody:
    """Sets the program's money assumptions (`RoiAssumptionsSet`); a field left out returns to its default."""
    await playbook_for(runtime, ctx.principal.org, program_id)
    require(ctx.principal, "roi:assume")
    command = SetRoiAssumptions(program_id, ctx.principal.subject, **body.model_dump())
    outcome = await execute(ctx, AggregateRef(ctx.principal.org, "metrics", "roi", program_id), roi_assumptions,
                            command)
    await read_your_writes(runtime, RoiProjection.name, outcome.position, response)
    return body


@router.get("/programs/{program_id}/reports/monthly.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
async def monthly_report(program_id: str, principal: CurrentPrincipal, runtime: RuntimeDep,
                         month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                                     description="YYYY-MM")]) -> StreamingResponse:
    """Per location of the caller's scope, the month's case volume, approvals and KPIs of the cases submitted in
    it, as CSV."""
    playbook = await playbook_for(runtime, principal.org, program_id)
    first = date.fromisoformat(f"{month}-01")
    rows = await asyncio.to_thread(locations.program_locations, runtime.engine, principal=principal,
                                   program_id=program_id)
    ids = [r.id for r in rows]
    cases = await asyncio.to_thread(cases_of, runtime.engine, org=principal.org, location_ids=ids)
    live = await asyncio.to_thread(go_lives, runtime.engine, org=principal.org, location_ids=ids)
    places = [LocationMonth(r.id, r.name, r.region, live[r.id].date if r.id in live else None,
                            [facts(c) for c in cases[r.id]]) for r in rows]
    lines = csv_lines(COLUMNS, report_rows(first, places,
                                           acceptance_within_days=playbook.metrics.acceptance_within_days))
    return StreamingResponse(iterate_in_threadpool(lines), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="monthly-{program_id}-{month}.csv"'})
