"""Waves test data: other services' contract events appended as their producers would."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from shared.contracts.base import DomainEvent
from shared.contracts.metrics import BaselineCaptured, KpiValue, LocationKpisMeasured
from shared.contracts.readiness import LocationRegistered, LocationScored, PilotSetConfirmed
from shared.contracts.training import LocationTrainingStatusChanged
from shared.contracts.waves import IncidentOpened
from shared.events import AggregateRef, Metadata, new_id
from shared.eventstore.jetstream import JetStreamEventStore
from shared.playbooks import get_template
from tests.conftest import bearer

FACTORS = ("it_infrastructure", "staff_adaptability", "patient_volume", "tech_stack", "champion")
WAVE_BY_COMPOSITE = ((20, "wave-1"), (15, "wave-2"), (12, "wave-3"), (0, "remediation"))


async def publish(app: FastAPI, org: str, service: str, aggregate: str, aggregate_id: str, event: DomainEvent,
                  *, projection: str) -> int:
    """Append `event` to its producer's stream and wait until `projection` (of the waves app) has it."""
    runtime = app.state.runtime
    store = JetStreamEventStore(runtime.nc)
    ref = AggregateRef(org, service, aggregate, aggregate_id)
    [stored] = await store.append(ref, [event.to_new_event()], expected=(await store.load(ref)).revision,
                                  meta=Metadata(actor=f"system:{service}-test"))
    await runtime.runners[projection].wait_for(stored.sequence)
    return stored.sequence


async def create_program(client: AsyncClient, auth: dict[str, str], playbook: str = "softsmile-dso",
                         start: str = "2025-09-01") -> str:
    created = await client.post("/api/v1/programs", json={"name": f"{playbook} rollout", "playbook": playbook,
                                                           "start_date": start}, headers=auth)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def scored_location(app: FastAPI, org: str, program_id: str, name: str, composite: int,
                          *, region: str = "north", location_id: str | None = None) -> str:
    """Register and score a location as readiness would (the composite spread over the five factors)."""
    location_id = location_id or new_id()
    await publish(app, org, "readiness", "location", location_id,
                  LocationRegistered(location_id=location_id, name=name, region=region, program_id=program_id),
                  projection="waves-candidates")
    base, extra = divmod(composite, 5)
    scores = {f: base + (1 if i < extra else 0) for i, f in enumerate(FACTORS)}
    wave = next(w for floor, w in WAVE_BY_COMPOSITE if composite >= floor)
    level = "high" if composite >= 20 else "medium_high" if composite >= 15 else "medium" if composite >= 12 else "low"
    await publish(app, org, "readiness", "location", location_id,
                  LocationScored(location_id=location_id, scores=scores, composite=composite, level=level,
                                 recommended_wave=wave, assessor="assessor", program_id=program_id),
                  projection="waves-candidates")
    return location_id


async def confirm_pilot(app: FastAPI, org: str, program_id: str, location_ids: list[str]) -> None:
    await publish(app, org, "readiness", "pilotset", program_id,
                  PilotSetConfirmed(program_id=program_id, location_ids=location_ids, confirmed_by="rm",
                                    differs_from_proposal=False),
                  projection="waves-candidates")


async def baseline(app: FastAPI, org: str, program_id: str, location_id: str, metric: str, value: float,
                   n: int = 40) -> int:
    return await publish(app, org, "metrics", "baseline", location_id, BaselineCaptured(
        location_id=location_id, program_id=program_id, metric=metric, value=value, unit="number",
        period_start=date(2025, 8, 1), period_end=date(2025, 8, 31), source="manual", captured_by="analyst",
        sample_size=n), projection="waves-evidence-metrics")


async def kpis(app: FastAPI, org: str, program_id: str, location_id: str, values: dict[str, tuple[Any, int, str]],
               *, sequences: tuple[int, int] = (1, 100)) -> int:
    measured = {k: KpiValue(value=v, n=n, window=w) for k, (v, n, w) in values.items()}
    return await publish(app, org, "metrics", "location", location_id, LocationKpisMeasured(
        location_id=location_id, program_id=program_id, as_of=datetime.now(UTC), values=measured,
        first_sequence=sequences[0], last_sequence=sequences[1]), projection="waves-evidence-metrics")


async def training(app: FastAPI, org: str, program_id: str, location_id: str, trained: int, total: int) -> int:
    return await publish(app, org, "training", "location", location_id, LocationTrainingStatusChanged(
        program_id=program_id, location_id=location_id, staff_total=total, staff_trained=trained,
        completion_pct=100.0 * trained / total, as_of=datetime.now(UTC)), projection="waves-evidence-training")


async def incident(app: FastAPI, org: str, program_id: str, location_id: str, severity: int,
                   category: str = "integration") -> int:
    incident_id = new_id()
    return await publish(app, org, "waves", "incident", incident_id, IncidentOpened(
        incident_id=incident_id, program_id=program_id, location_id=location_id, kind="incident",
        severity=severity, category=category, description="scans will not import", opened_at=datetime.now(UTC)),
        projection="waves-incidents-v2")


def as_role(token: Any, org: str, role: str, **scope: tuple[str, ...]) -> dict[str, str]:
    return bearer(token(org, role, **scope))


async def pre_implementation_done(client: AsyncClient, auth: dict[str, str], program_id: str,
                                  playbook: str = "softsmile-dso") -> None:
    """Every gating program-level pre-implementation item ticked done over HTTP, as the central team would."""
    for checklist in (c for c in get_template(playbook).checklists if c.gates_wave_1 and c.per == "program"):
        for item in checklist.items:
            done = await client.patch(f"/api/v1/programs/{program_id}/checklists/{checklist.key}/items/{item.key}",
                                      json={"status": "done"}, headers=auth)
            assert done.status_code == 200, done.text
