"""Program command handlers: authorize, then load -> decide -> append."""

from __future__ import annotations

from services.waves.programs.domain import CreateProgram, OverridePlaybook, Program, program
from shared.access import require
from shared.aggregates import Context, Outcome, execute
from shared.events import AggregateRef


def program_ref(org: str, program_id: str) -> AggregateRef:
    """The program aggregate inside its org's subject space."""
    return AggregateRef(org, "waves", "program", program_id)


async def create_program(command: CreateProgram, ctx: Context) -> Outcome[Program]:
    """Start a program of the caller's org from a playbook template."""
    require(ctx.principal, "programs:create")
    return await execute(ctx, program_ref(ctx.principal.org, command.program_id), program, command)


async def override_playbook(command: OverridePlaybook, ctx: Context) -> Outcome[Program]:
    """Override values of a program's playbook, all or nothing, one event per changed value."""
    require(ctx.principal, "programs:override-playbook")
    return await execute(ctx, program_ref(ctx.principal.org, command.program_id), program, command)
