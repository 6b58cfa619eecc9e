"""Scoring routes: an assessment, the live scoring with its reasons, a re-score, the requirements checklist."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response

from services.readiness.api.common import caught_up, org_playbooks, settled
from services.readiness.domain.scorings import playbook_for
from services.readiness.handlers import locations as handlers
from services.readiness.schemas.reports import Checklist
from services.readiness.schemas.scoring import AssessmentIn, AssessmentOut, ScoringOut
from services.readiness.scoring import evaluate
from services.readiness.views import locations as views
from services.readiness.views.scoring import checklist_out, factor_out, scoring_out
from shared.app import EngineDep, RuntimeDep, StoreDep, command_metadata
from shared.auth import CurrentPrincipal

router = APIRouter()


@router.put("/locations/{location_id}/assessment", response_model=AssessmentOut)
async def assess_location(
    location_id: str, body: AssessmentIn, request: Request, response: Response,
    principal: CurrentPrincipal, store: StoreDep, runtime: RuntimeDep,
) -> AssessmentOut:
    """Scores the five factors, each entered (1-5) or "derived" from facts; emits `LocationScored`."""
    meta = command_metadata(request, principal, "ScoreLocation")
    playbooks = await org_playbooks(runtime, principal.org)
    outcome = await handlers.assess_location(
        store, principal=principal, meta=meta, playbooks=playbooks, location_id=location_id,
        entries=body.scores.model_dump(), assessor=body.assessor, reason=body.reason,
        reasons={str(k): v for k, v in body.reasons.items()},
    )
    await settled(runtime, outcome, response)
    state, event = outcome.state, outcome.events[-1]
    live = evaluate(playbook_for(playbooks, state.program_id).readiness, state.rule_facts, state.entered)
    return AssessmentOut(
        location_id=location_id, assessor=body.assessor, method=event.data["method"], version=event.version,
        factors=[factor_out(r) for r in live.factors],
        **{k: event.data[k] for k in ("scores", "composite", "level", "recommended_wave")},
    )


@router.get("/locations/{location_id}/scoring", response_model=ScoringOut)
async def location_scoring(
    location_id: str, principal: CurrentPrincipal, engine: EngineDep, runtime: RuntimeDep
) -> ScoringOut:
    """Each factor now: its score (entered or derived), the rubric row matched, what the next score needs."""
    row = await asyncio.to_thread(views.get_location, engine, principal=principal, location_id=location_id)
    return scoring_out(row, await org_playbooks(runtime, principal.org, needs=row.program_id))


@router.post("/locations/{location_id}/rescore", response_model=ScoringOut)
async def rescore_location(
    location_id: str, request: Request, response: Response, principal: CurrentPrincipal,
    store: StoreDep, runtime: RuntimeDep, engine: EngineDep,
) -> ScoringOut:
    """Re-derives against the programme's current playbook (after overrides); emits `LocationScored` if changed."""
    meta = command_metadata(request, principal, "RescoreLocation")
    playbooks = await org_playbooks(runtime, principal.org)
    outcome = await handlers.rescore_location(store, principal=principal, meta=meta, playbooks=playbooks,
                                              location_id=location_id)
    await (settled(runtime, outcome, response) if outcome.events else caught_up(runtime, response))
    row = await asyncio.to_thread(views.get_location, engine, principal=principal, location_id=location_id)
    return scoring_out(row, playbooks)


@router.get("/locations/{location_id}/requirements", response_model=Checklist)
async def location_requirements(
    location_id: str, principal: CurrentPrincipal, engine: EngineDep, runtime: RuntimeDep
) -> Checklist:
    """The programme template's technical requirements: pass / fail / unknown per item, with the gap."""
    row = await asyncio.to_thread(views.get_location, engine, principal=principal, location_id=location_id)
    return checklist_out(row, await org_playbooks(runtime, principal.org, needs=row.program_id))
