"""Folds sessions and completions into `training_sessions_v1` and `training_completions_v1`."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.training.sessions.models import CompletionRow, PlannedSessionRow, SessionRow
from shared.contracts.base import parse
from shared.contracts.training import TrainingCompleted, TrainingSessionPlanned, TrainingSessionRecorded
from shared.events import RecordedEvent


class SessionsProjection:
    """A row per session (attendees and their results) and a row per completion."""

    name = "training-sessions"
    stream = "training"
    tables: tuple[type[SQLModel], ...] = (SessionRow, CompletionRow, PlannedSessionRow)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.ref.aggregate not in ("session", "staff"):
            return
        match parse(event):
            case TrainingSessionPlanned() as planned:
                session.merge(PlannedSessionRow(org=event.ref.org, id=planned.session_id,
                                                **planned.model_dump(exclude={"session_id"})))
            case TrainingSessionRecorded() as recorded:
                data = recorded.model_dump(mode="json")
                session.merge(SessionRow(
                    org=event.ref.org, id=recorded.session_id, location_id=recorded.location_id,
                    program_id=recorded.program_id, curriculum=recorded.curriculum,
                    trainer_staff_id=recorded.trainer_staff_id, trainer_name=recorded.trainer_name,
                    trainer_location_id=recorded.trainer_location_id,
                    trainer_certified_champion=recorded.trainer_certified_champion, held_on=recorded.held_on,
                    duration_minutes=recorded.duration_minutes, attendees=data["attendees"], recorded_at=event.time,
                ))
            case TrainingCompleted() as done:
                session.merge(CompletionRow(
                    org=event.ref.org, staff_id=done.staff_id, curriculum=done.curriculum, session_id=done.session_id,
                    location_id=done.location_id, role=done.role, trainer_staff_id=done.trainer_staff_id,
                    trainer_location_id=done.trainer_location_id,
                    trainer_certified_champion=done.trainer_certified_champion, score=done.score,
                    completed_at=done.completed_at, program_id=done.program_id,
                ))
