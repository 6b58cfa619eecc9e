"""Curricula route: the program's training as its playbook defines it (curricula, scheduled sessions, materials)."""

from __future__ import annotations

from fastapi import APIRouter

from services.training.places.lookup import playbook_of, program_known
from shared.app import RuntimeDep
from shared.auth import CurrentPrincipal
from shared.errors import NotFound
from shared.playbooks.training import Training

router = APIRouter(prefix="/api/v1", tags=["training"])


@router.get("/programs/{program_id}/training/curricula", response_model=Training)
async def program_curricula(program_id: str, principal: CurrentPrincipal, runtime: RuntimeDep) -> Training:
    """Role curricula with their outlines, the champion program and certification, scheduled sessions by week."""
    if not await program_known(runtime, principal.org, program_id):
        raise NotFound(f"program {program_id} not found", field="program_id")
    return (await playbook_of(runtime, principal.org, program_id)).training
