"""Program HTTP routes: thin — schema -> command -> handler -> response."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response, status

from services.waves.playbooks.api import CatalogDep
from services.waves.programs import handlers, views
from services.waves.programs.domain import CreateProgram, OverridePlaybook
from services.waves.programs.overrides import Override
from services.waves.programs.projections import ProgramsProjection
from services.waves.programs.schemas import (
    OverrideEntry,
    OverridesApplied,
    PlaybookPatch,
    ProgramCreate,
    ProgramDetail,
    ProgramSummary,
)
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal
from shared.events import new_id

router = APIRouter(prefix="/api/v1/programs", tags=["programs"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProgramSummary)
async def create_program(
    body: ProgramCreate, response: Response, ctx: ContextDep, runtime: RuntimeDep, catalog: CatalogDep,
) -> ProgramSummary:
    """Starts a program from a playbook template; emits `ProgramCreated`."""
    template = catalog.get(body.playbook, field="playbook")
    command = CreateProgram(new_id(), body.name, template, body.start_date, created_by=ctx.principal.subject)
    outcome = await handlers.create_program(command, ctx)
    await read_your_writes(runtime, ProgramsProjection.name, outcome.position, response)
    response.headers["Location"] = f"/api/v1/programs/{outcome.state.id}"
    return await asyncio.to_thread(views.program_summary, runtime.engine, principal=ctx.principal,
                                   program_id=outcome.state.id)


@router.patch("/{program_id}/playbook", response_model=OverridesApplied)
async def override_playbook(
    program_id: str, body: PlaybookPatch, response: Response, ctx: ContextDep, runtime: RuntimeDep,
) -> OverridesApplied:
    """Overrides playbook values, re-validated as a whole; emits one `PlaybookOverridden` per changed value."""
    overrides = tuple(Override(o.path, o.value) for o in body.overrides)
    command = OverridePlaybook(program_id, overrides, body.reason, overridden_by=ctx.principal.subject)
    outcome = await handlers.override_playbook(command, ctx)
    await read_your_writes(runtime, ProgramsProjection.name, outcome.position, response)
    versions = [event.data["override_version"] for event in outcome.events]
    return await asyncio.to_thread(views.overrides_applied, runtime.engine, principal=ctx.principal,
                                   program_id=program_id, versions=versions)


@router.get("", response_model=list[ProgramSummary])
def list_programs(principal: CurrentPrincipal, engine: EngineDep) -> list[ProgramSummary]:
    """The caller's org's programs."""
    return views.list_programs(engine, principal=principal)


@router.get("/{program_id}", response_model=ProgramDetail)
def get_program(program_id: str, principal: CurrentPrincipal, engine: EngineDep) -> ProgramDetail:
    """One program: calendar of its phases and its effective playbook."""
    return views.get_program(engine, principal=principal, program_id=program_id)


@router.get("/{program_id}/playbook/history", response_model=list[OverrideEntry])
def playbook_history(program_id: str, principal: CurrentPrincipal, engine: EngineDep) -> list[OverrideEntry]:
    """Every override of the program's playbook: who, when, why, previous -> value."""
    return views.playbook_history(engine, principal=principal, program_id=program_id)
