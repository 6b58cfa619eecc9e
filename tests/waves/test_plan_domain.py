"""The wave plan, pure: readiness places locations, the pilot set is wave 1, capacity pushes the lowest on."""

from __future__ import annotations

from datetime import date

from services.waves.plan.assign import Candidate, assign, capacities
from services.waves.plan.cadence import planned, spread
from shared.playbooks import get_template

SOFTSMILE = get_template("softsmile-dso")
SPARK = get_template("spark-dso")
SCORES = {"it_infrastructure": 2, "staff_adaptability": 2, "patient_volume": 2, "tech_stack": 3, "champion": 2}


def scored(location_id: str, composite: int, wave: str, **fields: object) -> Candidate:
    return Candidate(location_id, composite, wave, fields.pop("scores", {}), **fields)  # type: ignore[arg-type]


def waves(placements: list) -> dict[str, str | None]:  # type: ignore[type-arg]
    return {p.location_id: p.wave for p in placements}


def test_capacity_comes_from_the_playbook_phases() -> None:
    assert capacities(SOFTSMILE) == {"wave-1": 3, "wave-2": 8, "wave-3": None}
    assert capacities(SPARK) == {"wave-1": 3, "wave-2": 6, "wave-3": None}


def test_recommended_waves_place_locations_and_remediation_stays_unscheduled_with_blocking_scores() -> None:
    result = assign(SOFTSMILE, [scored("a", 23, "wave-1"), scored("c", 16, "wave-2"),
                                scored("d", 11, "remediation", scores=SCORES), Candidate("new")],
                    pilot_confirmed=False)
    assert waves(result) == {"a": "wave-1", "c": "wave-2", "d": None, "new": None}
    remediation = result[2]
    assert remediation.blocking_scores == {"champion": 2, "it_infrastructure": 2, "patient_volume": 2,
                                           "staff_adaptability": 2}
    assert "below 12" in remediation.reason and "champion 2" in remediation.reason
    assert result[3].reason == "not scored yet"


def test_over_capacity_the_lowest_composites_wait_for_the_next_wave() -> None:
    candidates = [scored(f"w{c}", c, "wave-1") for c in (20, 25, 21, 22, 23)]
    result = assign(SOFTSMILE, candidates, pilot_confirmed=False)
    assert waves(result) == {"w25": "wave-1", "w23": "wave-1", "w22": "wave-1", "w21": "wave-2", "w20": "wave-2"}
    assert result[0].reason == "wave-1 full (capacity 3): composite 20 waits for wave-2"


def test_the_confirmed_pilot_set_is_wave_1_and_other_high_scorers_move_on() -> None:
    candidates = [scored("a", 23, "wave-1"), scored("b", 21, "wave-1", pilot=True),
                  scored("c", 16, "wave-2", pilot=True)]
    result = assign(SOFTSMILE, candidates, pilot_confirmed=True)
    assert waves(result) == {"a": "wave-2", "b": "wave-1", "c": "wave-1"}
    assert result[0].reason == "recommended wave-1, not in the confirmed pilot set"


def test_a_live_location_keeps_its_wave_and_its_seat() -> None:
    candidates = [scored("live", 12, "wave-3", live_wave="wave-1")]
    candidates += [scored(f"w{c}", c, "wave-1") for c in (20, 21, 22)]
    assert waves(assign(SOFTSMILE, candidates, pilot_confirmed=False)) == {
        "live": "wave-1", "w22": "wave-1", "w21": "wave-1", "w20": "wave-2"}


def test_go_live_dates_follow_the_cadence() -> None:
    monday = date(2025, 9, 1)
    # SoftSmile wave 1 together in week 5 (L213).
    assert {p.week for p in planned(SOFTSMILE, monday, "wave-1", ["a", "b", "c"]).values()} == {5}
    # Wave 2 staggered 2-3 per week from week 9 (L220): 6 locations -> 3 + 3 in weeks 9 and 10.
    wave2 = planned(SOFTSMILE, monday, "wave-2", [f"l{i}" for i in range(6)])
    assert [p.week for p in wave2.values()] == [9, 9, 9, 10, 10, 10]
    assert wave2["l0"].date == date(2025, 10, 27)
    # Wave 3: 3-5 per week from week 13 (L224): 12 locations -> 4 + 4 + 4.
    assert [p.week for p in planned(SOFTSMILE, monday, "wave-3", [f"l{i}" for i in range(12)]).values()] == \
        [13] * 4 + [14] * 4 + [15] * 4
    # Spark: every location of a wave on the same Monday; the pilot in week 5, after training.
    spark = planned(SPARK, date(2025, 9, 3), "wave-1", ["a", "b"])
    assert {p.date for p in spark.values()} == {date(2025, 10, 6)} and spark["a"].date.weekday() == 0


def test_spread_is_even_within_the_weekly_maximum() -> None:
    assert spread(0, 3) == [] and spread(5, 3) == [3, 2] and spread(8, 3) == [3, 3, 2]
    assert spread(22, 5) == [5, 5, 4, 4, 4]
