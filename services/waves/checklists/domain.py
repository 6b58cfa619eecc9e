"""Checklist items on the plan aggregate, pure: only the playbook's items, per program or per location.

Program-level items are the central team's (org admins); a location's items are its managers'.
Gating items (`gates_wave_1`) that are neither done nor not applicable hold wave-1 go-lives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.contracts.base import DomainEvent
from shared.contracts.waves import ChecklistItemUpdated
from shared.errors import DomainError, NotFound
from shared.playbooks import PlaybookTemplate
from shared.playbooks.checklists import Checklist

Status = Literal["open", "done", "not_applicable"]
CLOSED = ("done", "not_applicable")


@dataclass(frozen=True, slots=True)
class UpdateChecklistItem:
    program_id: str
    checklist: str
    item: str
    location_id: str | None
    status: Status
    note: str | None
    evidence_url: str | None
    playbook: PlaybookTemplate
    program_locations: frozenset[str]
    updated_by: str
    at: datetime


def checklist_of(playbook: PlaybookTemplate, key: str) -> Checklist:
    found = next((c for c in playbook.checklists if c.key == key), None)
    if found is None:
        raise NotFound(f"checklist {key} is not in the program's playbook", field="checklist")
    return found


def update_item(command: UpdateChecklistItem) -> list[DomainEvent]:
    checklist = checklist_of(command.playbook, command.checklist)
    if command.item not in {i.key for i in checklist.items}:
        raise NotFound(f"checklist {checklist.key} has no item {command.item}", field="item")
    if checklist.per == "location":
        if command.location_id is None:
            raise DomainError(f"checklist {checklist.key} is kept per location: location_id is required",
                              field="location_id")
        if command.location_id not in command.program_locations:
            raise DomainError(f"location {command.location_id} is not in the program", field="location_id")
    elif command.location_id is not None:
        raise DomainError(f"checklist {checklist.key} is kept once for the program: no location_id",
                          field="location_id")
    return [ChecklistItemUpdated(
        program_id=command.program_id, checklist=checklist.key, item=command.item, location_id=command.location_id,
        status=command.status, note=command.note, evidence_url=command.evidence_url, updated_by=command.updated_by,
        updated_at=command.at,
    )]


def unfinished_gating(playbook: PlaybookTemplate, status: Mapping[tuple[str, str, str], str],
                      location_id: str) -> list[str]:
    """Gating items not done (nor not applicable) for a wave-1 go-live of `location_id`:
    "checklist: item, item" per checklist. `status` maps (checklist, item, location or "") to a status."""
    found = []
    for checklist in (c for c in playbook.checklists if c.gates_wave_1):
        where = location_id if checklist.per == "location" else ""
        open_items = [i.key for i in checklist.items if status.get((checklist.key, i.key, where)) not in CLOSED]
        if open_items:
            found.append(f"{checklist.key}: {', '.join(open_items)}")
    return found
