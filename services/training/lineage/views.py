"""Lineage query: the program's completions in the caller's scope, grouped by trainer."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.training.champions.models import ChampionRow
from services.training.lineage.domain import Taught
from services.training.lineage.schemas import Lineage, Trained, TrainerNode
from services.training.places.models import TrainingWaveRow
from services.training.places.views import visible_locations
from services.training.sessions.models import CompletionRow
from services.training.staff.models import StaffRow
from shared.auth import Principal


def lineage(engine: Engine, *, principal: Principal, program_id: str) -> Lineage:
    org = principal.org
    with Session(engine) as session:
        locations = visible_locations(session, principal, program_id)
        completions = session.exec(select(CompletionRow).where(
            CompletionRow.org == org, col(CompletionRow.location_id).in_(locations)
        ).order_by(col(CompletionRow.completed_at), col(CompletionRow.staff_id))).all()
        people = {c.staff_id for c in completions} | {c.trainer_staff_id for c in completions if c.trainer_staff_id}
        names = {s.id: s for s in session.exec(select(StaffRow).where(StaffRow.org == org,
                                                                      col(StaffRow.id).in_(people))).all()}
        champions = {(c.staff_id, c.location_id): c for c in session.exec(select(ChampionRow).where(
            ChampionRow.org == org, col(ChampionRow.staff_id).in_(people))).all()}
        waves = dict(session.exec(select(TrainingWaveRow.location_id, TrainingWaveRow.wave).where(
            TrainingWaveRow.org == org, TrainingWaveRow.program_id == program_id)).all())
    nodes: dict[tuple[str | None, str | None], TrainerNode] = {}
    for done in completions:
        key = (done.trainer_staff_id, done.trainer_location_id)
        node = nodes.get(key)
        if node is None:
            trainer = names.get(done.trainer_staff_id or "")
            champion = champions.get((done.trainer_staff_id or "", done.trainer_location_id or ""))
            node = nodes[key] = TrainerNode(
                staff_id=done.trainer_staff_id, name=trainer.name if trainer else None,
                location_id=done.trainer_location_id, wave=waves.get(done.trainer_location_id or ""),
                certified_champion=done.trainer_certified_champion,
                champion_certified_at=champion.certified_at if champion else None,
                current_champion=bool(champion and champion.current), trained=[],
            )
        attendee = names.get(done.staff_id)
        node.trained.append(Trained(
            staff_id=done.staff_id, name=attendee.name if attendee else None, role=done.role,
            location_id=done.location_id, wave=waves.get(done.location_id), curriculum=done.curriculum,
            session_id=done.session_id, score=done.score,
            completed_at=done.completed_at,
        ))
    return Lineage(program_id=program_id, trainers=list(nodes.values()))


def program_of(engine: Engine, *, org: str, location_id: str) -> str | None:
    """The program whose plan holds the location (None: not planned yet)."""
    with Session(engine) as session:
        row = session.get(TrainingWaveRow, (org, location_id))
    return row.program_id if row else None


def champion_model_inputs(
    engine: Engine, *, org: str, program_id: str
) -> tuple[dict[str, str | None], dict[str, list[Taught]]]:
    """The program's planned locations with their waves, and the completions at each (who trained whom)."""
    with Session(engine) as session:
        wave_of: dict[str, str | None] = dict(session.exec(select(TrainingWaveRow.location_id, TrainingWaveRow.wave)
                                                           .where(TrainingWaveRow.org == org,
                                                                  TrainingWaveRow.program_id == program_id)).all())
        rows = session.exec(select(CompletionRow).where(
            CompletionRow.org == org, col(CompletionRow.location_id).in_(list(wave_of)))).all()
    taught: dict[str, list[Taught]] = {}
    for row in rows:
        taught.setdefault(row.location_id, []).append(Taught(row.staff_id, row.trainer_staff_id,
                                                             row.trainer_location_id, row.trainer_certified_champion))
    return wave_of, taught
