"""Lineage route: who trained whom in a program, with each trainer's champion status."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from services.training.lineage import views
from services.training.lineage.schemas import Lineage
from services.training.places.lookup import program_known
from shared.app import EngineDep, RuntimeDep
from shared.auth import CurrentPrincipal
from shared.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["training"])


@router.get("/programs/{program_id}/training/lineage", response_model=Lineage)
async def program_lineage(program_id: str, principal: CurrentPrincipal, runtime: RuntimeDep,
                          engine: EngineDep) -> Lineage:
    """Trainer -> attendee tree of the program's completions (the caller's locations), oldest first."""
    if not await program_known(runtime, principal.org, program_id):
        raise NotFound(f"program {program_id} not found", field="program_id")
    return await asyncio.to_thread(views.lineage, engine, principal=principal, program_id=program_id)
