"""Checklist queries: every checklist of the program with its items' status, progress per phase."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, select

from services.waves.checklists.domain import CLOSED
from services.waves.checklists.models import ChecklistItemRow
from services.waves.checklists.schemas import ChecklistState, ChecklistsView, ItemState, PhaseProgress
from services.waves.plan.views import placed
from shared.access import in_scope
from shared.auth import Principal
from shared.playbooks.schedule import week_end


def statuses(session: Session, program_id: str) -> dict[tuple[str, str, str], ChecklistItemRow]:
    """The latest row of every item, by (checklist, item, location or "")."""
    rows = session.exec(select(ChecklistItemRow).where(ChecklistItemRow.program_id == program_id)).all()
    return {(r.checklist, r.item, r.location_id): r for r in rows}


def checklists_view(engine: Engine, *, principal: Principal, program_id: str) -> ChecklistsView:
    with Session(engine) as session:
        plan = placed(session, principal, program_id)
        found = statuses(session, program_id)
    visible = sorted(r.location_id for r in plan.rows.values()
                     if in_scope(principal, region=r.region, location_id=r.location_id))
    start, out, phases = plan.program.start_date, [], {p.key: [0, 0] for p in plan.playbook.phases}
    for checklist in plan.playbook.checklists:
        items, done, total = [], 0, 0
        for item in checklist.items:
            state = ItemState(key=item.key, label=item.label, vendor_action=item.vendor_action, source=item.source)
            if checklist.per == "program":
                row = found.get((checklist.key, item.key, ""))
                state.status = row.status if row else "open"  # type: ignore[assignment]
                if row:
                    state.note, state.evidence_url = row.note, row.evidence_url
                    state.updated_by, state.updated_at = row.updated_by, row.updated_at
                total, done = total + 1, done + (state.status in CLOSED)
            else:
                for location_id in visible:
                    row = found.get((checklist.key, item.key, location_id))
                    state.locations[location_id] = row.status if row else "open"  # type: ignore[assignment]
                total += len(visible)
                done += sum(1 for s in state.locations.values() if s in CLOSED)
            items.append(state)
        phases[checklist.phase][0] += done
        phases[checklist.phase][1] += total
        out.append(ChecklistState(
            key=checklist.key, label=checklist.label, phase=checklist.phase, per=checklist.per, owner=checklist.owner,
            due_week=checklist.due_week, due_date=week_end(start, checklist.due_week) if checklist.due_week else None,
            gates_wave_1=checklist.gates_wave_1, hours=checklist.hours, applies_to=checklist.applies_to,
            source=checklist.source, done=done, total=total, items=items,
        ))
    progress = [PhaseProgress(phase=key, done=d, total=t, pct=round(100.0 * d / t, 1) if t else None)
                for key, (d, t) in phases.items() if t]
    return ChecklistsView(program_id=program_id, phases=progress, checklists=out)
