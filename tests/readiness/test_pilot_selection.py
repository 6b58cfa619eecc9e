"""Pure pilot selection: properties over generated 30-location DSOs for each template, plus worked cases.

The oracle below re-reads each template's `pilot_selection` data on its own (exclusions, eligibility,
slots, set rules) so the engine is checked against the rules, not against itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations, permutations
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.readiness.locations.facts import rule_facts
from services.readiness.pilots.candidates import COUNT_RULE, Candidate
from services.readiness.pilots.search import propose
from shared.playbooks import LOCATION_FACTS, PilotSelection, get_template
from tests.readiness.factories import FACTORS

TEMPLATES = ("softsmile-dso", "spark-dso")


def _rank(fact: str, value: Any) -> Any:
    spec = LOCATION_FACTS[fact]
    return spec.choices.index(value) if spec.kind == "choice" else value


def oracle_unmet(selection: PilotSelection, everyone: Sequence[Candidate], chosen: Sequence[Candidate]) -> set[str]:
    """The rules a chosen set breaks, straight from the template data."""
    unmet = set()
    if not selection.min_locations <= len(chosen) <= selection.max_locations:
        unmet.add(COUNT_RULE)
    excluded: set[str] = set()
    for exclusion in selection.exclusions:
        known = {c.location_id: c.facts.get(exclusion.fact) for c in everyone}
        ranks = {_rank(exclusion.fact, v) for v in known.values() if v is not None}
        lowest = min(ranks) if len(ranks) > 1 else None
        out = {i for i, v in known.items() if v is None or _rank(exclusion.fact, v) == lowest}
        excluded |= out
        if any(c.location_id in out for c in chosen):
            unmet.add(exclusion.key)
    for criterion in selection.eligibility:
        if any(criterion.matches(c.facts) is not True for c in chosen):
            unmet.add(criterion.key)
    required = [s for s in selection.slots if s.required]
    fillings = permutations(chosen, len(required)) if len(chosen) >= len(required) else []
    if required and not any(all(s.matches(m.facts) is True for s, m in zip(required, f, strict=True))
                            for f in fillings):
        unmet.update(s.key for s in required)
    pool = [c for c in everyone if c.location_id not in excluded
            and all(k.matches(c.facts) is True for k in selection.eligibility)]
    for rule in selection.set_rules:
        if rule.kind == "at_least":
            if sum(rule.matches(c.facts) is True for c in chosen) < rule.min:
                unmet.add(rule.key)
        else:
            have = len({c.facts.get(rule.fact) for c in pool} - {None})
            needed = max(1, min(rule.min, have)) if rule.cap_by_portfolio else rule.min
            if len({c.facts.get(rule.fact) for c in chosen} - {None}) < needed:
                unmet.add(rule.key)
    return unmet


def oracle_has_valid_set(selection: PilotSelection, everyone: Sequence[Candidate]) -> bool:
    """Brute force over every set of allowed size (members that break a per-location rule can never help)."""
    fine = [c for c in everyone if not oracle_unmet(selection, everyone, [c]) - {COUNT_RULE}
            - {s.key for s in selection.slots} - {r.key for r in selection.set_rules}]
    return any(
        not oracle_unmet(selection, everyone, combo)
        for size in range(selection.min_locations, selection.max_locations + 1)
        for combo in combinations(fine, size)
    )


def sometimes_unknown(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a value, one time in ten unknown (a fact not recorded)."""
    return st.integers(0, 9).flatmap(lambda n: st.none() if n == 0 else strategy)


@st.composite
def location(draw: st.DrawFn, index: int) -> Candidate:
    mostly_yes = st.sampled_from([True, True, True, False])
    facts = {
        "practice_type": draw(sometimes_unknown(st.sampled_from(["gp", "ortho_specialty", "multi_specialty"]))),
        "setting": draw(sometimes_unknown(st.sampled_from(["urban", "suburban", "rural"]))),
        "monthly_aligner_starts": draw(sometimes_unknown(st.integers(0, 120))),
        "ops_strength": draw(sometimes_unknown(st.sampled_from(["weak", "moderate", "strong"]))),
        "staff_tech_culture": draw(sometimes_unknown(st.sampled_from(["resistant", "neutral", "tech_forward"]))),
        "provider_champion": draw(sometimes_unknown(mostly_yes)),
        "champion_volunteered": draw(sometimes_unknown(mostly_yes)),
        "om_has_capacity": draw(sometimes_unknown(mostly_yes)),
        "near_regional_manager": draw(sometimes_unknown(mostly_yes)),
        "ongoing_major_change": draw(sometimes_unknown(st.sampled_from([False, False, False, True]))),
    }
    scored = draw(st.integers(0, 9)) > 0
    # Skewed high so that a fair share of DSOs have several 20+ locations, some with a weaker factor.
    factor_score = st.sampled_from([1, 2, 3, 4, 4, 5, 5, 5])
    scores = dict(zip(FACTORS, draw(st.lists(factor_score, min_size=5, max_size=5)), strict=True))
    region = draw(st.sampled_from(["north", "south", "east", "west"]))
    known = {k: v for k, v in facts.items() if v is not None}
    return Candidate(f"L{index:02d}", f"Location {index:02d}",
                     rule_facts(known, region=region, scores=scores if scored else None))


@st.composite
def dso(draw: st.DrawFn, size: int = 30) -> list[Candidate]:
    return [draw(location(i)) for i in range(size)]


@pytest.mark.parametrize("template_id", TEMPLATES)
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(locations=dso())
def test_every_proposal_satisfies_every_rule_or_names_what_blocks_it(template_id: str,
                                                                     locations: list[Candidate]) -> None:
    selection = get_template(template_id).pilot_selection
    proposal = propose(selection, locations)
    by_id = {c.location_id: c for c in locations}
    rule_keys = {COUNT_RULE} | {r.key for group in (selection.eligibility, selection.exclusions, selection.slots,
                                                    selection.set_rules) for r in group}
    assert {r.rule for r in proposal.rules} == rule_keys and all(r.detail for r in proposal.rules)
    if proposal.pilots:
        chosen = [by_id[i] for i in proposal.location_ids]
        assert len(set(proposal.location_ids)) == len(chosen)
        assert oracle_unmet(selection, locations, chosen) == set()
        assert all(r.satisfied for r in proposal.rules)
        assert all(pick.reasons for pick in proposal.pilots)
    else:
        assert proposal.unmet, "a blocked proposal names the unmet rule"
        assert not oracle_has_valid_set(selection, locations), "the engine missed a valid set"


def softsmile_location(index: int, *, region: str, practice: str, setting: str, starts: int,
                       scores: tuple[int, ...], **extra: object) -> Candidate:
    facts = {"practice_type": practice, "setting": setting, "monthly_aligner_starts": starts,
             "provider_champion": True, "champion_volunteered": True, "om_has_capacity": True,
             "near_regional_manager": True, "ongoing_major_change": False} | extra
    return Candidate(f"L{index}", f"Location {index}",
                     rule_facts(facts, region=region, scores=dict(zip(FACTORS, scores, strict=True))))


def test_softsmile_never_picks_only_the_best() -> None:
    best = [softsmile_location(i, region=r, practice=p, setting=s, starts=80, scores=(5, 5, 5, 5, 5))
            for i, (r, p, s) in enumerate([("north", "gp", "urban"), ("south", "ortho_specialty", "rural"),
                                           ("east", "gp", "suburban")])]
    challenged = softsmile_location(9, region="north", practice="gp", setting="urban", starts=30,
                                    scores=(5, 5, 3, 4, 5))
    proposal = propose(get_template("softsmile-dso").pilot_selection, [*best, challenged])
    assert "L9" in proposal.location_ids and len(proposal.location_ids) == 3
    [pick] = [p for p in proposal.pilots if p.location_id == "L9"]
    assert any(r.startswith("Include at least one location with minor challenges") for r in pick.reasons)
    assert any("composite_score 22" in r for r in pick.reasons)


def test_softsmile_explains_a_blocked_set() -> None:
    # Three strong candidates, but no high-volume location among them.
    locations = [softsmile_location(i, region=r, practice="gp", setting="urban", starts=30, scores=(5, 4, 3, 5, 5))
                 for i, r in enumerate(["north", "south", "east"])]
    locations.append(softsmile_location(7, region="west", practice="gp", setting="urban", starts=90,
                                        scores=(5, 5, 5, 5, 5), ongoing_major_change=True))
    proposal = propose(get_template("softsmile-dso").pilot_selection, locations)
    assert proposal.pilots == ()
    rules = {r.rule: r for r in proposal.rules}
    assert not rules["high-volume"].satisfied
    assert rules["high-volume"].detail.startswith("across all eligible locations: 0 eligible location(s) match")
    assert rules["no-major-change"].detail.startswith("3 of 4 location(s) meet it")


def spark_location(index: int, starts: int, ops: str, volume_score: int) -> Candidate:
    scores = dict.fromkeys(FACTORS, 4) | {"patient_volume": volume_score}
    facts = {"monthly_aligner_starts": starts, "ops_strength": ops, "staff_tech_culture": "neutral"}
    return Candidate(f"L{index}", f"Location {index}", rule_facts(facts, region="north", scores=scores))


def test_spark_takes_a_flagship_a_mid_size_and_a_satellite_but_never_the_least_organized() -> None:
    locations = [
        spark_location(1, 120, "weak", 5),      # highest volume, least organized: never a pilot
        spark_location(2, 90, "strong", 5),     # flagship
        spark_location(3, 60, "moderate", 4),
        spark_location(4, 35, "moderate", 3),   # mid-size
        spark_location(5, 12, "strong", 2),     # satellite
    ]
    proposal = propose(get_template("spark-dso").pilot_selection, locations)
    assert proposal.location_ids == ["L2", "L4", "L5"]
    assert proposal.pilots[0].reasons[0].startswith("Flagship location (highest volume, most tech-forward): "
                                                    "monthly_aligner_starts 90")
    rules = {r.rule: r for r in proposal.rules}
    assert rules["least-organized"].satisfied and "L1" not in proposal.location_ids
    assert rules["satellite"].detail == "filled by Location 5"
