"""Metrics test data: other services' events appended as their producers would (programs, locations, go-lives)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from services.metrics.app import projections
from services.metrics.locations.projections import LocationsProjection
from services.metrics.programs.projections import ProgramsProjection
from shared.contracts.base import DomainEvent
from shared.contracts.readiness import LocationRegistered
from shared.contracts.waves import ProgramCreated
from shared.events import AggregateRef, Metadata, NewEvent, new_id
from shared.eventstore.jetstream import JetStreamEventStore
from shared.playbooks import get_template
from tests import rebuild


async def append(app: FastAPI, ref: AggregateRef, event: DomainEvent | NewEvent, projection: str) -> int:
    """Append one event of another service and wait until `projection` has applied it."""
    runtime = app.state.runtime
    store = JetStreamEventStore(runtime.nc)
    new = event if isinstance(event, NewEvent) else event.to_new_event()
    [stored] = await store.append(ref, [new], expected=(await store.load(ref)).revision,
                                  meta=Metadata(actor="super_admin:test"))
    await runtime.runners[projection].wait_for(stored.sequence)
    return stored.sequence


async def create_program(app: FastAPI, org: str, template: str = "softsmile-dso") -> str:
    """`ProgramCreated` as waves appends it."""
    program_id = new_id()
    event = ProgramCreated(
        program_id=program_id, name=f"{template} rollout", playbook_id=template, playbook_version="1.0.0",
        start_date=date(2025, 1, 6), playbook=get_template(template).model_dump(mode="json"), created_by="cdo",
    )
    await append(app, AggregateRef(org, "waves", "program", program_id), event, ProgramsProjection.name)
    return program_id


async def register_location(app: FastAPI, org: str, name: str, region: str, program_id: str | None) -> str:
    """`LocationRegistered` as readiness appends it."""
    location_id = new_id()
    event = LocationRegistered(location_id=location_id, name=name, region=region, program_id=program_id)
    await append(app, AggregateRef(org, "readiness", "location", location_id), event, LocationsProjection.name)
    return location_id


async def went_live(app: FastAPI, org: str, program_id: str, location_id: str, day: date) -> None:
    """Waves' `LocationWentLive` (by its contract's field names)."""
    data: dict[str, Any] = {"program_id": program_id, "location_id": location_id, "wave": "wave-1",
                            "date": day.isoformat(), "recorded_by": "rm"}
    event = NewEvent(type="LocationWentLive", data=data)
    await append(app, AggregateRef(org, "waves", "plan", program_id), event, ProgramsProjection.name)


async def rebuild_all(app: FastAPI) -> None:
    """Rebuild every metrics read model from its stream's start (checking the rows come out the same)."""
    await rebuild.rebuilt_alike(app, projections())


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every metrics read model, in a stable order."""
    return rebuild.snapshot(engine, projections())
