"""The location a request names and its program's playbook, known the moment their owners acknowledged them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from services.training.places.models import TrainingLocationRow, TrainingProgramRow, TrainingWaveRow
from services.training.places.projections import LocationsProjection, ProgramsProjection
from services.training.staff.domain import Place
from shared.errors import Conflict, NotFound
from shared.playbooks import PlaybookTemplate, get_template
from shared.playbooks.effective import effective_playbook
from shared.playbooks.training import Training
from shared.references import Reference, wait_until_known
from shared.runtime import Runtime

LOCATIONS = Reference(service="readiness", aggregate="location", projection=LocationsProjection.name)
PROGRAMS = Reference(service="waves", aggregate="program", projection=ProgramsProjection.name)
# The playbook of a location outside any program.
DEFAULT_PLAYBOOK = "softsmile-dso"


def _location(engine: Engine, org: str, location_id: str) -> TrainingLocationRow | None:
    with Session(engine) as session:
        return session.get(TrainingLocationRow, (org, location_id))


def _program(engine: Engine, org: str, program_id: str) -> TrainingProgramRow | None:
    with Session(engine) as session:
        return session.get(TrainingProgramRow, (org, program_id))


async def location_of(
    runtime: Runtime, org: str, location_id: str, *, field: str = "location_id"
) -> TrainingLocationRow:
    """The readiness location, waited for if readiness has it but our projection is behind; else 404."""
    row = await asyncio.to_thread(_location, runtime.engine, org, location_id)
    if row is None and await wait_until_known(runtime, LOCATIONS, org=org, aggregate_id=location_id):
        row = await asyncio.to_thread(_location, runtime.engine, org, location_id)
    if row is None:
        raise NotFound(f"location {location_id} not found", field=field)
    return row


async def program_known(runtime: Runtime, org: str, program_id: str) -> bool:
    """Whether waves has the program (waiting for our projection when it is behind)."""
    if await asyncio.to_thread(_program, runtime.engine, org, program_id) is not None:
        return True
    return await wait_until_known(runtime, PROGRAMS, org=org, aggregate_id=program_id)


async def playbook_of(runtime: Runtime, org: str, program_id: str | None) -> PlaybookTemplate:
    """The program's effective playbook (None: the default template), validated once per override version."""
    if program_id is None:
        return get_template(DEFAULT_PLAYBOOK)
    row = await asyncio.to_thread(_program, runtime.engine, org, program_id)
    if row is None and await wait_until_known(runtime, PROGRAMS, org=org, aggregate_id=program_id):
        row = await asyncio.to_thread(_program, runtime.engine, org, program_id)
    if row is None:
        raise Conflict(f"program {program_id} is not known to waves", field="program_id")
    found = row
    return effective_playbook(org, program_id, found.override_version, lambda: found.playbook)


async def place_of(runtime: Runtime, org: str, location_id: str) -> tuple[Place, Training]:
    """Where a command acts (location, region, program) and the training section of its playbook."""
    row = await location_of(runtime, org, location_id)
    playbook = await playbook_of(runtime, org, row.program_id)
    return Place(row.id, row.region, row.program_id), playbook.training


@dataclass(frozen=True, slots=True)
class Schedule:
    """Where a location stands on its program's calendar: the program's start and the location's wave."""

    start_date: date | None
    wave: str | None


def _schedule(engine: Engine, org: str, location_id: str, program_id: str | None) -> Schedule:
    with Session(engine) as session:
        program = session.get(TrainingProgramRow, (org, program_id)) if program_id else None
        planned = session.get(TrainingWaveRow, (org, location_id))
    return Schedule(program.start_date if program else None, planned.wave if planned else None)


async def schedule_of(runtime: Runtime, org: str, location_id: str, program_id: str | None) -> Schedule:
    """The program's start date and the location's wave, as training last learned them from waves."""
    return await asyncio.to_thread(_schedule, runtime.engine, org, location_id, program_id)
