"""Baseline commands: capture values for a location in the caller's scope, or many from a CSV."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from services.metrics.baselines.domain import Baseline, CaptureBaseline, baseline
from services.metrics.baselines.spreadsheet import Rejected, Row, parse_import
from shared.access import in_scope, require, require_scope
from shared.aggregates import Context, Outcome, execute
from shared.events import AggregateRef
from shared.playbooks import BaselineMetric


def baseline_ref(org: str, location_id: str) -> AggregateRef:
    return AggregateRef(org, "metrics", "baseline", location_id)


async def capture_baseline(command: CaptureBaseline, ctx: Context) -> Outcome[Baseline]:
    """Record the values (one `BaselineCaptured` per changed metric) for a location in scope."""
    require(ctx.principal, "baselines:capture")
    require_scope(ctx.principal, region=command.region, location_id=command.location_id,
                  permission="baselines:capture")
    return await execute(ctx, baseline_ref(ctx.principal.org, command.location_id), baseline, command)


@dataclass(frozen=True, slots=True)
class ImportBaselines:
    """A CSV of baseline values; `locations` are the named locations metrics knows, with their metric sets."""

    text: str
    locations: Mapping[str, ImportLocation]
    today: date


@dataclass(frozen=True, slots=True)
class ImportLocation:
    region: str
    program_id: str | None
    metric_set: Sequence[BaselineMetric]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The valid rows and the captures, or (then nothing was captured) the rejected rows."""

    rows: list[Row]
    rejected: list[Rejected]
    outcomes: list[Outcome[Baseline]] = field(default_factory=list)

    @property
    def position(self) -> int:
        return max((o.position for o in self.outcomes), default=0)


async def import_baselines(command: ImportBaselines, ctx: Context) -> ImportResult:
    """Validate every row; if none is rejected, capture each location's rows (one command per location).

    Each location's command id derives from the import's, so re-sending with the same Idempotency-Key
    after a store failure does not capture twice.
    """
    require(ctx.principal, "baselines:capture")
    known = command.locations

    def visible(location_id: str) -> bool:
        return in_scope(ctx.principal, region=known[location_id].region, location_id=location_id)

    rows, rejected = parse_import(command.text, metric_sets={k: v.metric_set for k, v in known.items()},
                                  in_scope=visible, today=command.today)
    if rejected:
        return ImportResult(rows, rejected)
    by_location: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_location[row.location_id].append(row)
    outcomes = []
    for location_id, located in by_location.items():
        where = known[location_id]
        capture = CaptureBaseline(location_id, where.program_id, [r.entry for r in located], where.metric_set,
                                  source="csv", captured_by=ctx.principal.subject, today=command.today,
                                  region=where.region)
        outcomes.append(await capture_baseline(capture, ctx.part(location_id)))
    return ImportResult(rows, [], outcomes)
