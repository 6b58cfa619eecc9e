"""Pauses as the read model has them, with what is overdue and what is missing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.waves.evidence.build import utc
from services.waves.pauses.schemas import PauseStatus
from services.waves.plan.models import PauseRow
from services.waves.plan.views import program_row
from services.waves.programs.models import validated_playbook
from shared.auth import Principal


def _at(moment: datetime | None) -> datetime | None:
    return utc(moment) if moment else None


def pauses(engine: Engine, *, principal: Principal, program_id: str) -> list[PauseStatus]:
    """Every pause of the program, newest first."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        playbook = validated_playbook(program_row(session, principal, program_id))
        rows = session.exec(select(PauseRow).where(PauseRow.org == principal.org, PauseRow.program_id == program_id)
                            .order_by(col(PauseRow.paused_at).desc())).all()
    criteria = [c.key for c in playbook.rollback.restart_criteria]
    return [
        PauseStatus(
            pause_id=r.pause_id, scope=r.scope, wave=r.wave, location_id=r.location_id, gate=r.gate, reason=r.reason,
            paused_at=utc(r.paused_at), review_due_at=_at(r.review_due_at), review_held_at=_at(r.review_held_at),
            review_overdue=r.review_held_at is None and r.review_due_at is not None and utc(r.review_due_at) < now,
            root_cause=r.root_cause, remediation=r.remediation, remediation_due_at=_at(r.remediation_due_at),
            restart_criteria={c: r.criteria_met.get(c) for c in criteria},
            missing_criteria=[c for c in criteria if c not in r.criteria_met], resumed_at=_at(r.resumed_at),
        )
        for r in rows
    ]


def pause(engine: Engine, *, principal: Principal, program_id: str, pause_id: str) -> PauseStatus:
    """One pause."""
    return next(p for p in pauses(engine, principal=principal, program_id=program_id) if p.pause_id == pause_id)
