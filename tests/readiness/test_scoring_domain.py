"""Pure domain: factor scores derived from facts by the rubric (with reasons), entered scores, re-scoring."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.readiness.locations.domain import (
    AssessLocation,
    Location,
    RegisterLocation,
    RescoreLocation,
    UpdateLocationProfile,
    decide,
    evolve,
)
from services.readiness.programs.playbooks import ProgramPlaybooks
from services.readiness.scoring.domain import Entered, evaluate
from shared.contracts.readiness import LocationScored, LocationScoreWithdrawn
from shared.errors import DomainError
from shared.playbooks import get_template
from tests.readiness.factories import FACTORS, SAMPLE, SAMPLE_FACTS, scores

SOFTSMILE = get_template("softsmile-dso").readiness
BOOKS = ProgramPlaybooks({})  # no programs: the default (SoftSmile) playbook


def fold(*commands: object) -> tuple[Location, list[object]]:
    """Decide and evolve a sequence of commands from a fresh location; return the state and every event."""
    state, events = Location(), []
    for command in commands:
        for event in decide(state, command):  # type: ignore[arg-type]
            state = evolve(state, event)
            events.append(event)
    return state, events


def registered(facts: dict[str, object]) -> Location:
    state, _ = fold(RegisterLocation("L1", "Elm", "north", BOOKS, None, facts))
    return state


def update(facts: dict[str, object]) -> UpdateLocationProfile:
    return UpdateLocationProfile("L1", facts, "om-1", datetime(2025, 1, 6, tzinfo=UTC), BOOKS)


@pytest.mark.parametrize("name", list(SAMPLE))
def test_the_sample_matrix_comes_out_of_facts(name: str) -> None:
    values, composite, level, wave = SAMPLE[name]
    evaluation = evaluate(SOFTSMILE, SAMPLE_FACTS[name], {})
    assert evaluation.scores == scores(values)
    assert evaluation.methods == dict.fromkeys(FACTORS, "derived")
    assert evaluation.placement is not None
    assert (evaluation.placement.composite, evaluation.placement.level, evaluation.placement.recommended_wave) == (
        composite, level, wave)


def test_a_derived_score_names_its_row_and_what_the_next_score_needs() -> None:
    it = evaluate(SOFTSMILE, SAMPLE_FACTS["Location C"], {}).factor("it_infrastructure")
    assert (it.score, it.method) == (3, "derived")
    assert it.criteria == "25+ Mbps, hardware < 5 years old, PMS supported version"  # seed L135, verbatim
    assert it.next_step == "IT Infrastructure Maturity 3 → 4 needs internet_down_mbps ≥ 50 and hardware_age_years < 3"
    champion = evaluate(SOFTSMILE, SAMPLE_FACTS["Location C"], {}).factor("champion")
    assert champion.next_step == (
        "Local Champion Availability 3 → 4 needs champion_commitment = committed "
        "and one of (provider_champion = yes or om_champion = yes)")
    top = evaluate(SOFTSMILE, SAMPLE_FACTS["Location A"], {}).factor("it_infrastructure")
    assert (top.score, top.next_step) == (5, None)


def test_a_missing_fact_gives_not_enough_data_never_a_guess() -> None:
    # 150 Mbps, 1 year, current PMS: row 4 holds, but row 5 also needs the connection type and IT management.
    facts = {"internet_down_mbps": 150, "hardware_age_years": 1, "pms_versions_behind": 0}
    evaluation = evaluate(SOFTSMILE, facts, {})
    it = evaluation.factor("it_infrastructure")
    assert (it.score, it.method, it.at_least) == (None, None, 4)
    assert it.missing == ("internet_type", "it_managed")
    assert it.detail == "IT Infrastructure Maturity: not enough data (at least 4); record internet_type, it_managed"
    assert not evaluation.complete and evaluation.placement is None
    # A fact that decides nothing is not asked for: fiber fails row 5 on bandwidth alone.
    slow = evaluate(SOFTSMILE, {"internet_down_mbps": 30, "hardware_age_years": 4, "pms_supported": True}, {})
    assert slow.factor("it_infrastructure").score == 3


def test_entered_scores_mix_with_derived_ones() -> None:
    facts = {k: v for k, v in SAMPLE_FACTS["Location C"].items() if not k.startswith(("champion", "provider", "om_"))}
    entered = {"champion": Entered(4, "regional manager", "met the OM on site")}
    evaluation = evaluate(SOFTSMILE, facts, entered)
    assert evaluation.scores == scores((3, 3, 3, 4, 4)) and evaluation.placement.composite == 17  # type: ignore[union-attr]
    champion = evaluation.factor("champion")
    assert (champion.method, champion.assessor) == ("entered", "regional manager")
    assert champion.reason == "met the OM on site"
    assert champion.criteria == "Strong provider champion OR strong OM champion"
    assert evaluation.factor("tech_stack").method == "derived"


def test_registering_with_enough_facts_then_changing_them_rescores_only_when_the_result_changes() -> None:
    state, events = fold(
        RegisterLocation("L1", "C", "north", BOOKS, None, SAMPLE_FACTS["Location C"]),
        RescoreLocation("L1", BOOKS, reason="registered with facts"),
    )
    assert [type(e).__name__ for e in events] == ["LocationRegistered", "LocationScored"]
    first = events[-1]
    assert isinstance(first, LocationScored) and (first.method, first.composite, first.assessor) == (
        "derived", 16, "rubric")
    assert first.factors["it_infrastructure"].criteria.startswith("25+ Mbps")
    assert first.playbook_id == "softsmile-dso"

    # A change that leaves every score as it was is recorded, but no new scoring.
    same = decide(state, update({"internet_down_mbps": 40, "latitude": 40.7}))
    assert [type(e).__name__ for e in same] == ["LocationProfileUpdated"]
    assert same[0].changes == {"internet_down_mbps": 40, "latitude": 40.7}  # type: ignore[attr-defined]
    assert same[0].previous == {"internet_down_mbps": 30, "latitude": None}  # type: ignore[attr-defined]
    # Nothing changed at all: nothing recorded.
    assert decide(state, update({"internet_down_mbps": 30})) == []

    faster = decide(state, update({"internet_down_mbps": 60, "hardware_age_years": 2}))
    assert [type(e).__name__ for e in faster] == ["LocationProfileUpdated", "LocationScored"]
    assert faster[1].scores["it_infrastructure"] == 4 and faster[1].composite == 17  # type: ignore[attr-defined]
    assert faster[1].reason == "profile updated: internet_down_mbps, hardware_age_years"  # type: ignore[attr-defined]


def test_losing_a_fact_withdraws_the_composite() -> None:
    state, _ = fold(RegisterLocation("L1", "C", "north", BOOKS, None, SAMPLE_FACTS["Location C"]),
                    RescoreLocation("L1", BOOKS, reason="registered"))
    events = decide(state, update({"monthly_aligner_starts": None}))
    assert [type(e).__name__ for e in events] == ["LocationProfileUpdated", "LocationScoreWithdrawn"]
    withdrawn = events[1]
    assert isinstance(withdrawn, LocationScoreWithdrawn)
    assert withdrawn.unscored == {"patient_volume": ["monthly_aligner_starts"]}
    after = evolve(evolve(state, events[0]), withdrawn)
    assert after.scoring is None and "monthly_aligner_starts" not in after.facts


def test_an_assessment_mixes_entered_and_derived_and_refuses_a_derived_factor_without_data() -> None:
    state = registered({k: v for k, v in SAMPLE_FACTS["Location B"].items() if k != "champion_commitment"})
    entries = dict.fromkeys(FACTORS, "derived")
    with pytest.raises(DomainError) as refused:
        decide(state, AssessLocation("L1", entries, "rm", BOOKS))
    assert refused.value.field == "scores.champion" and "champion_commitment" in refused.value.message

    [scored] = decide(state, AssessLocation("L1", entries | {"champion": 4}, "rm", BOOKS, reason="visit",
                                            reasons={"champion": "Dr Lee volunteered"}))
    assert isinstance(scored, LocationScored)
    assert (scored.composite, scored.recommended_wave, scored.method) == (21, "wave-1", "derived")
    assert scored.factors["champion"].method == "entered" and scored.factors["champion"].reason == "Dr Lee volunteered"
    assert scored.factors["patient_volume"].method == "derived"
    # The entered factor stands through later re-scorings; "derived" reverts it to the rubric.
    after = evolve(state, scored)
    assert after.entered["champion"] == Entered(4, "rm", "Dr Lee volunteered")
    [reverted] = decide(after, AssessLocation("L1", dict.fromkeys(FACTORS, 3) | {"tech_stack": "derived"}, "rm", BOOKS))
    assert isinstance(reverted, LocationScored)
    assert (reverted.factors["tech_stack"].method, reverted.scores["tech_stack"]) == ("derived", 4)
    assert (reverted.factors["champion"].method, reverted.scores["champion"]) == ("entered", 3)


def test_scores_outside_1_to_5_are_refused_naming_the_factor() -> None:
    state = registered({})
    with pytest.raises(DomainError) as refused:
        decide(state, AssessLocation("L1", dict.fromkeys(FACTORS, 3) | {"tech_stack": 6}, "rm", BOOKS))
    assert refused.value.field == "scores.tech_stack"


def test_events_from_before_per_factor_scoring_read_as_five_entered_scores() -> None:
    legacy = LocationScored(location_id="L1", scores=scores((5, 4, 4, 5, 5)), composite=23, level="high",
                            recommended_wave="wave-1", assessor="regional manager")
    state = evolve(registered({}), legacy)
    assert {f: e.score for f, e in state.entered.items()} == scores((5, 4, 4, 5, 5))
    assert state.scoring is not None and state.scoring.methods == dict.fromkeys(FACTORS, "entered")
    # Facts cannot move entered scores, so re-scoring records nothing.
    assert decide(state, update({"internet_down_mbps": 5}))[1:] == []


def test_facts_of_the_wrong_type_or_range_are_refused_naming_the_fact() -> None:
    cases = {
        "internet_down_mbps": "fast", "staff_turnover_pct": 140, "pms": "Dentrix", "it_managed": "yes",
        "pms_version": "G7.3", "composite_score": 20, "region": "south", "favourite_colour": "blue",
    }
    for fact, value in cases.items():
        with pytest.raises(DomainError) as refused:
            decide(Location(), RegisterLocation("L1", "Elm", "north", BOOKS, None, {fact: value}))
        assert refused.value.field == f"facts.{fact}", fact
    P1_ONLY = ProgramPlaybooks({"P1": get_template("softsmile-dso")})
    with pytest.raises(DomainError) as unknown_program:
        decide(Location(), RegisterLocation("L1", "Elm", "north", P1_ONLY, "P-unknown", {}))
    assert unknown_program.value.field == "program_id"
