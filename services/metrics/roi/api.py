"""ROI route: per metric of the playbook's ROI table, baseline vs current vs target with progress."""

from __future__ import annotations

import asyncio
from dataclasses import asdict

from fastapi import APIRouter
from pydantic import BaseModel

from services.metrics.baselines.views import values_of
from services.metrics.kpis.views import measure_locations
from services.metrics.locations import views as locations
from services.metrics.programs.lookup import playbook_for
from services.metrics.roi.domain import Weighted, roi_of
from shared.app import RuntimeDep
from shared.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1", tags=["metrics"])


class MetricRoiOut(BaseModel):
    metric: str
    label: str
    unit: str
    target: float
    horizon_days: int
    baseline: float | None
    baseline_source: str
    baseline_n: int
    current: float | None
    current_n: int
    progress_pct: float | None
    met: bool | None


class ProgramRoi(BaseModel):
    """The program's ROI table over the locations the caller may see (current: live locations only)."""

    program_id: str
    locations: int
    live_locations: int
    metrics: list[MetricRoiOut]


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
    table = []
    for target in playbook.metrics.roi_targets:
        baselines = [Weighted(b.value, b.sample_size or 1) for per in captured.values()
                     if (b := per.get(target.metric)) is not None]
        kpis = [m.values[target.metric] for m in live if target.metric in m.values]
        table.append(MetricRoiOut(**asdict(roi_of(target, baselines, kpis))))
    return ProgramRoi(program_id=program_id, locations=len(rows), live_locations=len(live), metrics=table)
