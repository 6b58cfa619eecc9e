"""CSV import: every row validated first; rows applied only when none was rejected."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

from services.readiness.domain.location import Location
from services.readiness.domain.scorings import Playbooks
from services.readiness.handlers.locations import REGISTER, register_location
from services.readiness.spreadsheet import ImportRow, Rejected, parse_import
from shared.auth import Principal, require_role
from shared.commands import Outcome
from shared.events import Metadata
from shared.eventstore.base import EventStore

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


def may_register(principal: Principal, region: str) -> bool:
    """Whether the caller may register a location in `region` (the row-level scope check)."""
    return principal.role == "super_admin" or region in principal.regions


async def import_locations(
    store: EventStore, *, principal: Principal, meta: Metadata, playbooks: Playbooks, text: str,
    taken: set[tuple[str, str]],
) -> ImportResult:
    """Validate every row; if none is rejected, register each (one location per row).

    Each row's command id derives from the import's, so re-sending an import with the same
    Idempotency-Key after a store failure skips the rows already written.
    """
    require_role(principal, REGISTER, "locations:import")
    rows, rejected = parse_import(text, programs={p for p in playbooks if p is not None}, taken=taken,
                                  in_scope=lambda region: may_register(principal, region))
    if rejected:
        return ImportResult(rows, rejected)
    # Rows are separate aggregates: append a bounded window of them at once (a 4,500-row file one by one
    # outlasted the gateway's timeout). Each row's own optimistic concurrency keeps this safe.
    window = asyncio.Semaphore(WINDOW)

    async def register(row: ImportRow) -> Outcome[Location]:
        async with window:
            return await register_location(
                store, principal=principal, meta=replace(meta, command_id=f"{meta.command_id}:line{row.line}"),
                playbooks=playbooks, name=row.name, region=row.region, program_id=row.program_id, facts=row.facts,
            )

    async with asyncio.TaskGroup() as group:  # one failure cancels the rest; a retry with the key resumes
        tasks = [group.create_task(register(row)) for row in rows]
    return ImportResult(rows, [], [task.result() for task in tasks])
