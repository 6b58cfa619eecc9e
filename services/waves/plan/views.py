"""Read-side queries of the plan, scoped to the caller's org; location lists to the caller's regions/locations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from services.waves.checklists.domain import unfinished_gating
from services.waves.checklists.models import ChecklistItemRow
from services.waves.evidence.build import utc
from services.waves.evidence.models import BaselineRow, IncidentRow
from services.waves.plan.assign import Candidate, Placement, assign, capacities, simulated
from services.waves.plan.cadence import PlannedGoLive, planned, program_week
from services.waves.plan.holds import Holds, holds
from services.waves.plan.ics import CalendarEntry, ics
from services.waves.plan.models import CandidateRow, GoLiveRow, PauseRow, PilotSetRow, ScheduledGoLiveRow
from services.waves.plan.schemas import (
    PlanLocation,
    PlanSimulated,
    PlanSimulation,
    PlanView,
    SimulatedPlacement,
    WavePlan,
)
from services.waves.programs.models import ProgramRow, validated_playbook
from shared.access import in_scope
from shared.auth import Principal
from shared.errors import NotFound
from shared.playbooks import PlaybookTemplate
from shared.playbooks.schedule import calendar, week_end


@dataclass(frozen=True, slots=True)
class Placed:
    """The plan as computed from the read model: placements, rows, playbook."""

    program: ProgramRow
    playbook: PlaybookTemplate
    placements: list[Placement]
    rows: dict[str, CandidateRow]
    live: dict[str, GoLiveRow]
    pauses: list[PauseRow]
    pilot_confirmed: bool


def program_row(session: Session, principal: Principal, program_id: str) -> ProgramRow:
    """The caller's org's program, or 404."""
    row = session.exec(select(ProgramRow).where(ProgramRow.org == principal.org, ProgramRow.id == program_id)).first()
    if row is None:
        raise NotFound(f"program {program_id} not found", field="program_id")
    return row


def placed(session: Session, principal: Principal, program_id: str) -> Placed:
    """Every location of the program placed in its wave."""
    program = program_row(session, principal, program_id)
    playbook = validated_playbook(program)
    rows = session.exec(select(CandidateRow).where(CandidateRow.org == principal.org,
                                                   CandidateRow.program_id == program_id)
                        .order_by(col(CandidateRow.location_id))).all()
    live = {r.location_id: r for r in session.exec(select(GoLiveRow).where(GoLiveRow.program_id == program_id))}
    pauses = list(session.exec(select(PauseRow).where(PauseRow.program_id == program_id,
                                                      col(PauseRow.resumed_at).is_(None))))
    confirmed = session.get(PilotSetRow, program_id) is not None
    candidates = [
        Candidate(r.location_id, r.composite, r.recommended_wave, dict(r.scores), r.pilot,
                  live[r.location_id].wave if r.location_id in live else None)
        for r in rows
    ]
    return Placed(program, playbook, assign(playbook, candidates, pilot_confirmed=confirmed),
                  {r.location_id: r for r in rows}, live, pauses, confirmed)


def scheduled_rows(session: Session, program_id: str) -> dict[str, ScheduledGoLiveRow]:
    return {r.location_id: r for r in session.exec(select(ScheduledGoLiveRow).where(
        ScheduledGoLiveRow.program_id == program_id))}


def planned_dates(plan: Placed, scheduled: dict[str, ScheduledGoLiveRow]) -> dict[str, PlannedGoLive]:
    """Each placed location's planned go-live: set by hand for its current wave, else from the cadence."""
    playbook, start = plan.playbook, plan.program.start_date
    dates: dict[str, PlannedGoLive] = {}
    for rule in playbook.waves:
        members = sorted((p for p in plan.placements if p.wave == rule.key), key=lambda p: (-(p.composite or 0),
                                                                                          p.location_id))
        dates.update(planned(playbook, start, rule.key, [p.location_id for p in members]))
        for member in members:
            chosen = scheduled.get(member.location_id)
            if chosen is not None and chosen.wave == rule.key:
                dates[member.location_id] = PlannedGoLive(program_week(start, chosen.date), chosen.date)
    return dates


@dataclass(frozen=True, slots=True)
class ScheduleInputs:
    """What setting a go-live date needs from the read model."""

    playbook: PlaybookTemplate
    start: dt.date
    wave: str | None
    reason: str
    region: str
    others: tuple[dt.date, ...]


def schedule_inputs(engine: Engine, *, principal: Principal, program_id: str, location_id: str) -> ScheduleInputs:
    """The location's wave and region, and the planned dates of the wave's other locations."""
    with Session(engine) as session:
        plan = placed(session, principal, program_id)
        scheduled = scheduled_rows(session, program_id)
    row = plan.rows.get(location_id)
    if row is None:
        raise NotFound(f"location {location_id} is not in program {program_id}", field="location_id")
    placement = next(p for p in plan.placements if p.location_id == location_id)
    dates = planned_dates(plan, scheduled)
    others = tuple(dates[p.location_id].date for p in plan.placements
                   if p.wave == placement.wave and p.location_id != location_id and p.location_id in dates)
    return ScheduleInputs(plan.playbook, plan.program.start_date, placement.wave, placement.reason, row.region, others)


def plan_view(engine: Engine, *, principal: Principal, program_id: str) -> PlanView:
    """The program's plan as the caller may see it."""
    with Session(engine) as session:
        plan = placed(session, principal, program_id)
        scheduled = scheduled_rows(session, program_id)
        held = incident_holds(session, plan)
    playbook, start = plan.playbook, plan.program.start_date
    dates = planned_dates(plan, scheduled)
    visible = []
    for placement in plan.placements:
        row, live = plan.rows[placement.location_id], plan.live.get(placement.location_id)
        if not in_scope(principal, region=row.region, location_id=row.location_id):
            continue
        when = dates.get(placement.location_id)
        visible.append(PlanLocation(
            location_id=row.location_id, name=row.name, region=row.region, composite=placement.composite,
            wave=placement.wave, reason=placement.reason, blocking_scores=placement.blocking_scores,
            planned_week=when.week if when and placement.wave else None,
            planned_go_live=when.date if when and placement.wave else None,
            went_live_on=live.date if live else None, reverted_on=live.reverted_on if live else None,
            holds=held.of(placement.location_id, placement.wave) if not live or live.reverted_on else [],
        ))
    limits = capacities(playbook)
    waves = []
    for rule in playbook.waves:
        holding = [p.reason for p in plan.pauses if p.scope == "program" or (p.scope == "wave" and p.wave == rule.key)]
        holding += held.waves.get(rule.key, [])
        waves.append(WavePlan(key=rule.key, label=rule.label, capacity=limits[rule.key],
                              locations=sum(1 for p in plan.placements if p.wave == rule.key),
                              paused=bool(holding), pause_reasons=holding))
    return PlanView(
        program_id=program_id, start_date=start, pilot_set_confirmed=plan.pilot_confirmed,
        phases=list(calendar(playbook, start).phases), waves=waves,
        locations=[v for v in visible if v.wave is not None], unscheduled=[v for v in visible if v.wave is None],
    )


@dataclass(frozen=True, slots=True)
class GoLiveInputs:
    """What recording a go-live needs from the read model."""

    playbook: PlaybookTemplate
    wave: str | None
    region: str
    baselines: frozenset[str]
    holds: tuple[str, ...] = ()
    unfinished: tuple[str, ...] = ()


def go_live_inputs(engine: Engine, *, principal: Principal, program_id: str, location_id: str) -> GoLiveInputs:
    """The location's wave, region and captured baselines."""
    with Session(engine) as session:
        plan = placed(session, principal, program_id)
        row = plan.rows.get(location_id)
        if row is None:
            raise NotFound(f"location {location_id} is not in program {program_id}", field="location_id")
        baselines = session.exec(select(BaselineRow.metric).where(BaselineRow.org == principal.org,
                                                                  BaselineRow.location_id == location_id)).all()
        held = incident_holds(session, plan)
        ticked = session.exec(select(ChecklistItemRow).where(ChecklistItemRow.program_id == program_id)).all()
    wave = next(p.wave for p in plan.placements if p.location_id == location_id)
    unfinished = unfinished_gating(plan.playbook, {(r.checklist, r.item, r.location_id): r.status for r in ticked},
                                   location_id)
    return GoLiveInputs(plan.playbook, wave, row.region, frozenset(baselines), tuple(held.of(location_id, wave)),
                        tuple(unfinished))


def incident_holds(session: Session, plan: Placed) -> Holds:
    """The holds the program's open incidents put on its locations and waves now."""
    incidents = session.exec(select(IncidentRow).where(IncidentRow.org == plan.program.org,
                                                       IncidentRow.program_id == plan.program.id)).all()
    wave_of = {p.location_id: p.wave for p in plan.placements}
    return holds(list(incidents), wave_of, datetime.now(UTC),
                 systemic_halts_waves=plan.playbook.rollback.halt_other_locations_only_if_systemic)


def plan_ics(engine: Engine, *, principal: Principal, program_id: str) -> str:
    """The plan's go-lives (actual where recorded, else planned) and gate dates as iCalendar text."""
    view = plan_view(engine, principal=principal, program_id=program_id)
    with Session(engine) as session:
        program = program_row(session, principal, program_id)
    playbook = validated_playbook(program)
    entries = []
    for loc in view.locations:
        day = loc.went_live_on or loc.planned_go_live
        if day is None:
            continue
        state = "went live" if loc.went_live_on else "planned go-live"
        entries.append(CalendarEntry(
            uid=f"go-live-{program_id}-{loc.location_id}@dso-rollout", day=day,
            summary=f"{loc.name or loc.location_id}: {state} ({loc.wave})", description=loc.reason,
        ))
    for gate in playbook.gates:
        week = gate.evaluate_week or playbook.phase(gate.from_wave).end_week
        entries.append(CalendarEntry(
            uid=f"gate-{program_id}-{gate.key}@dso-rollout", day=week_end(program.start_date, week),
            summary=f"Gate: {gate.label}", description=f"Go/no-go, decided by {gate.decided_by}",
        ))
    return ics(f"{program.name} — rollout plan", entries, utc(program.created_at))


def plan_simulated(engine: Engine, *, principal: Principal, program_id: str, body: PlanSimulation) -> PlanSimulated:
    """The program's plan under `body`, next to the current one (the same pure assignment; nothing recorded)."""
    with Session(engine) as session:
        plan = placed(session, principal, program_id)
    candidates = [Candidate(r.location_id, r.composite, r.recommended_wave, dict(r.scores), r.pilot,
                            plan.live[r.location_id].wave if r.location_id in plan.live else None)
                  for r in plan.rows.values()]
    what_if = simulated(plan.playbook, candidates, pilot_confirmed=plan.pilot_confirmed, capacity=body.capacity,
                        waves=body.waves, pilot=body.pilot_location_ids)
    now = {p.location_id: p.wave for p in plan.placements}
    # Like the plan itself, the caller sees only its own locations (wave counts stay programme-wide).
    placements = [SimulatedPlacement(location_id=p.location_id, wave=p.wave, reason=p.reason, composite=p.composite,
                                     current_wave=now.get(p.location_id)) for p in what_if
                  if in_scope(principal, region=plan.rows[p.location_id].region, location_id=p.location_id)]
    counts = {rule.key: sum(1 for p in what_if if p.wave == rule.key) for rule in plan.playbook.waves}
    return PlanSimulated(program_id=program_id, by_wave=counts, placements=placements,
                         moved=[p.location_id for p in placements if p.wave != p.current_wave])
