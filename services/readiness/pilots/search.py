"""Finding the best valid pilot set: exhaustive over the (shortlisted) eligible pool, which is small.

Sets are compared by the template's preferences — optional slots filled, each slot by its
best-ranked filler, more pilots, then the best-ranked members — so the answer is deterministic
and explainable. When no set is valid, each rule whose removal would make one possible is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

from services.readiness.pilots.judge import blocked, judge, picks
from services.readiness.pilots.model import Candidate, Proposal, RuleResult
from services.readiness.pilots.pool import Assignment, Pool
from shared.playbooks import PilotSelection

# Beyond this many eligible locations the search keeps the best-ranked ones plus the best few
# per slot, per "at least" rule and per distinct value, which keeps it well under a second.
MAX_POOL = 40
PER_RULE = 5

Found = tuple[tuple[Any, ...], tuple[Candidate, ...], Assignment]


def _shortlist(pool: Pool) -> list[Candidate]:
    eligible = list(pool.eligible)
    if len(eligible) <= MAX_POOL:
        return eligible
    keep = {c.location_id for c in eligible[:MAX_POOL]}
    for slot in pool.selection.slots:
        fitting = sorted((c for c in eligible if pool.fits(slot, c)), key=lambda c, s=slot: pool.slot_rank(s, c))
        keep |= {c.location_id for c in fitting[:PER_RULE]}
    for rule in pool.selection.set_rules:
        if rule.kind == "at_least":
            keep |= {c.location_id for c in [c for c in eligible if rule.matches(c.facts) is True][:PER_RULE]}
        elif rule.fact:
            firsts: dict[object, str] = {}
            for c in eligible:
                firsts.setdefault(c.facts.get(rule.fact), c.location_id)
            keep |= set(firsts.values())
    return [c for c in eligible if c.location_id in keep]


def _best(pool: Pool, eligible: Sequence[Candidate], ignore: frozenset[str] = frozenset()) -> Found | None:
    selection = pool.selection
    best: Found | None = None
    for size in range(min(selection.max_locations, len(eligible)), selection.min_locations - 1, -1):
        for combo in combinations(eligible, size):
            assignment = pool.assign(combo)
            if not pool.valid(combo, assignment, ignore=ignore):
                continue
            key = pool.preference(combo, assignment)
            if best is None or key < best[0]:
                best = (key, combo, assignment)
            if not selection.slots:
                return best  # combinations come best-ranked first, and bigger sizes come first
    return best


def _conflicting(pool: Pool, eligible: Sequence[Candidate]) -> list[str]:
    """Rules (required slots, set rules) without which a valid set would exist; all of them if none alone."""
    if len(eligible) < pool.selection.min_locations:
        return []
    keys = [s.key for s in pool.selection.slots if s.required] + [r.key for r in pool.selection.set_rules]
    alone = [key for key in keys if _best(pool, eligible, frozenset({key})) is not None]
    return alone or keys


def propose(selection: PilotSelection, candidates: Sequence[Candidate]) -> Proposal:
    """The best valid pilot set with reasons, or no pilots and the rules that block one."""
    pool = Pool.build(selection, candidates)
    eligible = _shortlist(pool)
    found = _best(pool, eligible)
    if found is None:
        return Proposal((), blocked(pool, _conflicting(pool, eligible)))
    _, members, assignment = found
    return Proposal(picks(pool, members, assignment), judge(pool, members, assignment))


def judge_set(
    selection: PilotSelection, candidates: Sequence[Candidate], location_ids: Sequence[str]
) -> tuple[RuleResult, ...]:
    """Every rule judged on a set someone chose (a manager may confirm a set the engine would not)."""
    pool = Pool.build(selection, candidates)
    by_id = {c.location_id: c for c in candidates}
    members = [by_id[i] for i in location_ids]
    return judge(pool, members, pool.assign(members))
