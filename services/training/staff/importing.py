"""A roster from CSV: every row checked first; the rows become one atomic batch only if none is rejected.

Columns: `name`, `role` (required), `start_date` (YYYY-MM-DD), `email`, `capacity_hours`, `login_subject`. Pure.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from services.training.staff.domain import AddStaffMember, Roster, added, evolve
from shared.aggregates import Aggregate
from shared.contracts.base import DomainEvent
from shared.contracts.training import STAFF_ROLES
from shared.errors import DomainError

COLUMNS = ("name", "role", "start_date", "email", "capacity_hours", "login_subject")
REQUIRED = ("name", "role")


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ImportStaff:
    """The CSV of a location's roster; `staff_ids` are the ids its rows get, in order."""

    location_id: str
    text: str
    staff_ids: tuple[str, ...]
    added_by: str


class ImportRejected(DomainError):
    """Some rows are invalid: nothing is imported; `rejected` names each row and field."""

    status = 422
    code = "import_rejected"

    def __init__(self, message: str, rejected: list[Rejected]) -> None:
        super().__init__(message, field="body")
        self.rejected = rejected


def rows_of(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DomainError(f"the CSV header lacks {', '.join(missing)} (columns: {', '.join(COLUMNS)})", field="body")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise DomainError(f"unknown column(s) {', '.join(unknown)} (columns: {', '.join(COLUMNS)})", field="body")
    reader.fieldnames = header
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _member(
    row: dict[str, str], command: ImportStaff, staff_id: str
) -> tuple[AddStaffMember | None, list[dict[str, str]]]:
    errors: list[dict[str, str]] = []
    if not row.get("name"):
        errors.append({"field": "name", "message": "is required"})
    if row.get("role") not in STAFF_ROLES:
        roles = ", ".join(STAFF_ROLES)
        errors.append({"field": "role", "message": f"must be one of {roles}; got {row.get('role')!r}"})
    start = None
    if row.get("start_date"):
        try:
            start = date.fromisoformat(row["start_date"])
        except ValueError:
            errors.append({"field": "start_date", "message": f"must be YYYY-MM-DD, got {row['start_date']!r}"})
    capacity = None
    if row.get("capacity_hours"):
        try:
            capacity = float(row["capacity_hours"])
        except ValueError:
            got = row["capacity_hours"]
            errors.append({"field": "capacity_hours", "message": f"must be a number, got {got!r}"})
    if errors:
        return None, errors
    return AddStaffMember(command.location_id, staff_id, row["name"], row["role"], command.added_by, start,
                          row.get("email") or None, capacity, row.get("login_subject") or None), []


def import_staff(state: Roster, command: ImportStaff) -> list[DomainEvent]:
    """Every row valid (and not someone already on the roster in that role): all rows added, else nothing."""
    rows = rows_of(command.text)
    if not rows:
        raise DomainError("the CSV has no rows", field="body")
    if len(rows) != len(command.staff_ids):
        raise ValueError("one staff id per row")
    present = {(m.name.casefold(), m.role) for m in state.staff.values() if m.left_on is None}
    events: list[DomainEvent] = []
    rejected: list[Rejected] = []
    for index, (row, staff_id) in enumerate(zip(rows, command.staff_ids, strict=True)):
        line = index + 2  # the header is line 1
        member, errors = _member(row, command, staff_id)
        if member is not None:
            key = (member.name.casefold(), member.role)
            if key in present:
                already = f"{member.name} is already on the roster as {member.role}"
                errors.append({"field": "name", "message": already})
            else:
                present.add(key)
                events.append(added(member))
        if errors:
            rejected.append(Rejected(line, errors))
    if rejected:
        raise ImportRejected(f"{len(rejected)} of {len(rows)} rows rejected; nothing was imported", rejected)
    return events


importing = Aggregate(initial=Roster, decide=import_staff, evolve=evolve)
