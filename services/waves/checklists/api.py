"""Checklist routes: the program's checklists with progress; tick, set not applicable or reopen an item."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Response
from sqlmodel import Session

from services.waves.checklists import views
from services.waves.checklists.domain import UpdateChecklistItem, checklist_of
from services.waves.checklists.projections import ChecklistsProjection
from services.waves.checklists.schemas import ChecklistItemBody, ChecklistsView
from services.waves.plan.domain import plan
from services.waves.plan.handlers import plan_ref
from services.waves.plan.views import placed
from shared.access import require, require_scope
from shared.aggregates import execute
from shared.app import ContextDep, EngineDep, RuntimeDep, read_your_writes
from shared.auth import CurrentPrincipal

router = APIRouter(prefix="/api/v1/programs", tags=["checklists"])


@router.get("/{program_id}/checklists", response_model=ChecklistsView)
def get_checklists(program_id: str, principal: CurrentPrincipal, engine: EngineDep) -> ChecklistsView:
    """Every checklist of the program's playbook with its items' status (per-location ones: the caller's
    locations), due dates, and progress per phase."""
    return views.checklists_view(engine, principal=principal, program_id=program_id)


@router.patch("/{program_id}/checklists/{checklist}/items/{item}", response_model=ChecklistsView)
async def update_item(program_id: str, checklist: str, item: str, body: ChecklistItemBody, response: Response,
                      ctx: ContextDep, runtime: RuntimeDep) -> ChecklistsView:
    """Records an item's status (`ChecklistItemUpdated`): program items by org admins, a location's by its
    managers (scope checked on the location's region)."""

    def inputs() -> tuple[object, dict[str, str]]:
        with Session(runtime.engine) as session:
            found = placed(session, ctx.principal, program_id)
        return found.playbook, {r.location_id: r.region for r in found.rows.values()}

    playbook, regions = await asyncio.to_thread(inputs)
    kept = checklist_of(playbook, checklist)  # type: ignore[arg-type]
    require(ctx.principal, "checklists:update")
    if kept.per == "program":
        require(ctx.principal, "checklists:update-program")
    elif body.location_id in regions:
        require_scope(ctx.principal, region=regions[body.location_id], location_id=body.location_id,
                      permission="checklists:update")
    command = UpdateChecklistItem(program_id, checklist, item, body.location_id, body.status, body.note,
                                  body.evidence_url, playbook, frozenset(regions),  # type: ignore[arg-type]
                                  updated_by=ctx.principal.subject, at=datetime.now(UTC))
    outcome = await execute(ctx, plan_ref(ctx.principal.org, program_id), plan, command)
    await read_your_writes(runtime, ChecklistsProjection.name, outcome.position, response)
    return await asyncio.to_thread(views.checklists_view, runtime.engine, principal=ctx.principal,
                                   program_id=program_id)
