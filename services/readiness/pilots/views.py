"""A program's pilot proposal, computed live from its locations in the caller's scope, and its confirmed set."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from services.readiness.pilots.candidates import Candidate
from services.readiness.pilots.schemas import ConfirmedOut, PilotOut, PilotSetOut, ProposalOut, RuleOut
from services.readiness.pilots.search import propose
from services.readiness.programs.views import get_program, pilot_set
from shared.access import org_wide
from shared.auth import Principal
from shared.errors import NotFound
from shared.playbooks import PilotSelection


def _visible(principal: Principal, location_ids: Sequence[str], candidates: set[str] | None) -> list[str]:
    """The ids the caller may see: all for org-wide roles, else only those among its in-scope candidates."""
    if org_wide(principal) or candidates is None:
        return list(location_ids)
    return [i for i in location_ids if i in candidates]


def proposal_out(
    engine: Engine, *, principal: Principal, program_id: str, selection: PilotSelection,
    candidates: Sequence[Candidate],
) -> ProposalOut:
    proposal = propose(selection, candidates)
    row = pilot_set(engine, org=principal.org, program_id=program_id)
    confirmed = None
    if row is not None and row.confirmed is not None and row.confirmed_by is not None:
        confirmed = ConfirmedOut(location_ids=_visible(principal, row.confirmed, {c.location_id for c in candidates}),
                                 confirmed_by=row.confirmed_by, confirmed_at=row.confirmed_at, note=row.note,
                                 differs_from_proposal=bool(row.differs_from_proposal),
                                 unmet_rules=row.unmet_rules or [])
    return ProposalOut(
        program_id=program_id, playbook_id=get_program(engine, org=principal.org, program_id=program_id).playbook_id,
        pilots=[PilotOut(location_id=p.location_id, name=p.name, reasons=list(p.reasons)) for p in proposal.pilots],
        rules=[RuleOut(rule=r.rule, label=r.label, satisfied=r.satisfied, detail=r.detail) for r in proposal.rules],
        confirmed=confirmed,
    )


def confirmed_out(engine: Engine, *, principal: Principal, program_id: str) -> PilotSetOut:
    """The program's confirmed pilot set as the read model has it."""
    row = pilot_set(engine, org=principal.org, program_id=program_id)
    if row is None or row.confirmed is None or row.confirmed_by is None:
        raise NotFound(f"program {program_id} has no confirmed pilot set", field="program_id")
    return PilotSetOut(
        program_id=program_id, location_ids=row.confirmed, proposed_location_ids=row.confirmed_against or [],
        differs_from_proposal=bool(row.differs_from_proposal), unmet_rules=row.unmet_rules or [], note=row.note,
        confirmed_by=row.confirmed_by, version=row.version,
    )
