"""Completion queries: one location's last figures; a program's, per location and summed (caller's scope)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.training.completion.domain import pct
from services.training.completion.models import StatusRow
from services.training.completion.schemas import Completion, LocationTraining, ProgramTraining
from services.training.places.models import TrainingWaveRow
from services.training.places.views import visible_locations
from services.training.sessions.models import CompletionRow
from services.training.staff.models import StaffPublic, StaffRow
from services.training.staff.views import public
from shared.auth import Principal
from shared.contracts.training import RoleCompletion


def location_training(engine: Engine, *, org: str, location_id: str, program_id: str | None) -> LocationTraining:
    with Session(engine) as session:
        row = session.get(StatusRow, (org, location_id))
        planned = session.get(TrainingWaveRow, (org, location_id))
    wave = planned.wave if planned else None
    if row is None:
        return LocationTraining(location_id=location_id, program_id=program_id, wave=wave)
    return LocationTraining.model_validate(row, from_attributes=True).model_copy(update={"wave": wave})


def program_training(engine: Engine, *, principal: Principal, program_id: str) -> ProgramTraining:
    with Session(engine) as session:
        visible = visible_locations(session, principal, program_id)
        rows = session.exec(select(StatusRow).where(StatusRow.org == principal.org,
                                                    col(StatusRow.location_id).in_(visible))
                            .order_by(col(StatusRow.location_id))).all()
        waves = dict(session.exec(select(TrainingWaveRow.location_id, TrainingWaveRow.wave).where(
            TrainingWaveRow.org == principal.org, TrainingWaveRow.program_id == program_id)).all())
    locations = [LocationTraining.model_validate(r, from_attributes=True).model_copy(
        update={"wave": waves.get(r.location_id)}) for r in rows]
    by_wave: dict[str, list[LocationTraining]] = {}
    for location in locations:
        by_wave.setdefault(location.wave or "unscheduled", []).append(location)
    return ProgramTraining(program_id=program_id, locations=locations,
                           by_wave={wave: summed(group) for wave, group in sorted(by_wave.items())},
                           **summed(locations).model_dump())


def summed(locations: list[LocationTraining]) -> Completion:
    """Figures of `locations` added up, overall and by role."""
    roles: dict[str, list[int]] = {}
    for location in locations:
        for role, figures in location.by_role.items():
            sums = roles.setdefault(role, [0, 0])
            sums[0] += figures.total
            sums[1] += figures.trained
    total, trained = sum(r.staff_total for r in locations), sum(r.staff_trained for r in locations)
    return Completion(
        staff_total=total, staff_trained=trained, completion_pct=pct(trained, total),
        by_role={role: RoleCompletion(total=t, trained=d, completion_pct=pct(d, t)) for role, (t, d) in
                 sorted(roles.items())},
    )


def own_records(engine: Engine, *, org: str, subject: str) -> list[tuple[StaffPublic, list[CompletionRow]]]:
    """The roster entries whose login is `subject`, each with the curricula that person completed."""
    with Session(engine) as session:
        rows = session.exec(select(StaffRow).where(StaffRow.org == org, StaffRow.login_subject == subject)
                            .order_by(col(StaffRow.location_id))).all()
        done = session.exec(select(CompletionRow).where(
            CompletionRow.org == org, col(CompletionRow.staff_id).in_([r.id for r in rows]))
            .order_by(col(CompletionRow.completed_at))).all()
    return [(public(r), [d for d in done if d.staff_id == r.id]) for r in rows]
