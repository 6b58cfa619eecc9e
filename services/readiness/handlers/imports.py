"""CSV import: every row validated first; rows applied only when none was rejected."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from services.readiness.domain.location import Location
from services.readiness.domain.scorings import Playbooks
from services.readiness.handlers.locations import REGISTER, register_location
from services.readiness.spreadsheet import ImportRow, Rejected, parse_import
from shared.auth import Principal, require_role
from shared.commands import Outcome
from shared.events import Metadata
from shared.eventstore.base import EventStore


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The valid rows and their outcomes, or (then nothing was applied) the rejected rows."""

    rows: list[ImportRow]
    rejected: list[Rejected]
    outcomes: list[Outcome[Location]] = field(default_factory=list)

    @property
    def applied(self) -> Outcome[None]:
        """Every stored event of the import, for read-your-writes."""
        return Outcome(None, [event for outcome in self.outcomes for event in outcome.events])


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
    outcomes = []
    for row in rows:
        row_meta = replace(meta, command_id=f"{meta.command_id}:line{row.line}")
        outcomes.append(await register_location(
            store, principal=principal, meta=row_meta, playbooks=playbooks,
            name=row.name, region=row.region, program_id=row.program_id, facts=row.facts,
        ))
    return ImportResult(rows, [], outcomes)
