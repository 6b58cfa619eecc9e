"""Folds roster events into `training_staff_v2` (v2: with each person's login subject)."""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.training.staff.models import StaffRow
from shared.contracts.base import parse
from shared.contracts.training import StaffMemberAdded, StaffMemberLeft
from shared.events import RecordedEvent


class StaffProjection:
    """One row per staff member of a location: role, start and leaving dates."""

    name = "training-staff-v2"
    stream = "training"
    tables: tuple[type[SQLModel], ...] = (StaffRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.ref.aggregate != "location":
            return
        match parse(event):
            case StaffMemberAdded() as added:
                session.merge(StaffRow(
                    org=event.ref.org, id=added.staff_id, location_id=added.location_id, name=added.name,
                    role=added.role, start_date=added.start_date, email=added.email,
                    capacity_hours=added.capacity_hours, login_subject=added.login_subject, added_at=event.time,
                ))
            case StaffMemberLeft() as left:
                row = session.get(StaffRow, (event.ref.org, left.staff_id))
                if row is None:
                    raise LookupError(f"StaffMemberLeft for unknown staff member {left.staff_id}")
                row.left_on = left.left_on
                session.add(row)
