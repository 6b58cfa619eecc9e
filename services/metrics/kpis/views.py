"""KPI queries: a location's KPIs measured from its cases, its go-live and its program's playbook."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy import select as core_select  # sqlmodel's select takes at most four columns
from sqlmodel import Session, col

from services.metrics.cases.models import CaseRow
from services.metrics.cases.projections import utc
from services.metrics.integrations.views import procedures_without_case
from services.metrics.kpis.measure import CaseFacts, measure
from services.metrics.locations.models import LocationRow
from services.metrics.programs.playbooks import default_playbook
from services.metrics.programs.views import go_lives, playbook_of
from services.metrics.surveys.domain import metric_of
from services.metrics.surveys.views import latest_scores
from shared.contracts.metrics import KpiValue


@dataclass(frozen=True, slots=True)
class Measured:
    location: LocationRow
    values: dict[str, KpiValue]
    went_live: str | None
    first_sequence: int
    last_sequence: int


def facts(row: CaseRow) -> CaseFacts:
    return CaseFacts(row.submitted_at, row.scanned_at, row.approved_at, row.decision, row.decided_at, row.revisions,
                     row.processed, row.critical, row.provider_id, row.review_minutes, row.refinements,
                     row.delivered_at, tuple(datetime.fromisoformat(t) for t in row.lab_export_failures_at),
                     row.procedure_code is not None)


@dataclass(frozen=True, slots=True)
class _Located:
    """What measuring reads of one case: its facts and the stream range behind them."""

    facts: CaseFacts
    first_sequence: int
    last_sequence: int


FACT_COLUMNS = [getattr(CaseRow, name) for name in (
    "location_id", "submitted_at", "scanned_at", "approved_at", "decision", "decided_at", "revisions", "processed",
    "critical", "provider_id", "review_minutes", "refinements", "delivered_at", "lab_export_failures_at",
    "procedure_code", "first_sequence", "last_sequence")]


def case_facts_of(engine: Engine, *, org: str, location_ids: list[str]) -> dict[str, list[_Located]]:
    """location -> its cases' facts: plain rows, no ORM objects (measured about once a second per location)."""
    found: dict[str, list[_Located]] = {i: [] for i in location_ids}
    with Session(engine) as session:
        rows = session.execute(core_select(*FACT_COLUMNS).where(
            col(CaseRow.org) == org, col(CaseRow.location_id).in_(location_ids))).all()
    for (location_id, submitted, scanned, approved, decision, decided, revisions, processed, critical, provider,
         minutes, refinements, delivered, failures, code, first, last) in rows:
        found[location_id].append(_Located(CaseFacts(
            utc(submitted), utc(scanned), utc(approved), decision, utc(decided), revisions, processed, critical,
            provider, minutes, refinements, utc(delivered), tuple(datetime.fromisoformat(t) for t in failures or ()),
            code is not None), first, last))
    return found


def measure_locations(engine: Engine, *, org: str, locations: Sequence[LocationRow]) -> list[Measured]:
    """Each location's KPIs (its program's acceptance window; since its go-live when known)."""
    ids = [row.id for row in locations]
    cases = case_facts_of(engine, org=org, location_ids=ids)
    live = go_lives(engine, org=org, location_ids=ids)
    surveyed = latest_scores(engine, org=org, location_ids=ids)
    outside = procedures_without_case(engine, org=org, location_ids=ids)
    out = []
    for row in locations:
        playbook = (playbook_of(engine, org=org, program_id=row.program_id) if row.program_id else None) \
            or default_playbook()
        went_live = live[row.id].date if row.id in live else None
        located = cases[row.id]
        values = measure([c.facts for c in located], went_live=went_live,
                         acceptance_within_days=playbook.metrics.acceptance_within_days,
                         outside_platform=outside.get(row.id, 0))
        scores = surveyed.get(row.id, [])
        # Satisfaction is the latest survey's mean at the location, as the gates' "latest_survey" window reads it.
        values |= {metric_of(s.kind): KpiValue(value=s.mean, n=s.n, window="latest_survey",
                                               window_start=s.created_at, window_end=s.last_answer) for s in scores}
        sequences = [c.first_sequence for c in located] + [s.first_sequence for s in scores]
        out.append(Measured(row, values, went_live.isoformat() if went_live else None, min(sequences, default=0),
                            max([c.last_sequence for c in located] + [s.last_sequence for s in scores], default=0)))
    return out
