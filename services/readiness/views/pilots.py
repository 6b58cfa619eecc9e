"""A programme's pilot proposal, computed live from its locations and effective playbook."""

from __future__ import annotations

from sqlalchemy import Engine

from services.readiness.domain.scorings import playbook_for
from services.readiness.pilots import propose
from services.readiness.schemas.pilots import ConfirmedOut, PilotOut, ProposalOut, RuleOut
from services.readiness.views.locations import program_candidates
from services.readiness.views.programs import get_program, pilot_set, playbooks_of


def proposal_out(engine: Engine, *, org: str, program_id: str) -> ProposalOut:
    get_program(engine, org=org, program_id=program_id)
    template = playbook_for(playbooks_of(engine, org=org), program_id)
    proposal = propose(template.pilot_selection, program_candidates(engine, org=org, program_id=program_id))
    row = pilot_set(engine, org=org, program_id=program_id)
    confirmed = None
    if row is not None and row.confirmed is not None and row.confirmed_by is not None:
        confirmed = ConfirmedOut(location_ids=row.confirmed, confirmed_by=row.confirmed_by,
                                 confirmed_at=row.confirmed_at, note=row.note,
                                 differs_from_proposal=bool(row.differs_from_proposal),
                                 unmet_rules=row.unmet_rules or [])
    return ProposalOut(
        program_id=program_id, playbook_id=template.id,
        pilots=[PilotOut(location_id=p.location_id, name=p.name, reasons=list(p.reasons)) for p in proposal.pilots],
        rules=[RuleOut(rule=r.rule, label=r.label, satisfied=r.satisfied, detail=r.detail) for r in proposal.rules],
        confirmed=confirmed,
    )
