"""Read-side queries for programs, always scoped to the caller's org (every role of it may read)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from services.waves.programs.models import OverrideRow, ProgramRow, validated_playbook
from services.waves.programs.schemas import OverrideEntry, OverridesApplied, ProgramDetail, ProgramSummary
from shared.auth import Principal
from shared.errors import NotFound
from shared.playbooks.schedule import calendar


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _summary(row: ProgramRow) -> ProgramSummary:
    return ProgramSummary(
        id=row.id, name=row.name, playbook_id=row.playbook_id, playbook_version=row.playbook_version,
        start_date=row.start_date, override_count=row.override_count, created_by=row.created_by,
        created_at=_utc(row.created_at), updated_at=_utc(row.updated_at), version=row.version,
    )


def _row(session: Session, principal: Principal, program_id: str) -> ProgramRow:
    query = select(ProgramRow).where(ProgramRow.org == principal.org, ProgramRow.id == program_id)
    row = session.exec(query).first()
    if row is None:
        raise NotFound(f"program {program_id} not found", field="program_id")
    return row


def list_programs(engine: Engine, *, principal: Principal) -> list[ProgramSummary]:
    """The org's programs, oldest first."""
    query = (
        select(ProgramRow)
        .options(defer(ProgramRow.playbook))  # type: ignore[arg-type]  # ~40 kB of JSON a row the list does not show
        .where(ProgramRow.org == principal.org)
        .order_by(col(ProgramRow.created_at), col(ProgramRow.id))
    )
    with Session(engine) as session:
        return [_summary(row) for row in session.exec(query).all()]


def program_summary(engine: Engine, *, principal: Principal, program_id: str) -> ProgramSummary:
    """One program without its calendar and playbook (a command's answer)."""
    with Session(engine) as session:
        return _summary(_row(session, principal, program_id))


def overrides_applied(
    engine: Engine, *, principal: Principal, program_id: str, versions: list[int]
) -> OverridesApplied:
    """What one PATCH changed, as the read model has it: the overrides with these versions."""
    history = playbook_history(engine, principal=principal, program_id=program_id)
    with Session(engine) as session:
        count = _row(session, principal, program_id).override_count
    wanted = set(versions)
    return OverridesApplied(program_id=program_id, override_count=count,
                            overrides=[e for e in history if e.override_version in wanted])


def get_program(engine: Engine, *, principal: Principal, program_id: str) -> ProgramDetail:
    """One program with its calendar and effective playbook."""
    with Session(engine) as session:
        row = _row(session, principal, program_id)
    playbook = validated_playbook(row)
    dates = calendar(playbook, row.start_date)
    return ProgramDetail(
        **_summary(row).model_dump(),
        end_date=dates.end_date,
        total_weeks=dates.total_weeks,
        phases=list(dates.phases),
        playbook=playbook,
    )


def playbook_history(engine: Engine, *, principal: Principal, program_id: str) -> list[OverrideEntry]:
    """Every override of the program's playbook, in the order they were made."""
    with Session(engine) as session:
        _row(session, principal, program_id)
        query = (
            select(OverrideRow)
            .where(OverrideRow.org == principal.org, OverrideRow.program_id == program_id)
            .order_by(col(OverrideRow.override_version))
        )
        rows = session.exec(query).all()
    return [
        OverrideEntry(**row.model_dump(exclude={"event_id", "program_id", "org", "overridden_at"}),
                      overridden_at=_utc(row.overridden_at))
        for row in rows
    ]
