"""Folds nominations and certification steps into `training_champions_v1`."""

from __future__ import annotations

from sqlmodel import Session, SQLModel, select

from services.training.champions.models import ChampionRow
from shared.contracts.base import parse
from shared.contracts.training import (
    CertificationAssessmentTaken,
    CertificationModuleCompleted,
    CertificationSimulationCompleted,
    ChampionCertified,
    ChampionNominated,
)
from shared.events import RecordedEvent


class ChampionsProjection:
    """One row per (location, champion): the nomination's judgement and the certification so far."""

    name = "training-champions"
    stream = "training"
    tables: tuple[type[SQLModel], ...] = (ChampionRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.ref.aggregate not in ("location", "champion"):
            return
        fact = parse(event)
        org = event.ref.org
        if isinstance(fact, ChampionNominated):
            for row in session.exec(select(ChampionRow).where(ChampionRow.org == org,
                                                              ChampionRow.location_id == fact.location_id)).all():
                row.current = False
                session.add(row)
            data = fact.model_dump(mode="json")
            session.merge(ChampionRow(
                org=org, location_id=fact.location_id, staff_id=fact.staff_id, name=fact.name, role=fact.role,
                current=True, replaces=fact.replaces, nominated_at=event.time, criteria=data["criteria"],
                warnings=data["warnings"],
            ))
            session.flush()
            return
        if event.ref.aggregate != "champion":
            return
        key = (org, getattr(fact, "location_id", ""), getattr(fact, "staff_id", ""))
        found = session.get(ChampionRow, key)
        if found is None:
            raise LookupError(f"{event.type} for a champion never nominated: {event.ref.id}")
        row = found
        match fact:
            case CertificationModuleCompleted():
                row.modules = [*row.modules, fact.module]
            case CertificationAssessmentTaken():
                row.attempts = [*row.attempts, {"attempt": fact.attempt, "score": fact.score, "passed": fact.passed,
                                                "taken_on": fact.taken_on.isoformat()}]
            case CertificationSimulationCompleted():
                row.simulation_on = fact.completed_on
            case ChampionCertified():
                row.certified_at, row.assessment_score = fact.certified_at, fact.assessment_score
        session.add(row)
