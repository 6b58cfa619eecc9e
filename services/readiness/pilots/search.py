"""Finding the best valid pilot set over the (shortlisted) eligible pool.

Sets are compared by the template's preferences — optional slots filled, each slot by its
best-ranked filler, more pilots, then the best-ranked members — and searched in that order,
so the first valid set found is the answer: deterministic and explainable. When no set is
valid, each rule whose removal would make one possible is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from itertools import combinations
from typing import Any

from services.readiness.pilots.candidates import Candidate, Proposal, RuleResult
from services.readiness.pilots.judge import blocked, judge, picks
from services.readiness.pilots.pool import Assignment, Pool
from shared.playbooks import PilotSelection
from shared.playbooks.pilot import PilotSlot

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
        fitting = sorted((c for c in eligible if pool.fits(slot, c)), key=partial(pool.slot_rank, slot))
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


def _feasible(pool: Pool, eligible: Sequence[Candidate], ignore: frozenset[str]) -> bool:
    """Cheap necessary conditions: each slot has a candidate and each set rule holds on the whole pool."""
    selection = pool.selection
    if len(eligible) < selection.min_locations:
        return False
    if any(s.required and s.key not in ignore and not any(pool.fits(s, c) for c in eligible) for s in selection.slots):
        return False
    return all(pool.rule_holds(r, eligible) for r in selection.set_rules if r.key not in ignore)


def _best(pool: Pool, eligible: Sequence[Candidate], ignore: frozenset[str] = frozenset()) -> Found | None:
    if not _feasible(pool, eligible, ignore):
        return None
    if pool.selection.slots:
        return _best_slotted(pool, eligible, ignore)
    selection = pool.selection
    for size in range(min(selection.max_locations, len(eligible)), selection.min_locations - 1, -1):
        for combo in combinations(eligible, size):  # best-ranked first: the first valid one is the best
            assignment = pool.assign(combo)
            if pool.valid(combo, assignment, ignore=ignore):
                return pool.preference(combo, assignment), combo, assignment
    return None


def _best_slotted(pool: Pool, eligible: Sequence[Candidate], ignore: frozenset[str]) -> Found | None:
    """Most optional slots filled first; within that, slots filled depth-first in rank order, so the
    first valid filling is the best-ranked one."""
    slots = pool.selection.slots
    ranked = {s.key: sorted((c for c in eligible if pool.fits(s, c)), key=partial(pool.slot_rank, s)) for s in slots}
    optional = [s.key for s in slots if not s.required]

    def options(slot: PilotSlot, filled: set[str]) -> list[Candidate | None]:
        if slot.required:
            return [*ranked[slot.key], *([None] if slot.key in ignore else [])]
        return [*ranked[slot.key]] if slot.key in filled else [None]

    def fill(index: int, chosen: list[Candidate | None], filled: set[str]) -> Found | None:
        if index == len(slots):
            return _complete(pool, eligible, {s.key: m for s, m in zip(slots, chosen, strict=True)}, ignore)
        for option in options(slots[index], filled):
            if option is None or all(option is not c for c in chosen):
                found = fill(index + 1, [*chosen, option], filled)
                if found:
                    return found
        return None

    for count in range(len(optional), -1, -1):
        found = [f for subset in combinations(optional, count) if (f := fill(0, [], set(subset)))]
        if found:
            return min(found, key=lambda f: f[0])
    return None


def _complete(
    pool: Pool, eligible: Sequence[Candidate], assignment: Assignment, ignore: frozenset[str]
) -> Found | None:
    """The slot fillers plus as many best-ranked other eligible locations as the size allows and the rules need."""
    fillers = [m for m in assignment.values() if m is not None]
    rest = [c for c in eligible if all(c is not m for m in fillers)]
    low, high = pool.selection.min_locations, pool.selection.max_locations
    for extra in range(high - len(fillers), max(0, low - len(fillers)) - 1, -1):
        for more in combinations(rest, extra):
            members = (*fillers, *more)
            if pool.valid(members, assignment, ignore=ignore):
                return pool.preference(members, assignment), members, assignment
    return None


def _conflicting(pool: Pool, eligible: Sequence[Candidate]) -> list[str]:
    """Rules (required slots, set rules) without which a valid set would exist; all of them if none alone."""
    if not _feasible(pool, eligible, frozenset()):
        return []  # too few eligible, or a rule the whole pool cannot meet: `blocked` names those
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
    _, combo, assignment = found
    # Slot fillers first, in slot order, then the other members by rank.
    fillers = [m for s in selection.slots if (m := assignment[s.key]) is not None]
    members = fillers + [m for m in combo if m not in fillers]
    return Proposal(picks(pool, members, assignment), judge(pool, members, assignment))


def judge_set(
    selection: PilotSelection, candidates: Sequence[Candidate], location_ids: Sequence[str]
) -> tuple[RuleResult, ...]:
    """Every rule judged on a set someone chose (a manager may confirm a set the engine would not)."""
    pool = Pool.build(selection, candidates)
    by_id = {c.location_id: c for c in candidates}
    members = [by_id[i] for i in location_ids]
    return judge(pool, members, pool.assign(members))
