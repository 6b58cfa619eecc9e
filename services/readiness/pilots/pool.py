"""The candidate pool of a program under its pilot-selection data: who is excluded, who is eligible,
who can fill which slot, and whether a set satisfies the set rules.

Unknown facts never count in a location's favour: a location whose `ops_strength` is unknown
may be the least organized, one without a known composite is not "20+".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from services.readiness.pilots.candidates import Candidate, ordinal, rank_key, show
from shared.playbooks import PilotSelection
from shared.playbooks.pilot import PilotSlot, SetRule

Assignment = dict[str, Candidate | None]  # slot key -> the member filling it


@dataclass
class Pool:
    selection: PilotSelection
    candidates: tuple[Candidate, ...]
    excluded: dict[str, dict[str, str]] = field(default_factory=dict)  # exclusion key -> id -> why
    eligible: tuple[Candidate, ...] = ()
    _fits: dict[tuple[str, str], bool] = field(default_factory=dict)
    _ranks: dict[tuple[str, str], tuple[Any, ...]] = field(default_factory=dict)
    _matches: dict[tuple[str, str], bool] = field(default_factory=dict)
    _needed: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, selection: PilotSelection, candidates: Sequence[Candidate]) -> Pool:
        pool = cls(selection, tuple(candidates))
        for exclusion in selection.exclusions:
            pool.excluded[exclusion.key] = _lowest(exclusion.fact, pool.candidates)
        barred = {i for why in pool.excluded.values() for i in why}
        eligible = [c for c in pool.candidates if c.location_id not in barred and pool.meets_criteria(c)]
        pool.eligible = tuple(sorted(eligible, key=pool.global_rank))
        return pool

    def global_rank(self, candidate: Candidate) -> tuple[Any, ...]:
        return rank_key(candidate, self.selection.prefer)

    def slot_rank(self, slot: PilotSlot, candidate: Candidate) -> tuple[Any, ...]:
        key = (slot.key, candidate.location_id)
        if key not in self._ranks:
            self._ranks[key] = rank_key(candidate, (*slot.prefer, *self.selection.prefer))
        return self._ranks[key]

    def meets_criteria(self, candidate: Candidate) -> bool:
        return all(c.matches(candidate.facts) is True for c in self.selection.eligibility)

    def fits(self, slot: PilotSlot, candidate: Candidate) -> bool:
        key = (slot.key, candidate.location_id)
        if key not in self._fits:
            self._fits[key] = slot.matches(candidate.facts) is True
        return self._fits[key]

    def needed(self, rule: SetRule) -> int:
        """Distinct values a `min_distinct` rule demands, capped by what the eligible pool has (at least 1)."""
        if not rule.cap_by_portfolio:
            return rule.min
        assert rule.fact is not None
        if rule.key not in self._needed:
            have = {c.facts.get(rule.fact) for c in self.eligible} - {None}
            self._needed[rule.key] = max(1, min(rule.min, len(have)))
        return self._needed[rule.key]

    def counts(self, rule: SetRule, candidate: Candidate) -> bool:
        """Whether `candidate` counts towards an `at_least` rule."""
        key = (rule.key, candidate.location_id)
        if key not in self._matches:
            self._matches[key] = rule.matches(candidate.facts) is True
        return self._matches[key]

    def rule_holds(self, rule: SetRule, members: Sequence[Candidate]) -> bool:
        if rule.kind == "at_least":
            return sum(self.counts(rule, m) for m in members) >= rule.min
        assert rule.fact is not None
        return len({m.facts.get(rule.fact) for m in members} - {None}) >= self.needed(rule)

    def assign(self, members: Sequence[Candidate]) -> Assignment:
        """The best filling of the slots by `members`: most required, then most optional, then best-ranked."""
        slots = self.selection.slots
        options = [[*(m for m in members if self.fits(s, m)), None] for s in slots]
        best: tuple[Any, ...] | None = None
        chosen: Assignment = {slot.key: None for slot in slots}
        for order in product(*options):
            filled = [m.location_id for m in order if m is not None]
            if len(filled) != len(set(filled)):
                continue
            pairs = list(zip(slots, order, strict=True))
            key = (
                -sum(m is not None for s, m in pairs if s.required),
                -sum(m is not None for s, m in pairs if not s.required),
                tuple((1, ()) if m is None else (0, self.slot_rank(s, m)) for s, m in pairs),
            )
            if best is None or key < best:
                best, chosen = key, {s.key: m for s, m in pairs}
        return chosen

    def valid(
        self, members: Sequence[Candidate], assignment: Assignment, *, ignore: frozenset[str] = frozenset()
    ) -> bool:
        """Size, required slots and set rules (eligibility and exclusions are the pool's own filter)."""
        if not self.selection.min_locations <= len(members) <= self.selection.max_locations:
            return False
        slots = self.selection.slots
        if any(s.required and assignment[s.key] is None for s in slots if s.key not in ignore):
            return False
        return all(self.rule_holds(rule, members) for rule in self.selection.set_rules if rule.key not in ignore)

    def preference(self, members: Sequence[Candidate], assignment: Assignment) -> tuple[Any, ...]:
        """Lower is better: optional slots filled, slots by their best-ranked fillers, more pilots, better ranks."""
        slots = self.selection.slots
        return (
            -sum(assignment[s.key] is not None for s in slots if not s.required),
            tuple((1, ()) if (m := assignment[s.key]) is None else (0, self.slot_rank(s, m)) for s in slots),
            -len(members),
            tuple(sorted(self.global_rank(m) for m in members)),
        )


def _lowest(fact: str, candidates: Sequence[Candidate]) -> dict[str, str]:
    """Locations ranking lowest on `fact` (ties together), plus those whose value is unknown.

    When every known value is the same, no location stands out as the lowest: nobody is excluded for it.
    """
    known = {c.location_id: ordinal(fact, c.facts.get(fact)) for c in candidates}
    values = {v for v in known.values() if v is not None}
    out = {c.location_id: f"{fact} unknown" for c in candidates if known[c.location_id] is None}
    if len(values) >= 2:
        floor = min(values)
        out |= {c.location_id: f"lowest {show(fact, c.facts.get(fact))}" for c in candidates
                if known[c.location_id] == floor}
    return out
