"""Programme command handlers: authorize, then load -> decide -> append."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.waves.playbooks.catalog import PlaybookCatalog
from services.waves.programs.domain import CreateProgram, OverridePlaybook, Program, program
from services.waves.programs.overrides import Override
from shared.auth import Principal, require_role
from shared.commands import Outcome, execute
from shared.events import AggregateRef, Metadata, new_id
from shared.eventstore.base import EventStore

# Programmes and their playbooks are decisions of the DSO's leadership (SoftSmile approval matrix).
MANAGE = {"super_admin", "executive"}


def program_ref(org: str, program_id: str) -> AggregateRef:
    """The programme aggregate inside its org's subject space."""
    return AggregateRef(org, "waves", "program", program_id)


async def create_program(
    store: EventStore,
    *,
    principal: Principal,
    meta: Metadata,
    catalog: PlaybookCatalog,
    name: str,
    playbook: str,
    start_date: date,
) -> Outcome[Program]:
    """Start a programme of the caller's org from a playbook template."""
    require_role(principal, MANAGE, "programs:create")
    template = catalog.get(playbook, field="playbook")
    program_id = new_id()
    command = CreateProgram(program_id, name, template, start_date, created_by=principal.subject)
    return await execute(store, program_ref(principal.org, program_id), program, command, meta=meta)


async def override_playbook(
    store: EventStore,
    *,
    principal: Principal,
    meta: Metadata,
    program_id: str,
    overrides: list[dict[str, Any]],
    reason: str,
) -> Outcome[Program]:
    """Override values of a programme's playbook, all or nothing, one event per changed value."""
    require_role(principal, MANAGE, "programs:override-playbook")
    command = OverridePlaybook(
        program_id,
        tuple(Override(o["path"], o["value"]) for o in overrides),
        reason,
        overridden_by=principal.subject,
    )
    return await execute(store, program_ref(principal.org, program_id), program, command, meta=meta)
