"""The survey aggregate, pure: created on the playbook's scale, one answer per person, scores on the scale.

A survey's scale is the unit the playbook gives its kind's metric (`provider_satisfaction` is
`score_1_5` in SoftSmile's gate, L231; `clinician_satisfaction` `score_1_10` in Spark's, L45), so
the same number means the same thing in the survey, the KPI and the gate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.metrics import SurveyCreated, SurveyKind, SurveyResponseRecorded
from shared.errors import Conflict, DomainError, NotFound
from shared.playbooks import PlaybookTemplate

SCALE = re.compile(r"^score_(\d+)_(\d+)$")


def metric_of(kind: str) -> str:
    """The KPI a survey of `kind` measures."""
    return f"{kind}_satisfaction"


def scale_of(playbook: PlaybookTemplate, kind: str) -> tuple[int, int]:
    """The scale the playbook gives the kind's metric (its gates' criteria, then its baseline set)."""
    metric = metric_of(kind)
    units = [c.unit for g in playbook.gates for c in g.criteria if c.metric == metric]
    units += [m.unit for m in playbook.metrics.baseline.metrics if m.key == metric]
    for unit in units:
        if found := SCALE.match(unit):
            return int(found.group(1)), int(found.group(2))
    raise DomainError(f"the program's playbook gives no scale for {metric}", field="kind")


@dataclass(frozen=True, slots=True)
class Survey:
    survey_id: str = ""
    scale: tuple[int, int] = (0, 0)
    location_id: str | None = None
    wave: str | None = None
    respondents: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class CreateSurvey:
    survey_id: str
    program_id: str
    kind: SurveyKind
    title: str
    playbook: PlaybookTemplate
    created_by: str
    wave: str | None = None
    location_id: str | None = None


@dataclass(frozen=True, slots=True)
class RecordResponse:
    survey_id: str
    respondent_key: str
    score: int
    location_id: str
    location_wave: str | None
    at: datetime


def decide(state: Survey, command: CreateSurvey | RecordResponse) -> list[DomainEvent]:
    match command:
        case CreateSurvey():
            if state.survey_id:
                raise Conflict(f"survey {command.survey_id} already exists", field="survey_id")
            if command.wave is not None and command.wave not in {w.key for w in command.playbook.waves}:
                raise DomainError(f"wave must be one of {', '.join(w.key for w in command.playbook.waves)}",
                                  field="wave")
            low, high = scale_of(command.playbook, command.kind)
            return [SurveyCreated(survey_id=command.survey_id, kind=command.kind, title=command.title.strip(),
                                  scale_min=low, scale_max=high, program_id=command.program_id, wave=command.wave,
                                  location_id=command.location_id, created_by=command.created_by)]
        case RecordResponse():
            if not state.survey_id:
                raise NotFound(f"survey {command.survey_id} not found", field="survey_id")
            low, high = state.scale
            if not low <= command.score <= high:
                raise DomainError(f"score must be between {low} and {high}", field="score")
            if state.location_id is not None and command.location_id != state.location_id:
                raise DomainError(f"the survey is for location {state.location_id}", field="location_id")
            if state.wave is not None and command.location_wave != state.wave:
                raise DomainError(f"the survey is for {state.wave}; location {command.location_id} is not in it",
                                  field="location_id")
            if command.respondent_key in state.respondents:
                raise Conflict("this person already answered the survey", field="respondent")
            return [SurveyResponseRecorded(survey_id=state.survey_id, respondent_key=command.respondent_key,
                                           score=command.score, location_id=command.location_id,
                                           recorded_at=command.at)]
    raise TypeError(f"unknown command {command!r}")


def evolve(state: Survey, event: DomainEvent) -> Survey:
    match event:
        case SurveyCreated():
            return Survey(event.survey_id, (event.scale_min, event.scale_max), event.location_id, event.wave)
        case SurveyResponseRecorded():
            return replace(state, respondents=state.respondents | {event.respondent_key})
    return state


survey = Aggregate(initial=Survey, decide=decide, evolve=evolve)
