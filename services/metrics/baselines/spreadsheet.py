"""Baselines from CSV, pure: `location_id, metric, value, period_start, period_end[, sample_size]`.

Every row is checked on its own (the same rules as a capture over HTTP) so the report lists
every problem; the caller captures the rows only when none was rejected.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from services.metrics.baselines.domain import Entry, problems
from shared.errors import DomainError
from shared.playbooks import BaselineMetric

COLUMNS = ("location_id", "metric", "value", "period_start", "period_end", "sample_size")
REQUIRED = COLUMNS[:5]
MAX_ROWS = 20000


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    location_id: str
    entry: Entry


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    errors: list[dict[str, str]] = field(default_factory=list)


def read_header(reader: csv.DictReader[str]) -> list[str]:
    header = [h.strip() for h in reader.fieldnames or []]
    for column in header:
        if column not in COLUMNS:
            raise DomainError(f"column {column!r} is not one of {', '.join(COLUMNS)}", field=f"columns.{column}")
    for column in REQUIRED:
        if column not in header:
            raise DomainError(f"the header row needs a {column!r} column", field=f"columns.{column}")
    return header


def named_locations(text: str) -> set[str]:
    """The location ids a CSV names, so their locations and playbooks can be loaded before it is checked."""
    try:
        return {v.strip() for row in csv.DictReader(io.StringIO(text)) if (v := row.get("location_id")) and v.strip()}
    except csv.Error:
        return set()


def _date(raw: str, column: str, errors: list[dict[str, str]]) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append({"field": column, "message": f"must be a date YYYY-MM-DD, got {raw!r}"})
        return None


def parse_import(
    text: str, *, metric_sets: Mapping[str, Sequence[BaselineMetric]], in_scope: Callable[[str], bool], today: date,
) -> tuple[list[Row], list[Rejected]]:
    """Valid rows, and the rejected ones with a reason per field; `metric_sets` has the known locations'."""
    reader = csv.DictReader(io.StringIO(text), restkey="_extra")
    read_header(reader)
    rows: list[Row] = []
    rejected: list[Rejected] = []
    seen: set[tuple[str, str]] = set()
    for raw in reader:
        line = reader.line_num
        cells = {k.strip(): (v or "").strip() for k, v in raw.items() if isinstance(v, str | None) and k}
        if not any(cells.values()):
            continue
        if len(rows) + len(rejected) >= MAX_ROWS:
            raise DomainError(f"at most {MAX_ROWS} rows per import", field="body")
        errors: list[dict[str, str]] = []
        if raw.get("_extra"):  # type: ignore[call-overload]
            errors.append({"field": "row", "message": "has more cells than the header"})
        location_id, metric = cells.get("location_id", ""), cells.get("metric", "")
        if location_id not in metric_sets or not in_scope(location_id):
            errors.append({"field": "location_id", "message": f"location {location_id!r} not found"})
        if (location_id, metric) in seen:
            errors.append({"field": "metric", "message": f"{metric} of {location_id} repeats an earlier row"})
        seen.add((location_id, metric))
        value: float | None = None
        try:
            value = float(cells.get("value", ""))
        except ValueError:
            errors.append({"field": "value", "message": f"must be a number, got {cells.get('value', '')!r}"})
        start = _date(cells.get("period_start", ""), "period_start", errors)
        end = _date(cells.get("period_end", ""), "period_end", errors)
        sample: int | None = None
        if cells.get("sample_size"):
            try:
                sample = int(cells["sample_size"])
            except ValueError:
                message = f"must be a whole number, got {cells['sample_size']!r}"
                errors.append({"field": "sample_size", "message": message})
        if not errors and value is not None and start and end:
            entry = Entry(metric, value, start, end, sample)
            errors += [{"field": f, "message": m} for f, m in problems(entry, metric_sets[location_id], today)]
            if not errors:
                rows.append(Row(line, location_id, entry))
                continue
        rejected.append(Rejected(line, errors))
    return rows, rejected
