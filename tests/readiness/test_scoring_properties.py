"""Properties of readiness scoring (hypothesis): a better factor never places a location later."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.readiness.scoring.domain import assess
from shared.contracts.readiness import FACTORS
from shared.playbooks import get_template

TEMPLATES = ("softsmile-dso", "spark-dso")
scores = st.fixed_dictionaries({factor: st.integers(1, 5) for factor in FACTORS})


def rank(template: str, wave: str) -> int:
    """The place of a recommended wave, earliest first (remediation last)."""
    order = [t.recommended_wave for t in sorted(get_template(template).readiness.thresholds, key=lambda t: -t.min)]
    return order.index(wave)


@settings(max_examples=300, deadline=None)
@given(scores, st.sampled_from(FACTORS), st.sampled_from(TEMPLATES))
def test_raising_one_factor_raises_the_composite_and_never_places_later(base, factor, template) -> None:  # type: ignore[no-untyped-def]
    readiness = get_template(template).readiness
    if base[factor] == 5:
        base = base | {factor: 4}
    before = assess(base, readiness)
    after = assess(base | {factor: base[factor] + 1}, readiness)
    assert after.composite == before.composite + 1
    assert rank(template, after.recommended_wave) <= rank(template, before.recommended_wave)


@settings(max_examples=100, deadline=None)
@given(scores, st.sampled_from(TEMPLATES))
def test_every_composite_is_placed_by_exactly_one_threshold(chosen, template) -> None:  # type: ignore[no-untyped-def]
    readiness = get_template(template).readiness
    placed = assess(chosen, readiness)
    holding = [t for t in readiness.thresholds if t.min <= placed.composite <= t.max]
    assert len(holding) == 1 and holding[0].recommended_wave == placed.recommended_wave
