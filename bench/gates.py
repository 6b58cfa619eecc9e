"""Gate evaluation for a 50-location wave, with 100k and 1M case events behind it.

What waves reads at evaluation time is one evidence row per location (metrics publishes each
location's KPIs coalesced as `LocationKpisMeasured`; the rows record which stream range they
measured), never the case events themselves, so the cost should not grow with history. This
fills a waves read model on SQLite with a wave-2 of `locations` live locations whose KPI rows
stand for `events` case events, and times `POST .../evaluate`'s work (evidence query + the
evaluator) as p50/p99 over `repeat` runs.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from services.waves.app import projections
from services.waves.evidence.models import BaselineRow, ChampionModelRow, KpiRow, TrainingRow
from services.waves.gates.domain import EvaluateGate, evaluation
from services.waves.gates.views import gate_evidence
from services.waves.plan.models import CandidateRow, GoLiveRow
from services.waves.programs.models import ProgramRow
from shared.app import settle_heap
from shared.db import make_engine
from shared.playbooks import get_template
from shared.principal import Principal
from shared.projections import store

ORG, PROGRAM, GATE = "benchorg", "bench-program", "wave-2-to-wave-3"


def fill(db: Path, *, locations: int, events: int) -> None:
    engine = make_engine(f"sqlite:///{db}")
    for projection in projections():
        store.create_tables(engine, projection)
    playbook: dict[str, Any] = get_template("softsmile-dso").model_dump(mode="json")
    for phase in playbook["phases"]:
        if phase["key"] == "wave-2":
            phase["locations"]["max"] = locations  # a 50-location wave (SoftSmile's own holds 5-8)
    now = datetime.now(UTC)
    per_location = events // locations
    with Session(engine) as session:
        session.add(ProgramRow(id=PROGRAM, org=ORG, name="bench", playbook_id="softsmile-dso", playbook_version="1",
                               start_date=date(2026, 1, 5), playbook=playbook, created_by="bench", created_at=now,
                               updated_at=now))
        for index in range(locations):
            location_id = f"L{index:03d}"
            session.add(CandidateRow(location_id=location_id, org=ORG, program_id=PROGRAM, name=location_id,
                                     region="north", composite=17, recommended_wave="wave-2",
                                     scores={"it_infrastructure": 4}))
            session.add(GoLiveRow(program_id=PROGRAM, location_id=location_id, org=ORG, wave="wave-2",
                                  date=date(2026, 3, 2), recorded_by="bench"))
            first = index * per_location + 1
            session.add(KpiRow(location_id=location_id, org=ORG, program_id=PROGRAM, as_of=now, event_id=f"k{index}",
                               first_sequence=first, last_sequence=first + per_location - 1, values={
                                   "cases_without_critical_issue_pct": {"value": 91.0, "n": per_location // 5,
                                                                        "window": "since_go_live"},
                                   "provider_satisfaction": {"value": 4.3, "n": 6, "window": "latest_survey"},
                                   "case_acceptance_rate_pct": {"value": 58.0, "n": per_location // 5,
                                                                "window": "since_go_live"},
                                   "plan_turnaround_hours": {"value": 40.0, "n": per_location // 5,
                                                             "window": "since_go_live"}}))
            session.add(TrainingRow(location_id=location_id, org=ORG, program_id=PROGRAM, staff_total=8,
                                    staff_trained=8, completion_pct=100.0, as_of=now, event_id=f"t{index}"))
            session.add(ChampionModelRow(location_id=location_id, org=ORG, program_id=PROGRAM, wave="wave-2",
                                         validated=True, staff_trained=8, as_of=now, event_id=f"c{index}"))
            for metric, value in (("case_acceptance_rate_pct", 50.0), ("plan_turnaround_hours", 72.0)):
                session.add(BaselineRow(location_id=location_id, metric=metric, org=ORG, program_id=PROGRAM,
                                        value=value, unit="number", period_start=date(2025, 12, 1),
                                        period_end=date(2026, 2, 28), sample_size=40, event_id=f"b{index}{metric}",
                                        captured_at=now))
        session.commit()
    engine.dispose()


def time_evaluations(db: Path, *, repeat: int) -> tuple[float, float, bool]:
    """p50 and p99 in ms of evidence + evaluation, and whether the gate's criteria all had data."""
    engine = make_engine(f"sqlite:///{db}")
    principal = Principal(subject="bench", org=ORG, role="super_admin")
    took, complete = [], False
    try:
        gate_evidence(engine, principal=principal, program_id=PROGRAM, gate=GATE, at=datetime.now(UTC))
        settle_heap()  # as a service does once it has started
        for _ in range(repeat):
            start = time.perf_counter()
            at = datetime.now(UTC)
            evidence = gate_evidence(engine, principal=principal, program_id=PROGRAM, gate=GATE, at=at)
            evaluated = evaluation(EvaluateGate(PROGRAM, GATE, evidence.playbook, evidence.wave, evidence.locations,
                                                at, "bench", "bench"))
            took.append((time.perf_counter() - start) * 1000)
            complete = len(evaluated.locations) > 0
    finally:
        engine.dispose()
    cuts = statistics.quantiles(took, n=100)
    return cuts[49], cuts[98], complete


def bench_gates(workdir: Path, *, locations: int = 50, repeat: int = 50) -> list[dict[str, Any]]:
    rows = []
    for events in (100_000, 1_000_000):
        db = workdir / f"gates-{events}.db"
        db.unlink(missing_ok=True)
        fill(db, locations=locations, events=events)
        p50, p99, complete = time_evaluations(db, repeat=repeat)
        assert complete, "the bench wave had no locations to evaluate"
        rows.append({"metric": f"gate_evaluation_{locations}_locations_{events // 1000}k_events", "ours": p50,
                     "baseline": None, "ratio": None, "unit": "ms", "p50": p50, "p99": p99})
    return rows


if __name__ == "__main__":
    out = Path("var/bench")
    out.mkdir(parents=True, exist_ok=True)
    for row in bench_gates(out.resolve()):
        print(f"{row['metric']}: p50 {row['p50']:.1f} ms  p99 {row['p99']:.1f} ms")
