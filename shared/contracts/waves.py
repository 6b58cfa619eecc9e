"""Events published by the waves service: programs, the wave plan with its gates and pauses, incidents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.base import DomainEvent, register
from shared.evaluation import CriterionResult


class _ProgramEvent(DomainEvent):
    service: ClassVar[str] = "waves"
    aggregate: ClassVar[str] = "program"

    program_id: str


class ProgramCreated(_ProgramEvent):
    """A DSO program started from a playbook template.

    Carries the whole template as it was (`playbook`, the template's JSON), so
    every consumer reads the program's playbook from events alone — never from
    the template files of the day, nor from another service's database.
    """

    name: str
    playbook_id: str
    playbook_version: str
    start_date: date
    playbook: dict[str, Any]
    created_by: str


class PlaybookOverridden(_ProgramEvent):
    """One value of the program's effective playbook changed, by whom and why.

    `path` is a dotted path into the playbook JSON with list indexes in brackets
    (`readiness.thresholds[0].min`, see `shared.playbooks.overrides`); `override_version`
    counts overrides 1..N.
    """

    path: str
    value: Any
    previous: Any
    reason: str
    overridden_by: str
    override_version: int


register(ProgramCreated, PlaybookOverridden)


# --- the wave plan (aggregate "plan", id = program_id) --------------------------------------------------


class _PlanEvent(DomainEvent):
    """A fact of one program's rollout plan: waves, go-lives, gates, pauses (one aggregate per program)."""

    service: ClassVar[str] = "waves"
    aggregate: ClassVar[str] = "plan"

    program_id: str


class LocationWaveAssigned(_PlanEvent):
    """A location's wave in the plan (None: unscheduled, in remediation), why, and its composite."""

    location_id: str
    wave: str | None
    reason: str
    composite: int | None = None
    blocking_scores: dict[str, int] = Field(default_factory=dict)


class GoLiveScheduled(_PlanEvent):
    """A location's planned go-live date was set or moved."""

    location_id: str
    wave: str
    date: date
    set_by: str


class LocationWentLive(_PlanEvent):
    """A location went live on `date` (a recorded fact, never inferred from the calendar)."""

    location_id: str
    wave: str
    date: date
    recorded_by: str


class LocationReverted(_PlanEvent):
    """A live location went back to its old workflow."""

    location_id: str
    date: date
    patient_script_ready: bool
    reason: str
    recorded_by: str


class GateLocation(BaseModel):
    """One location's results of a gate evaluation (per-location criteria)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    location_id: str
    passed: bool
    results: list[CriterionResult]


class GateEvaluated(_PlanEvent):
    """A gate's criteria evaluated against the evidence known at `at`, each with value, window, n and source."""

    gate: str
    evaluation_id: str
    from_wave: str
    to_wave: str
    at: datetime
    passed: bool
    results: list[CriterionResult]
    locations: list[GateLocation] = Field(default_factory=list)
    evaluated_by: str


class GateDecisionRecorded(_PlanEvent):
    """An executive's go / no-go on one gate evaluation; a go on a gate that did not pass is an override."""

    gate: str
    evaluation_id: str
    decision: Literal["go", "no_go"]
    rationale: str
    override: bool = False
    override_reason: str | None = None
    decided_by: str
    decider_name: str | None = None
    decider_role: str
    decided_at: datetime


class DeploymentPaused(_PlanEvent):
    """Deployment to new locations paused (the program's next wave, a wave, or one location)."""

    pause_id: str
    scope: Literal["program", "wave", "location"]
    wave: str | None = None
    location_id: str | None = None
    gate: str | None = None
    reason: str
    paused_at: datetime
    review_due_at: datetime | None = None


class IncidentReviewRecorded(_PlanEvent):
    """The incident review of a pause was held."""

    pause_id: str
    held_at: datetime
    summary: str
    recorded_by: str


class RootCauseRecorded(_PlanEvent):
    """The pause's root cause, categorised; the category's remediation and deadline from the playbook."""

    pause_id: str
    category: str
    description: str
    remediation: str | None = None
    remediation_due_at: datetime | None = None
    recorded_by: str
    recorded_at: datetime


class RestartCriterionMet(_PlanEvent):
    """One restart criterion of a pause was met (with its evidence)."""

    pause_id: str
    criterion: str
    note: str
    recorded_by: str
    recorded_at: datetime


class DeploymentResumed(_PlanEvent):
    """Deployment resumed after every restart criterion of the pause was met."""

    pause_id: str
    criteria: list[str]
    resumed_by: str
    resumed_at: datetime


# --- incidents and tickets (aggregate "incident", id = incident_id) -----------------------------------


class _IncidentEvent(DomainEvent):
    service: ClassVar[str] = "waves"
    aggregate: ClassVar[str] = "incident"

    incident_id: str
    program_id: str
    location_id: str


class IncidentOpened(_IncidentEvent):
    """An incident or support ticket at a location, with its severity, category and vendor contact's SLA."""

    kind: Literal["incident", "ticket"]
    severity: int = Field(ge=1, le=4)
    category: str
    description: str
    opened_at: datetime
    contact_tier: str | None = None
    response_due_at: datetime | None = None
    opened_by: str | None = None


class IncidentAcknowledged(_IncidentEvent):
    """Someone responded to an incident: the response SLA is met when this comes before `response_due_at`."""

    acknowledged_at: datetime
    acknowledged_by: str
    note: str | None = None


class IncidentResolved(_IncidentEvent):
    """An incident or ticket was resolved."""

    resolved_at: datetime
    resolution: str
    resolved_by: str | None = None


class ChecklistItemUpdated(_PlanEvent):
    """A phase-checklist item ticked (done), set not applicable, or reopened, for the program or one location."""

    checklist: str
    item: str
    location_id: str | None = None
    status: Literal["open", "done", "not_applicable"]
    note: str | None = None
    evidence_url: str | None = None
    updated_by: str
    updated_at: datetime


register(
    ChecklistItemUpdated, LocationWaveAssigned, GoLiveScheduled, LocationWentLive, LocationReverted, GateEvaluated,
    GateDecisionRecorded, DeploymentPaused, IncidentReviewRecorded, RootCauseRecorded, RestartCriterionMet,
    DeploymentResumed, IncidentOpened, IncidentAcknowledged, IncidentResolved,
)
