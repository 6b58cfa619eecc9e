"""Training test data: readiness locations and waves programs appended as their owners would."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI

from services.training.places.projections import LocationsProjection, ProgramsProjection
from shared.contracts.base import DomainEvent
from shared.contracts.readiness import LocationRegistered
from shared.contracts.waves import ProgramCreated
from shared.events import AggregateRef, Metadata, new_id
from shared.eventstore.jetstream import JetStreamEventStore
from shared.playbooks import get_template


async def _append(app: FastAPI, ref: AggregateRef, event: DomainEvent, projection: str) -> None:
    runtime = app.state.runtime
    store = JetStreamEventStore(runtime.nc)
    [stored] = await store.append(ref, [event.to_new_event()], expected=(await store.load(ref)).revision,
                                  meta=Metadata(actor="super_admin:test"))
    await runtime.runners[projection].wait_for(stored.sequence)


async def create_program(app: FastAPI, org: str, template: str = "softsmile-dso") -> str:
    program_id = new_id()
    event = ProgramCreated(program_id=program_id, name=f"{template} rollout", playbook_id=template,
                           playbook_version="1.0.0", start_date=date(2025, 1, 6),
                           playbook=get_template(template).model_dump(mode="json"), created_by="cdo")
    await _append(app, AggregateRef(org, "waves", "program", program_id), event, ProgramsProjection.name)
    return program_id


async def register_location(app: FastAPI, org: str, program_id: str | None, region: str = "north") -> str:
    location_id = new_id()
    event = LocationRegistered(location_id=location_id, name=f"Practice {location_id[-4:]}", region=region,
                               program_id=program_id)
    await _append(app, AggregateRef(org, "readiness", "location", location_id), event, LocationsProjection.name)
    return location_id
