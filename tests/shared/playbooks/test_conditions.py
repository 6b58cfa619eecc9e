"""Conditions evaluate location facts, so a later service can derive rubric scores from them."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.playbooks import LOCATION_FACTS, Condition, Factor, builtin_templates, get_template


def derive(factor: Factor, facts: Mapping[str, object]) -> int | None:
    """Highest row whose conditions match — the ladder the templates document."""
    return next((row.score for row in sorted(factor.rows, key=lambda r: -r.score) if row.matches(facts)), None)


def test_it_scores_from_facts() -> None:
    it = get_template("softsmile-dso").readiness.factor("it_infrastructure")
    fiber = {"internet_type": "fiber", "internet_down_mbps": 200, "hardware_age_years": 1, "pms_versions_behind": 0,
             "it_managed": True, "pms_supported": True}
    assert derive(it, fiber) == 5
    assert derive(it, {**fiber, "internet_type": "cable", "internet_down_mbps": 60, "hardware_age_years": 2.5}) == 4
    assert derive(it, {**fiber, "internet_down_mbps": 8}) == 1


def test_champion_or_rule() -> None:
    champion = get_template("softsmile-dso").readiness.factor("champion")
    facts = {"provider_champion": False, "om_champion": True, "champion_commitment": "committed",
             "active_staff_resistance": False}
    assert derive(champion, facts) == 4


def test_missing_fact_is_unknown_not_false() -> None:
    condition = Condition(fact="latency_ms", op="<", value=100)
    assert condition.holds({}) is None
    assert condition.holds({"latency_ms": 40}) is True


def test_versions_compare_numerically() -> None:
    dentrix = Condition(fact="pms_version", op=">=", value="7.3")
    assert dentrix.holds({"pms_version": "7.10"}) is True
    assert dentrix.holds({"pms_version": "7.2"}) is False


def test_ordered_choices_compare_by_rank() -> None:
    assert Condition(fact="ops_strength", op=">=", value="moderate").holds({"ops_strength": "strong"}) is True
    assert Condition(fact="ops_strength", op=">=", value="moderate").holds({"ops_strength": "weak"}) is False


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"fact": "bandwidth", "op": ">=", "value": 1}, "fact: unknown location fact"),
        ({"fact": "it_managed", "op": ">=", "value": 1}, "op: '>=' does not apply to bool fact"),
        ({"fact": "internet_down_mbps", "op": ">=", "value": "50"}, "value: must be a number"),
        ({"fact": "pms_version", "op": ">=", "value": 7.3}, "value: must be a quoted dotted version"),
        ({"fact": "pms", "op": "==", "value": "curve"}, "value: 'curve' is not one of"),
        ({"fact": "pms", "op": "in", "value": []}, "value: must be a non-empty list"),
    ],
)
def test_ill_typed_conditions_are_rejected(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Condition.model_validate(fields)


def _rubric_facts() -> dict[str, st.SearchStrategy[object]]:
    names = {
        c.fact
        for template in builtin_templates().values()
        for factor in template.readiness.factors
        for row in factor.rows
        for c in row.conditions
    }
    strategies: dict[str, st.SearchStrategy[object]] = {}
    for name in names:
        spec = LOCATION_FACTS[name]
        if spec.kind == "bool":
            strategies[name] = st.booleans()
        elif spec.kind == "choice":
            strategies[name] = st.sampled_from(spec.choices)
        else:
            strategies[name] = st.integers(min_value=0, max_value=200)
    return strategies


@settings(max_examples=200, deadline=None)
@given(facts=st.fixed_dictionaries(_rubric_facts()))
def test_every_complete_location_gets_a_score(facts: dict[str, object]) -> None:
    for template in builtin_templates().values():
        for factor in template.readiness.factors:
            assert derive(factor, facts) is not None, (template.id, factor.key, facts)
