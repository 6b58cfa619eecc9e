"""Events published by the training service: rosters, champions, certification, sessions, completion.

Aggregates: "location" (id = location_id: its roster, its champion, its training status),
"champion" (id = staff_id: one champion's certification), "session" (id = session_id) and
"staff" (id = staff_id: the curricula a person completed). `LocationTrainingStatusChanged`,
`ChampionCertified` and `TrainingCompleted` are the cross-service contract (CONTRACTS.md);
the rest are training's own facts, published for the catalog and the live stream.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.base import DomainEvent, register

StaffRole = Literal[
    "provider", "hygienist", "treatment_coordinator", "office_manager", "orthodontic_assistant", "administrator",
]
STAFF_ROLES: tuple[str, ...] = StaffRole.__args__  # type: ignore[attr-defined]
# The curriculum key of a champion's certification, as `TrainingCompleted.curriculum` names it.
CHAMPION_CERTIFICATION = "champion-certification"


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class _LocationEvent(DomainEvent):
    service: ClassVar[str] = "training"
    aggregate: ClassVar[str] = "location"

    location_id: str


class StaffMemberAdded(_LocationEvent):
    """A person joined the location's roster in a role (a new hire needs training)."""

    staff_id: str
    name: str
    role: StaffRole
    start_date: date | None = None
    email: str | None = None
    capacity_hours: float | None = None
    # The person's login (the identity provider's `sub`): what lets them read their own training record.
    login_subject: str | None = None
    added_by: str


class StaffMemberLeft(_LocationEvent):
    """A person left the location: from `left_on` they drop out of its completion figures."""

    staff_id: str
    left_on: date
    reason: str | None = None
    recorded_by: str


class CriterionCheck(_Part):
    """One selection criterion of the playbook, judged for a nominee."""

    key: str
    label: str
    met: bool
    note: str | None = None


class ChampionNominated(_LocationEvent):
    """A staff member became the location's champion (replacing `replaces`, if any), judged per criterion."""

    staff_id: str
    name: str
    role: str
    program_id: str | None = None
    criteria: list[CriterionCheck] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    replaces: str | None = None
    reason: str | None = None
    nominated_by: str


class RoleCompletion(_Part):
    total: int
    trained: int
    completion_pct: float | None = None


class MissingTraining(_Part):
    staff_id: str
    name: str
    role: str
    curricula: list[str]


class LocationTrainingStatusChanged(_LocationEvent):
    """The location's completion figures changed: overall, by role, and who is missing what.

    `completion_pct` is None when the location has no staff who need training.
    """

    program_id: str | None = None
    staff_total: int
    staff_trained: int
    completion_pct: float | None = None
    by_role: dict[str, RoleCompletion] = Field(default_factory=dict)
    missing: list[MissingTraining] = Field(default_factory=list)
    as_of: datetime


class _ChampionEvent(DomainEvent):
    service: ClassVar[str] = "training"
    aggregate: ClassVar[str] = "champion"

    staff_id: str
    location_id: str


class CertificationModuleCompleted(_ChampionEvent):
    """A champion completed one certification module of the playbook."""

    module: str
    completed_on: date
    recorded_by: str


class CertificationAssessmentTaken(_ChampionEvent):
    """A champion took the certification assessment (attempt 1..N; failed attempts are kept)."""

    attempt: int
    score: float
    passed: bool
    pass_min_pct: float
    taken_on: date
    recorded_by: str


class CertificationSimulationCompleted(_ChampionEvent):
    """A champion completed the hands-on case simulation."""

    completed_on: date
    recorded_by: str


class ChampionCertified(_ChampionEvent):
    """A champion met the playbook's certification rule (assessment score AND simulation, where required)."""

    name: str
    program_id: str | None = None
    assessment_score: float
    certified_at: datetime


class AttendeeResult(_Part):
    """One attendee of a session: present or not, the knowledge-check score, whether it completed the curriculum."""

    staff_id: str
    name: str
    role: str
    present: bool = True
    score: float | None = None
    completed: bool
    reason: str | None = None


class TrainingSessionRecorded(DomainEvent):
    """A training session was delivered: curriculum, trainer, date, duration and per-attendee results."""

    service: ClassVar[str] = "training"
    aggregate: ClassVar[str] = "session"

    session_id: str
    location_id: str
    program_id: str | None = None
    curriculum: str
    trainer_staff_id: str | None = None
    trainer_name: str | None = None
    trainer_location_id: str | None = None
    trainer_certified_champion: bool = False
    held_on: date
    duration_minutes: int
    attendees: list[AttendeeResult]
    recorded_by: str


class TrainingCompleted(DomainEvent):
    """A person completed a curriculum (its role key, or "champion-certification") in a session."""

    service: ClassVar[str] = "training"
    aggregate: ClassVar[str] = "staff"

    location_id: str
    staff_id: str
    role: str
    curriculum: str
    session_id: str
    trainer_staff_id: str | None = None
    trainer_location_id: str | None = None
    trainer_certified_champion: bool = False
    score: float | None = None
    completed_at: datetime
    program_id: str | None = None


class TrainingSessionPlanned(DomainEvent):
    """A session scheduled ahead: curriculum, date, trainer and invitees, checked against the wave's calendar."""

    service: ClassVar[str] = "training"
    aggregate: ClassVar[str] = "session"

    session_id: str
    location_id: str
    program_id: str | None = None
    wave: str | None = None
    curriculum: str
    planned_on: date
    duration_minutes: int | None = None
    trainer_staff_id: str | None = None
    attendee_staff_ids: list[str] = Field(default_factory=list)
    # The last day training may happen for the location's wave: its last go-live day (None: no wave yet).
    complete_by: date | None = None
    planned_by: str


ObjectionOutcome = Literal["resolved", "partly_resolved", "unresolved", "escalated"]


class ObjectionRecorded(DomainEvent):
    """A resistance point raised at a location by someone in a role, the response used, and how it ended."""

    service: ClassVar[str] = "training"
    aggregate: ClassVar[str] = "objection"

    objection_id: str
    location_id: str
    program_id: str | None = None
    role: StaffRole
    staff_id: str | None = None
    objection: str
    response_used: str | None = None
    outcome: ObjectionOutcome
    raised_on: date
    note: str | None = None
    recorded_by: str


class ChampionModelEvidenced(_LocationEvent):
    """Train-the-trainer evidence for one location of a wave (re-published whenever it changes).

    `validated` answers the playbook's "champion model validated" criterion for this location:
    its trained staff were trained by certified champions, at least one of them from a location of
    an earlier wave (SoftSmile: "Wave 1 champions trained Wave 2 staff"). Locations of the first
    wave have nothing earlier to be trained by, so they are never published. `reason` says why not.
    """

    program_id: str
    wave: str
    validated: bool
    staff_trained: int
    trained_by_certified_champions: int
    trained_by_earlier_wave_champions: int
    trainer_staff_ids: list[str] = Field(default_factory=list)
    reason: str | None = None
    as_of: datetime


register(
    StaffMemberAdded, StaffMemberLeft, ChampionNominated, LocationTrainingStatusChanged,
    CertificationModuleCompleted, CertificationAssessmentTaken, CertificationSimulationCompleted, ChampionCertified,
    TrainingSessionRecorded, TrainingCompleted, ChampionModelEvidenced, ObjectionRecorded,
    TrainingSessionPlanned,
)
