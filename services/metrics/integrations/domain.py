"""The integration aggregate and a location's intake settings: pure decide/evolve.

An integration names its source (which must have an adapter), maps the source's clinic/site ids to
locations, and has a signing secret named by `secret_id`; a rotation starts a new secret id while the
previous one stays valid for the overlap, so a sender can switch without losing a delivery.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.metrics import (
    IntegrationClinicsMapped,
    IntegrationRegistered,
    IntegrationSecretRotated,
    LocationIntakeConfigured,
    PatientMatching,
)
from shared.errors import Conflict, DomainError, NotFound

CDT_CODE = re.compile(r"^D\d{4}$")
MAX_OVERLAP = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Integration:
    id: str = ""
    source: str = ""
    clinic_map: tuple[tuple[str, str], ...] = ()
    secret_id: str = ""

    @property
    def registered(self) -> bool:
        return bool(self.id)


@dataclass(frozen=True, slots=True)
class RegisterIntegration:
    integration_id: str
    source: str
    name: str
    clinic_map: Mapping[str, str]
    secret_id: str
    fingerprint: str
    time_zone: str
    registered_by: str
    known_sources: Set[str]
    known_locations: Set[str]


@dataclass(frozen=True, slots=True)
class RotateSecret:
    integration_id: str
    secret_id: str
    fingerprint: str
    now: datetime
    overlap: timedelta
    rotated_by: str


@dataclass(frozen=True, slots=True)
class MapClinics:
    integration_id: str
    clinic_map: Mapping[str, str]
    mapped_by: str
    known_locations: Set[str]


Command = RegisterIntegration | RotateSecret | MapClinics


def _check_map(clinic_map: Mapping[str, str], known: Set[str]) -> None:
    for clinic, location in clinic_map.items():
        if not clinic.strip():
            raise DomainError("clinic_map keys must be the source's clinic/site ids, not blank", field="clinic_map")
        if location not in known:
            raise DomainError(f"clinic_map[{clinic!r}]: location {location!r} is not a location of this org",
                              field="clinic_map")


def decide(state: Integration, command: Command) -> list[DomainEvent]:
    if isinstance(command, RegisterIntegration):
        if state.registered:
            raise Conflict(f"integration {command.integration_id} already exists", field="integration_id")
        if command.source not in command.known_sources:
            raise DomainError(f"source must be one of {', '.join(sorted(command.known_sources))}; "
                              f"got {command.source!r}", field="source")
        if not command.name.strip():
            raise DomainError("name must not be blank", field="name")
        try:
            ZoneInfo(command.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise DomainError(f"time_zone must be an IANA zone such as America/Chicago; got {command.time_zone!r}",
                              field="time_zone") from None
        _check_map(command.clinic_map, command.known_locations)
        return [IntegrationRegistered(
            integration_id=command.integration_id, source=command.source, name=command.name.strip(),
            clinic_map=dict(command.clinic_map), secret_id=command.secret_id, fingerprint=command.fingerprint,
            registered_by=command.registered_by, time_zone=command.time_zone,
        )]
    if not state.registered:
        raise NotFound(f"integration {command.integration_id} not found", field="integration_id")
    if isinstance(command, RotateSecret):
        if not timedelta(0) <= command.overlap <= MAX_OVERLAP:
            raise DomainError("overlap_hours must be between 0 and 720", field="overlap_hours")
        return [IntegrationSecretRotated(
            integration_id=state.id, secret_id=command.secret_id, fingerprint=command.fingerprint,
            previous_secret_id=state.secret_id, previous_valid_until=command.now + command.overlap,
            rotated_by=command.rotated_by,
        )]
    _check_map(command.clinic_map, command.known_locations)
    if dict(state.clinic_map) == dict(command.clinic_map):
        return []
    return [IntegrationClinicsMapped(integration_id=state.id, clinic_map=dict(command.clinic_map),
                                     mapped_by=command.mapped_by)]


def evolve(state: Integration, event: DomainEvent) -> Integration:
    match event:
        case IntegrationRegistered():
            return Integration(event.integration_id, event.source, tuple(sorted(event.clinic_map.items())),
                               event.secret_id)
        case IntegrationSecretRotated():
            return replace(state, secret_id=event.secret_id)
        case IntegrationClinicsMapped():
            return replace(state, clinic_map=tuple(sorted(event.clinic_map.items())))
    return state


integration = Aggregate(initial=Integration, decide=decide, evolve=evolve)


# --- a location's intake settings ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IntakeSettings:
    configured: LocationIntakeConfigured | None = None


@dataclass(frozen=True, slots=True)
class ConfigureIntake:
    location_id: str
    patient_matching: PatientMatching
    fuzzy_threshold: float
    procedure_codes: Mapping[str, str]
    fee_schedule: Mapping[str, float]
    configured_by: str


def decide_settings(state: IntakeSettings, command: ConfigureIntake) -> list[DomainEvent]:
    if not 50 <= command.fuzzy_threshold <= 100:
        raise DomainError("fuzzy_threshold must be between 50 and 100 (name similarity in %)",
                          field="fuzzy_threshold")
    for native, cdt in command.procedure_codes.items():
        if not CDT_CODE.match(cdt):
            raise DomainError(f"procedure_codes[{native!r}] must map to a CDT code such as D8090; got {cdt!r}",
                              field="procedure_codes")
    for cdt, fee in command.fee_schedule.items():
        if not CDT_CODE.match(cdt):
            raise DomainError(f"fee_schedule keys must be CDT codes such as D8090; got {cdt!r}", field="fee_schedule")
        if fee < 0:
            raise DomainError(f"fee_schedule[{cdt!r}] must not be negative", field="fee_schedule")
    event = LocationIntakeConfigured(
        location_id=command.location_id, patient_matching=command.patient_matching,
        fuzzy_threshold=command.fuzzy_threshold, procedure_codes=dict(command.procedure_codes),
        fee_schedule=dict(command.fee_schedule), configured_by=command.configured_by,
    )
    if state.configured is not None and state.configured.model_dump(exclude={"configured_by"}) == event.model_dump(
            exclude={"configured_by"}):
        return []
    return [event]


def evolve_settings(state: IntakeSettings, event: DomainEvent) -> IntakeSettings:
    return IntakeSettings(event) if isinstance(event, LocationIntakeConfigured) else state


intake_settings = Aggregate(initial=IntakeSettings, decide=decide_settings, evolve=evolve_settings)
