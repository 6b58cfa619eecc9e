"""Folds readiness' location events and waves' program and plan events into training's own rows.

Training never reads another service's database: `LocationRegistered`/`LocationProfileUpdated`
carry the region and program, `ProgramCreated` the whole playbook and `PlaybookOverridden` one change.
"""

from __future__ import annotations

from sqlmodel import Session, SQLModel

from services.training.places.models import TrainingLocationRow, TrainingProgramRow, TrainingWaveRow
from shared.contracts.base import parse
from shared.contracts.readiness import LocationProfileUpdated, LocationRegistered
from shared.contracts.waves import LocationWaveAssigned, PlaybookOverridden, ProgramCreated
from shared.events import RecordedEvent
from shared.playbooks.overrides import apply_override

LOCATION_EVENTS = {LocationRegistered.event_type(), LocationProfileUpdated.event_type()}
PROGRAM_EVENTS = {ProgramCreated.event_type(), PlaybookOverridden.event_type()}


class LocationsProjection:
    """One row per readiness location: name, region, program."""

    name = "training-locations"
    stream = "readiness"
    tables: tuple[type[SQLModel], ...] = (TrainingLocationRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.ref.aggregate != "location" or event.type not in LOCATION_EVENTS:
            return
        match parse(event):
            case LocationRegistered() as registered:
                session.merge(TrainingLocationRow(org=event.ref.org, id=registered.location_id, name=registered.name,
                                                  region=registered.region, program_id=registered.program_id))
                session.flush()
            case LocationProfileUpdated() as updated:
                row = session.get(TrainingLocationRow, (event.ref.org, updated.location_id))
                if row is None:
                    raise LookupError(f"LocationProfileUpdated for unknown location {updated.location_id}")
                row.region = updated.changes.get("region") or row.region
                row.program_id = updated.program_id or row.program_id
                session.add(row)


class ProgramsProjection:
    """One row per waves program with its effective playbook JSON."""

    name = "training-programs-v2"
    stream = "waves"
    tables: tuple[type[SQLModel], ...] = (TrainingProgramRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.ref.aggregate != "program" or event.type not in PROGRAM_EVENTS:
            return
        match parse(event):
            case ProgramCreated() as created:
                session.merge(TrainingProgramRow(org=event.ref.org, id=created.program_id, name=created.name,
                                                 start_date=created.start_date, playbook=dict(created.playbook)))
                session.flush()
            case PlaybookOverridden() as overridden:
                row = session.get(TrainingProgramRow, (event.ref.org, overridden.program_id))
                if row is None:
                    raise LookupError(f"PlaybookOverridden for unknown program {overridden.program_id}")
                row.playbook = apply_override(row.playbook, overridden.path, overridden.value)
                row.override_version = overridden.override_version
                session.add(row)


class WavesProjection:
    """One row per planned location: its program and wave (for completion by wave and the champion model)."""

    name = "training-waves"
    stream = "waves"
    tables: tuple[type[SQLModel], ...] = (TrainingWaveRow,)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.type != LocationWaveAssigned.event_type():
            return
        fact = parse(event)
        assert isinstance(fact, LocationWaveAssigned)
        session.merge(TrainingWaveRow(org=event.ref.org, location_id=fact.location_id, program_id=fact.program_id,
                                      wave=fact.wave))
