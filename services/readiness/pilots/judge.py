"""Every pilot rule judged with a reason: on a chosen set, and on the pool when no valid set exists."""

from __future__ import annotations

from collections.abc import Sequence

from services.readiness.pilots.candidates import COUNT_RULE, Candidate, Pick, RuleResult, names, show
from services.readiness.pilots.pool import Assignment, Pool
from shared.playbooks import Conditional
from shared.playbooks.pilot import PilotSlot, RankKey, SetRule


def _facts(rule: Conditional, candidate: Candidate) -> str:
    shown = dict.fromkeys(c.fact for c in rule.conditions)
    return ", ".join(show(fact, candidate.facts.get(fact)) for fact in shown)


def _count_label(pool: Pool) -> str:
    low, high = pool.selection.min_locations, pool.selection.max_locations
    return f"{low}-{high} pilot locations" if low != high else f"{low} pilot locations"


def _set_rule(pool: Pool, rule: SetRule, members: Sequence[Candidate], noun: str = "pilot(s)") -> RuleResult:
    ok = pool.rule_holds(rule, members)
    if rule.kind == "at_least":
        matching = [m for m in members if pool.counts(rule, m)]
        detail = f"{len(matching)} {noun} match ({names(matching)}); needs {rule.min}"
    else:
        assert rule.fact is not None
        values = sorted({str(m.facts[rule.fact]) for m in members if m.facts.get(rule.fact) is not None})
        shown = ", ".join(values) or "none known"
        detail = f"spans {len(values)} {rule.fact} value(s) ({shown}); needs {pool.needed(rule)}"
    return RuleResult(rule.key, rule.label, ok, detail)


def judge(pool: Pool, members: Sequence[Candidate], assignment: Assignment) -> tuple[RuleResult, ...]:
    """Each rule of the template on `members` (a proposal, or a set a manager chose)."""
    selection = pool.selection
    size_ok = selection.min_locations <= len(members) <= selection.max_locations
    results = [RuleResult(COUNT_RULE, _count_label(pool), size_ok, f"{len(members)} pilot(s): {names(members)}")]
    for exclusion in selection.exclusions:
        why = pool.excluded[exclusion.key]
        hit = [m for m in members if m.location_id in why]
        detail = "; ".join(f"{m.name} is excluded ({why[m.location_id]})" for m in hit) or (
            f"no pilot is among the excluded ({len(why)} location(s))")
        results.append(RuleResult(exclusion.key, exclusion.label, not hit, detail))
    for criterion in selection.eligibility:
        failing = [m for m in members if criterion.matches(m.facts) is not True]
        detail = "; ".join(f"{m.name}: {_facts(criterion, m)}" for m in failing) or "every pilot meets it"
        results.append(RuleResult(criterion.key, criterion.label, not failing, detail))
    for slot in selection.slots:
        filler = assignment.get(slot.key)
        if filler is not None:
            detail = f"filled by {filler.name}" + (f" ({_ranked_by(slot.prefer, filler)})" if slot.prefer else "")
        else:
            detail = "not filled: no pilot fits it" + ("" if slot.required else " (optional)")
        results.append(RuleResult(slot.key, slot.label, filler is not None or not slot.required, detail))
    results += [_set_rule(pool, rule, members) for rule in selection.set_rules]
    return tuple(results)


def _ranked_by(keys: Sequence[RankKey], candidate: Candidate) -> str:
    return ", ".join(show(k.fact, candidate.facts.get(k.fact)) for k in keys)


def _slot_facts(slot: PilotSlot, candidate: Candidate) -> str:
    facts = dict.fromkeys([*(c.fact for c in slot.conditions), *(k.fact for k in slot.prefer)])
    return ", ".join(show(fact, candidate.facts.get(fact)) for fact in facts) or "fits"


def picks(pool: Pool, members: Sequence[Candidate], assignment: Assignment) -> tuple[Pick, ...]:
    """A reason for each pick: the slot it fills, each criterion it meets, what it adds to the set."""
    selection = pool.selection
    out = []
    for member in members:
        reasons = [f"{s.label}: {_slot_facts(s, member)}" for s in selection.slots if assignment.get(s.key) is member]
        reasons += [f"{e.label}: {show(e.fact, member.facts.get(e.fact))} is not the lowest"
                    for e in selection.exclusions]
        reasons += [f"{c.label}: {_facts(c, member)}" for c in selection.eligibility]
        for rule in selection.set_rules:
            if rule.kind == "at_least" and rule.matches(member.facts) is True:
                reasons.append(f"{rule.label}: {_facts(rule, member)}")
            elif rule.kind == "min_distinct" and rule.fact and member.facts.get(rule.fact) is not None:
                reasons.append(f"{rule.label}: {show(rule.fact, member.facts[rule.fact])}")
        out.append(Pick(member.location_id, member.name, tuple(reasons)))
    return tuple(out)


def blocked(pool: Pool, conflicting: Sequence[str]) -> tuple[RuleResult, ...]:
    """Why no valid set exists: each rule judged on the whole pool, `conflicting` naming rules that clash."""
    selection, low = pool.selection, pool.selection.min_locations
    barred = {i for why in pool.excluded.values() for i in why}
    open_ = [c for c in pool.candidates if c.location_id not in barred]
    eligible = pool.eligible
    count_ok = len(eligible) >= low and not conflicting
    detail = f"{len(eligible)} of {len(pool.candidates)} location(s) pass every exclusion and eligibility rule"
    if len(eligible) >= low and conflicting:
        detail += f", but no set of {_count_label(pool)} among them satisfies {', '.join(conflicting)} together"
    results = [RuleResult(COUNT_RULE, _count_label(pool), count_ok, f"{detail}; needs at least {low}")]
    for exclusion in selection.exclusions:
        why = pool.excluded[exclusion.key]
        shown = "; ".join(f"{c.name} ({why[c.location_id]})" for c in pool.candidates if c.location_id in why)
        results.append(RuleResult(exclusion.key, exclusion.label, len(pool.candidates) - len(why) >= low,
                                  f"excluded: {shown or 'none'}"))
    for criterion in selection.eligibility:
        meeting = [c for c in open_ if criterion.matches(c.facts) is True]
        unknown = [c for c in open_ if criterion.matches(c.facts) is None]
        detail = f"{len(meeting)} of {len(open_)} location(s) meet it ({names(meeting)})"
        if unknown:
            detail += f"; {len(unknown)} lack the facts ({names(unknown)})"
        results.append(RuleResult(criterion.key, criterion.label, len(meeting) >= low, detail))
    for slot in selection.slots:
        fitting = [c for c in eligible if pool.fits(slot, c)]
        ok = (bool(fitting) or not slot.required) and slot.key not in conflicting
        results.append(RuleResult(slot.key, slot.label, ok,
                                  f"{len(fitting)} eligible location(s) fit it ({names(fitting)})"))
    for rule in selection.set_rules:
        ok = pool.rule_holds(rule, eligible) and rule.key not in conflicting
        judged = _set_rule(pool, rule, eligible, "eligible location(s)")
        results.append(RuleResult(rule.key, rule.label, ok, "across all eligible locations: " + judged.detail))
    return tuple(results)
