"""Pilot-set commands of a programme: record the engine's proposal, confirm a set."""

from __future__ import annotations

from collections.abc import Sequence

from services.readiness.domain.pilotset import ConfirmPilotSet, PilotSet, ProposePilotSet, pilot_set
from services.readiness.pilots import Candidate
from shared.auth import Principal, require_role
from shared.commands import Outcome, execute
from shared.events import AggregateRef, Metadata
from shared.eventstore.base import EventStore
from shared.playbooks import PilotSelection

# The template's approver is the regional manager (SoftSmile L102); central IT/CDO may act too.
APPROVE = {"super_admin", "regional_admin"}


def pilot_set_ref(org: str, program_id: str) -> AggregateRef:
    return AggregateRef(org, "readiness", "pilotset", program_id)


async def propose_pilot_set(
    store: EventStore, *, principal: Principal, meta: Metadata, program_id: str,
    selection: PilotSelection, candidates: Sequence[Candidate],
) -> Outcome[PilotSet]:
    """Record the current proposal (`PilotSetProposed`), so the advice given is on the record."""
    require_role(principal, APPROVE, "pilots:propose")
    command = ProposePilotSet(program_id, selection, tuple(candidates), principal.subject)
    return await execute(store, pilot_set_ref(principal.org, program_id), pilot_set, command, meta=meta)


async def confirm_pilot_set(
    store: EventStore, *, principal: Principal, meta: Metadata, program_id: str, selection: PilotSelection,
    candidates: Sequence[Candidate], location_ids: Sequence[str], note: str | None,
) -> Outcome[PilotSet]:
    """A regional manager confirms the pilots (`PilotSetConfirmed`), as proposed or changed."""
    require_role(principal, APPROVE, "pilots:confirm")
    command = ConfirmPilotSet(program_id, tuple(location_ids), selection, tuple(candidates), principal.subject, note)
    return await execute(store, pilot_set_ref(principal.org, program_id), pilot_set, command, meta=meta)
