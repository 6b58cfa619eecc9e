"""Pilot routes under a programme: the live proposal, recording it, confirming a set.

The gateway routes exactly `/api/v1/programs/{program_id}/pilot-proposal` and `/pilot-set` here;
the rest of `/api/v1/programs` belongs to the waves service.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import Engine

from services.readiness.api.common import org_playbooks, settled
from services.readiness.domain.scorings import playbook_for
from services.readiness.handlers import pilots as handlers
from services.readiness.pilots import Candidate
from services.readiness.projections import PilotSetsProjection
from services.readiness.schemas.pilots import PilotSetIn, PilotSetOut, ProposalOut
from services.readiness.views.locations import program_candidates
from services.readiness.views.pilots import proposal_out
from services.readiness.views.programs import get_program
from shared.app import EngineDep, RuntimeDep, StoreDep, command_metadata
from shared.auth import CurrentPrincipal, require_role
from shared.playbooks import PilotSelection
from shared.runtime import Runtime

router = APIRouter()
VIEW = {"super_admin", "executive", "regional_admin"}


@router.get("/programs/{program_id}/pilot-proposal", response_model=ProposalOut)
async def pilot_proposal(
    program_id: str, principal: CurrentPrincipal, engine: EngineDep, runtime: RuntimeDep
) -> ProposalOut:
    """2-3 proposed pilots with a reason per pick and per rule, or what blocks a valid set; plus the confirmed set."""
    require_role(principal, VIEW, "pilots:view")
    await org_playbooks(runtime, principal.org, needs=program_id)
    return await asyncio.to_thread(proposal_out, engine, org=principal.org, program_id=program_id)


@router.post("/programs/{program_id}/pilot-proposal", status_code=status.HTTP_201_CREATED,
             response_model=ProposalOut)
async def record_pilot_proposal(
    program_id: str, request: Request, response: Response, principal: CurrentPrincipal,
    store: StoreDep, runtime: RuntimeDep, engine: EngineDep,
) -> ProposalOut:
    """Records the current proposal as `PilotSetProposed` (the advice on the record for other systems)."""
    meta = command_metadata(request, principal, "ProposePilotSet")
    selection, candidates = await _programme(runtime, engine, principal.org, program_id)
    outcome = await handlers.propose_pilot_set(store, principal=principal, meta=meta, program_id=program_id,
                                               selection=selection, candidates=candidates)
    await settled(runtime, outcome, response, PilotSetsProjection.name)
    return await asyncio.to_thread(proposal_out, engine, org=principal.org, program_id=program_id)


@router.post("/programs/{program_id}/pilot-set", status_code=status.HTTP_201_CREATED, response_model=PilotSetOut)
async def confirm_pilot_set(
    program_id: str, body: PilotSetIn, request: Request, response: Response, principal: CurrentPrincipal,
    store: StoreDep, runtime: RuntimeDep, engine: EngineDep,
) -> PilotSetOut:
    """A regional admin confirms the pilots (as proposed or changed); emits `PilotSetConfirmed`."""
    meta = command_metadata(request, principal, "ConfirmPilotSet")
    selection, candidates = await _programme(runtime, engine, principal.org, program_id)
    outcome = await handlers.confirm_pilot_set(store, principal=principal, meta=meta, program_id=program_id,
                                               selection=selection, candidates=candidates, **body.model_dump())
    await settled(runtime, outcome, response, PilotSetsProjection.name)
    event = outcome.events[-1]
    return PilotSetOut(version=event.version, **{k: event.data[k] for k in PilotSetOut.model_fields if k != "version"})


async def _programme(
    runtime: Runtime, engine: Engine, org: str, program_id: str
) -> tuple[PilotSelection, list[Candidate]]:
    """The programme's pilot-selection rules and its locations as candidates (404 if not the org's)."""
    playbooks = await org_playbooks(runtime, org, needs=program_id)
    await asyncio.to_thread(get_program, engine, org=org, program_id=program_id)
    candidates = await asyncio.to_thread(program_candidates, engine, org=org, program_id=program_id)
    return playbook_for(playbooks, program_id).pilot_selection, candidates
