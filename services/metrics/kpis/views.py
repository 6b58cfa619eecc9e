"""KPI queries: a location's KPIs measured from its cases, its go-live and its program's playbook."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from services.metrics.cases.models import CaseRow
from services.metrics.cases.views import cases_of
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


def measure_locations(engine: Engine, *, org: str, locations: Sequence[LocationRow]) -> list[Measured]:
    """Each location's KPIs (its program's acceptance window; since its go-live when known)."""
    ids = [row.id for row in locations]
    cases = cases_of(engine, org=org, location_ids=ids)
    live = go_lives(engine, org=org, location_ids=ids)
    surveyed = latest_scores(engine, org=org, location_ids=ids)
    outside = procedures_without_case(engine, org=org, location_ids=ids)
    out = []
    for row in locations:
        playbook = (playbook_of(engine, org=org, program_id=row.program_id) if row.program_id else None) \
            or default_playbook()
        went_live = live[row.id].date if row.id in live else None
        located = cases[row.id]
        values = measure([facts(c) for c in located], went_live=went_live,
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
