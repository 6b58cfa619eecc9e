"""Folds the plan's inputs into rows: readiness's locations and pilot sets, waves' go-lives, gates and pauses."""

from __future__ import annotations

from sqlmodel import Session, SQLModel, select

from services.waves.plan.models import (
    CandidateRow,
    GateDecisionRow,
    GateEvaluationRow,
    GoLiveRow,
    PauseRow,
    PilotSetRow,
    ScheduledGoLiveRow,
)
from shared.contracts.base import UnknownEventType, parse
from shared.contracts.readiness import (
    LocationProfileUpdated,
    LocationRegistered,
    LocationScored,
    LocationScoreWithdrawn,
    PilotSetConfirmed,
)
from shared.contracts.waves import (
    DeploymentPaused,
    DeploymentResumed,
    GateDecisionRecorded,
    GateEvaluated,
    GoLiveScheduled,
    IncidentReviewRecorded,
    LocationReverted,
    LocationWentLive,
    RestartCriterionMet,
    RootCauseRecorded,
)
from shared.events import RecordedEvent


class CandidatesProjection:
    """Readiness's view of each location the plan needs: program, region, composite, wave, pilot."""

    name = "waves-candidates"
    stream = "readiness"
    tables: tuple[type[SQLModel], ...] = (CandidateRow, PilotSetRow)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        try:
            fact = parse(event)
        except UnknownEventType:
            return
        org = event.ref.org
        match fact:
            case LocationRegistered():
                session.merge(CandidateRow(location_id=fact.location_id, org=org, program_id=fact.program_id,
                                           name=fact.name, region=fact.region))
                session.flush()
            case LocationProfileUpdated():
                row = session.get(CandidateRow, fact.location_id)
                if row is not None:
                    if "region" in fact.changes and fact.changes["region"] is not None:
                        row.region = str(fact.changes["region"])
                    if fact.program_id is not None:
                        row.program_id = fact.program_id
                    session.add(row)
            case LocationScored():
                row = session.get(CandidateRow, fact.location_id) or CandidateRow(location_id=fact.location_id,
                                                                                    org=org)
                row.composite, row.recommended_wave, row.scores = fact.composite, fact.recommended_wave, fact.scores
                if fact.program_id is not None:
                    row.program_id = fact.program_id
                session.add(row)
                session.flush()
            case LocationScoreWithdrawn():
                row = session.get(CandidateRow, fact.location_id)
                if row is not None:
                    row.composite, row.recommended_wave, row.scores = None, None, {}
                    session.add(row)
            case PilotSetConfirmed():
                chosen = set(fact.location_ids)
                for row in session.exec(select(CandidateRow).where(CandidateRow.program_id == fact.program_id)):
                    row.pilot = row.location_id in chosen
                    session.add(row)
                for location_id in chosen:
                    if session.get(CandidateRow, location_id) is None:
                        session.add(CandidateRow(location_id=location_id, org=org, program_id=fact.program_id,
                                                 pilot=True))
                session.merge(PilotSetRow(program_id=fact.program_id, org=org, confirmed_by=fact.confirmed_by))
                session.flush()


class PlanProjection:
    """Waves' own plan events: go-lives and reverts, gate evaluations and decisions, pauses."""

    name = "waves-plan"
    stream = "waves"
    tables: tuple[type[SQLModel], ...] = (GoLiveRow, GateEvaluationRow, GateDecisionRow, PauseRow, ScheduledGoLiveRow)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        if event.ref.aggregate != "plan":
            return
        org = event.ref.org
        match parse(event):
            case LocationWentLive() as live:
                session.merge(GoLiveRow(program_id=live.program_id, location_id=live.location_id, org=org,
                                        wave=live.wave, date=live.date, recorded_by=live.recorded_by))
                session.flush()
            case GoLiveScheduled() as scheduled:
                session.merge(ScheduledGoLiveRow(program_id=scheduled.program_id, location_id=scheduled.location_id,
                                                 org=org, wave=scheduled.wave, date=scheduled.date,
                                                 set_by=scheduled.set_by))
            case LocationReverted() as reverted:
                row = session.get(GoLiveRow, (reverted.program_id, reverted.location_id))
                if row is not None:
                    row.reverted_on = reverted.date
                    session.add(row)
            case GateEvaluated() as evaluated:
                session.add(GateEvaluationRow(
                    evaluation_id=evaluated.evaluation_id, program_id=evaluated.program_id, org=org,
                    gate=evaluated.gate, at=evaluated.at, passed=evaluated.passed,
                    results=[r.model_dump(mode="json") for r in evaluated.results],
                    locations=[loc.model_dump(mode="json") for loc in evaluated.locations],
                    evaluated_by=evaluated.evaluated_by, sequence=event.sequence,
                ))
            case GateDecisionRecorded() as decided:
                session.add(GateDecisionRow(
                    evaluation_id=decided.evaluation_id, program_id=decided.program_id, org=org, gate=decided.gate,
                    decision=decided.decision, rationale=decided.rationale, override=decided.override,
                    override_reason=decided.override_reason, decided_by=decided.decided_by,
                    decider_name=decided.decider_name, decider_role=decided.decider_role,
                    decided_at=decided.decided_at,
                ))
            case DeploymentPaused() as paused:
                session.add(PauseRow(
                    pause_id=paused.pause_id, program_id=paused.program_id, org=org, scope=paused.scope,
                    wave=paused.wave, location_id=paused.location_id, gate=paused.gate, reason=paused.reason,
                    paused_at=paused.paused_at, review_due_at=paused.review_due_at,
                ))
                session.flush()
            case IncidentReviewRecorded() as review:
                pause = session.get(PauseRow, review.pause_id)
                if pause is not None:
                    pause.review_held_at, pause.review_summary = review.held_at, review.summary
                    session.add(pause)
            case RootCauseRecorded() as cause:
                pause = session.get(PauseRow, cause.pause_id)
                if pause is not None:
                    pause.root_cause, pause.root_cause_description = cause.category, cause.description
                    pause.remediation, pause.remediation_due_at = cause.remediation, cause.remediation_due_at
                    session.add(pause)
            case RestartCriterionMet() as met:
                pause = session.get(PauseRow, met.pause_id)
                if pause is not None:
                    # A new dict, so the ORM sees the JSON column change.
                    pause.criteria_met = {**pause.criteria_met, met.criterion: {
                        "note": met.note, "by": met.recorded_by, "at": met.recorded_at.isoformat()}}
                    session.add(pause)
            case DeploymentResumed() as resumed:
                pause = session.get(PauseRow, resumed.pause_id)
                if pause is not None:
                    pause.resumed_at = resumed.resumed_at
                    session.add(pause)
