"""A location's live scoring and requirements checklist, from its row and its program's playbook."""

from __future__ import annotations

from collections import Counter

from services.readiness.locations.facts import rule_facts
from services.readiness.locations.models import LocationRow
from services.readiness.locations.views import entered
from services.readiness.programs.playbooks import ProgramPlaybooks
from services.readiness.scoring.domain import Evaluation, FactorResult, evaluate, playbook_for
from services.readiness.scoring.requirements import checklist, ready
from services.readiness.scoring.schemas import Checklist, FactorOut, Recorded, ScoringOut


def factor_out(result: FactorResult) -> FactorOut:
    return FactorOut(
        key=result.key, label=result.label, status="scored" if result.score is not None else "not_enough_data",
        score=result.score, method=result.method, criteria=result.criteria, next_step=result.next_step,
        detail=result.detail, missing=list(result.missing), at_least=result.at_least,
        derived_score=result.derived_score, assessor=result.assessor, reason=result.reason,
    )


def evaluation_of(row: LocationRow, playbooks: ProgramPlaybooks) -> Evaluation:
    template = playbook_for(playbooks, row.program_id)
    return evaluate(template.readiness, rule_facts(row.facts, region=row.region), entered(row))


def scoring_out(row: LocationRow, playbooks: ProgramPlaybooks) -> ScoringOut:
    """Every factor scored now (entered or derived, with row and next step) beside the recorded scoring."""
    evaluation = evaluation_of(row, playbooks)
    placed = evaluation.placement
    recorded = None
    if row.composite is not None and row.level and row.recommended_wave:
        recorded = Recorded(composite=row.composite, level=row.level, recommended_wave=row.recommended_wave,
                            method=row.method, version=row.version)
    recorded_scores = {f: getattr(row, f) for f in evaluation.scores}
    current = (placed is None and recorded is None) or (
        placed is not None and recorded is not None and recorded.composite == placed.composite
        and recorded.recommended_wave == placed.recommended_wave and recorded_scores == evaluation.scores
    )
    return ScoringOut(
        location_id=row.id, program_id=row.program_id, playbook_id=playbook_for(playbooks, row.program_id).id,
        factors=[factor_out(r) for r in evaluation.factors], complete=evaluation.complete,
        composite=placed.composite if placed else None, level=placed.level if placed else None,
        recommended_wave=placed.recommended_wave if placed else None, recorded=recorded, current=current,
    )


def checklist_out(row: LocationRow, playbooks: ProgramPlaybooks) -> Checklist:
    template = playbook_for(playbooks, row.program_id)
    items = checklist(template.technical_requirements, rule_facts(row.facts, region=row.region))
    counts = Counter(i.status for i in items)
    return Checklist(
        location_id=row.id, program_id=row.program_id, playbook_id=template.id, ready=ready(items),
        summary={s: counts.get(s, 0) for s in ("pass", "fail", "unknown", "not_applicable")},
        items=list(items),
    )
