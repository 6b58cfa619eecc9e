"""CSV in and out, pure: DSOs keep their locations in spreadsheets today.

Import reads `name, region, program_id` and any fact columns (`LOCATION_FACTS` names); each row
is checked on its own so the report lists every problem, and the caller applies the rows only
when none was rejected. Export writes the readiness matrix, optionally with the facts.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.readiness.locations.domain import duplicate_name
from services.readiness.locations.facts import ENTERED_FACTS, check_value
from shared.contracts.readiness import FACTORS
from shared.csvout import csv_lines
from shared.errors import DomainError
from shared.text import forbidden_character

BASE_COLUMNS = ("name", "region", "program_id")
MAX_ROWS = 5000
TEXT_MAX = 200
TRUE, FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}
MATRIX_COLUMNS = ("location_id", "name", "region", "program_id", *FACTORS, "composite", "level", "recommended_wave",
                  "method", "scored_at")
_INT = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int
    name: str
    region: str
    program_id: str | None
    facts: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    errors: list[dict[str, str]] = field(default_factory=list)


def _cell(fact: str, raw: str) -> tuple[Any, str | None]:
    """A CSV cell as a typed fact value, or why it cannot be one."""
    kind = ENTERED_FACTS[fact].kind
    if kind == "number":
        try:
            value: Any = int(raw) if _INT.match(raw) else float(raw)
        except ValueError:
            return None, f"must be a number, got {raw!r}"
    elif kind == "bool":
        if raw.lower() not in TRUE | FALSE:
            return None, f"must be true or false, got {raw!r}"
        value = raw.lower() in TRUE
    elif kind == "choice":
        value = re.sub(r"[\s-]+", "_", raw.lower())  # "Open Dental" -> open_dental
    else:
        value = raw
    return value, check_value(fact, value)


class Records:
    """CSV records of an upload; a cell the csv module cannot read (over its 131,072-character limit) is a 422
    naming the line and column instead of a crash."""

    def __init__(self, text: str) -> None:
        self.text, self.reader, self.read = text, csv.reader(io.StringIO(text)), 0
        self.header: list[str] = []

    def __iter__(self) -> Records:
        return self

    def __next__(self) -> list[str]:
        consumed = self.reader.line_num  # physical lines before this record
        try:
            values = next(self.reader)
        except csv.Error as error:
            line = self.read + 1
            column = _long_cell(self.text, consumed)
            name = self.header[column - 1] if column and column <= len(self.header) else str(column or "?")
            if column:
                message = f"line {line}, column {column} ({name}): a cell is over {csv.field_size_limit()} characters"
            else:
                message = f"line {line} cannot be read as CSV: {error}"
            raise DomainError(message, field=f"line.{line}.{name}") from error
        self.read += 1
        return values


def _long_cell(text: str, first_line: int) -> int | None:
    """The 1-based column of the first over-long cell of the record starting at physical line `first_line`."""
    rest = "".join(io.StringIO(text).readlines()[first_line:])
    limit, column, length, quoted = csv.field_size_limit(), 1, 0, False
    for char in rest:
        if char == '"':
            quoted = not quoted  # a doubled quote inside a quoted cell toggles twice: close enough for a count
        elif char == "," and not quoted:
            column, length = column + 1, 0
        elif char in "\r\n" and not quoted:
            break
        else:
            length += 1
        if length > limit:
            return column
    return None


def read_header(reader: Iterable[list[str]]) -> list[str]:
    header = [h.strip() for h in next(iter(reader), [])]
    for index, column in enumerate(header):
        if column not in BASE_COLUMNS and column not in ENTERED_FACTS:
            raise DomainError(f"column {index + 1} {column!r} is neither name, region, program_id nor a "
                              "location fact", field=f"columns.{column or index + 1}")
        if header.index(column) != index:
            raise DomainError(f"column {column!r} appears twice", field=f"columns.{column}")
    for required in ("name", "region"):
        if required not in header:
            raise DomainError(f"the header row needs a {required!r} column", field=f"columns.{required}")
    return header


def named_programs(text: str) -> set[str]:
    """The program ids a CSV names, so the playbooks its rows need can be loaded before it is checked."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        return {value.strip() for row in reader if (value := row.get("program_id")) and value.strip()}
    except csv.Error:
        return set()  # parse_import reports the malformed file with its line


def parse_import(
    text: str, *, programs: set[str], taken: set[tuple[str, str]], in_scope: Callable[[str], bool]
) -> tuple[list[ImportRow], list[Rejected]]:
    """Every row checked: valid rows, and the rejected ones with a reason per field."""
    reader = Records(text)
    header = reader.header = read_header(reader)
    rows: list[ImportRow] = []
    rejected: list[Rejected] = []
    seen = set(taken)
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) + len(rejected) >= MAX_ROWS:
            raise DomainError(f"at most {MAX_ROWS} rows per import", field="body")
        errors: list[dict[str, str]] = []
        if len(values) > len(header):
            errors.append({"field": "row", "message": f"has {len(values)} cells, the header {len(header)}"})
        cells = {column: (values[i].strip() if i < len(values) else "") for i, column in enumerate(header)}
        for column in ("name", "region"):
            if not 1 <= len(cells[column]) <= TEXT_MAX:
                errors.append({"field": column, "message": f"is required (1-{TEXT_MAX} characters)"})
            elif problem := forbidden_character(cells[column]):  # the same rule as the JSON API's
                errors.append({"field": column, "message": problem})
        program = cells.get("program_id") or None
        if program is not None and program not in programs:
            errors.append({"field": "program_id", "message": f"{program} is not a program of this organization"})
        if cells["region"] and not in_scope(cells["region"]):
            errors.append({"field": "region", "message": f"region {cells['region']} is outside your scope"})
        key = (cells["name"], cells["region"])
        if cells["name"] and key in seen:
            errors.append({"field": "name", "message": duplicate_name(*key)})
        seen.add(key)
        facts: dict[str, Any] = {}
        for column, raw in cells.items():
            if column in BASE_COLUMNS or not raw:
                continue
            value, problem = _cell(column, raw)
            if problem:
                errors.append({"field": column, "message": problem})
            else:
                facts[column] = value
        if errors:
            rejected.append(Rejected(line, errors))
        else:
            rows.append(ImportRow(line, cells["name"], cells["region"], program, facts))
    return rows, rejected


def fact_columns(facts: Iterable[Mapping[str, Any]]) -> list[str]:
    """The fact columns of an export: every fact any row has, in vocabulary order."""
    present: set[str] = set()
    for known in facts:
        present.update(known or {})
    return [f for f in ENTERED_FACTS if f in present]


def matrix_csv_lines(rows: Iterable[Mapping[str, Any]], *, facts: Sequence[str] = ()) -> Iterator[str]:
    """The readiness matrix as CSV, a line at a time (the header first), with `facts` as extra columns."""
    return csv_lines([*MATRIX_COLUMNS, *facts], ([row.get(c) for c in MATRIX_COLUMNS]
                                                 + [(row.get("facts") or {}).get(f) for f in facts] for row in rows))


def matrix_csv(rows: Sequence[Mapping[str, Any]], *, facts: bool = False) -> str:
    """The readiness matrix as CSV; with `facts`, one column per fact any row has (vocabulary order)."""
    columns = fact_columns(row.get("facts") or {} for row in rows) if facts else []
    return "".join(matrix_csv_lines(rows, facts=columns))
