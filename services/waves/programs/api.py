"""Programme HTTP routes: thin — schema -> handler -> response."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from services.waves.playbooks.api import CatalogDep
from services.waves.programs import handlers, views
from services.waves.programs.projections import ProgramsProjection
from services.waves.programs.schemas import (
    OverrideEntry,
    OverridesApplied,
    PlaybookPatch,
    ProgramCreate,
    ProgramDetail,
    ProgramSummary,
)
from shared.app import EngineDep, RuntimeDep, StoreDep, command_metadata, read_your_writes
from shared.auth import CurrentPrincipal
from shared.commands import Outcome
from shared.runtime import Runtime

router = APIRouter(prefix="/api/v1/programs", tags=["programs"])


async def _settled(runtime: Runtime, outcome: Outcome[Any], response: Response) -> None:
    await read_your_writes(runtime, ProgramsProjection.name, outcome.position, response)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProgramSummary)
async def create_program(
    body: ProgramCreate, request: Request, response: Response, principal: CurrentPrincipal,
    store: StoreDep, runtime: RuntimeDep, catalog: CatalogDep,
) -> ProgramSummary:
    """Starts a programme from a playbook template; emits `ProgramCreated`."""
    meta = command_metadata(request, principal, "CreateProgram")
    outcome = await handlers.create_program(store, principal=principal, meta=meta, catalog=catalog, **body.model_dump())
    await _settled(runtime, outcome, response)
    response.headers["Location"] = f"/api/v1/programs/{outcome.state.id}"
    return ProgramSummary.from_event(outcome.events[0])


@router.patch("/{program_id}/playbook", response_model=OverridesApplied)
async def override_playbook(
    program_id: str, body: PlaybookPatch, request: Request, response: Response,
    principal: CurrentPrincipal, store: StoreDep, runtime: RuntimeDep,
) -> OverridesApplied:
    """Overrides playbook values, re-validated as a whole; emits one `PlaybookOverridden` per changed value."""
    meta = command_metadata(request, principal, "OverridePlaybook")
    outcome = await handlers.override_playbook(
        store, principal=principal, meta=meta, program_id=program_id, **body.model_dump()
    )
    await _settled(runtime, outcome, response)
    entries = [OverrideEntry.from_event(event) for event in outcome.events]
    return OverridesApplied(program_id=program_id, override_count=outcome.state.override_count, overrides=entries)


@router.get("", response_model=list[ProgramSummary])
def list_programs(principal: CurrentPrincipal, engine: EngineDep) -> list[ProgramSummary]:
    """The caller's org's programmes."""
    return views.list_programs(engine, principal=principal)


@router.get("/{program_id}", response_model=ProgramDetail)
def get_program(program_id: str, principal: CurrentPrincipal, engine: EngineDep) -> ProgramDetail:
    """One programme: calendar of its phases and its effective playbook."""
    return views.get_program(engine, principal=principal, program_id=program_id)


@router.get("/{program_id}/playbook/history", response_model=list[OverrideEntry])
def playbook_history(program_id: str, principal: CurrentPrincipal, engine: EngineDep) -> list[OverrideEntry]:
    """Every override of the programme's playbook: who, when, why, previous -> value."""
    return views.playbook_history(engine, principal=principal, program_id=program_id)
