"""CSV import: every row validated first; rows applied only when none was rejected."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from services.readiness.locations.domain import Location, RegisterLocation
from services.readiness.locations.handlers import register_location
from services.readiness.scoring.domain import Playbooks
from services.readiness.spreadsheets.domain import ImportRow, Rejected, parse_import
from shared.access import in_scope, require
from shared.aggregates import Context, Outcome
from shared.auth import Principal
from shared.events import new_id

WINDOW = 32  # rows in flight at once


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The valid rows and their outcomes, or (then nothing was applied) the rejected rows."""

    rows: list[ImportRow]
    rejected: list[Rejected]
    outcomes: list[Outcome[Location]] = field(default_factory=list)

    @property
    def applied(self) -> Outcome[None]:
        """Every stored event of the import in stream order (rows were appended concurrently), for read-your-writes."""
        events = sorted((event for outcome in self.outcomes for event in outcome.events), key=lambda e: e.sequence)
        return Outcome(None, events)


@dataclass(frozen=True, slots=True)
class ImportLocations:
    """A CSV of locations; `taken` are the (name, region) pairs already in the org."""

    text: str
    taken: frozenset[tuple[str, str]]
    playbooks: Playbooks


def may_register(principal: Principal, region: str) -> bool:
    """Whether the caller may register a location in `region` (the row-level scope check)."""
    return in_scope(principal, region=region, location_id="")


async def import_locations(command: ImportLocations, ctx: Context) -> ImportResult:
    """Validate every row; if none is rejected, register each (one location per row).

    Each row's command id derives from the import's, so re-sending an import with the same
    Idempotency-Key after a store failure skips the rows already written.
    """
    require(ctx.principal, "locations:import")
    programs = {p for p in command.playbooks if p is not None}
    rows, rejected = parse_import(command.text, programs=programs, taken=set(command.taken),
                                  in_scope=lambda region: may_register(ctx.principal, region))
    if rejected:
        return ImportResult(rows, rejected)
    # Rows are separate aggregates: append a bounded window of them at once (a 4,500-row file one by one
    # outlasted the gateway's timeout). Each row's own optimistic concurrency keeps this safe.
    window = asyncio.Semaphore(WINDOW)

    async def register(row: ImportRow) -> Outcome[Location]:
        async with window:
            command_of_row = RegisterLocation(new_id(), row.name, row.region, command.playbooks, row.program_id,
                                              row.facts)
            return await register_location(command_of_row, ctx.part(f"line{row.line}"))

    async with asyncio.TaskGroup() as group:  # one failure cancels the rest; a retry with the key resumes
        tasks = [group.create_task(register(row)) for row in rows]
    return ImportResult(rows, [], [task.result() for task in tasks])
