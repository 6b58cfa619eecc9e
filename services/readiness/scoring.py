"""Readiness arithmetic: five factor scores -> composite -> level -> recommended wave.

Pure and table-driven: the thresholds are data (a playbook's), the default being
the SoftSmile table, whose sample matrix is the reference (A 23 -> wave-1,
B 21 -> wave-1, C 16 -> wave-2, D 11 -> remediation).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.readiness import FACTORS


@dataclass(frozen=True, slots=True)
class Threshold:
    """Composites from `minimum` up (to the next threshold) have this level and wave."""

    minimum: int
    level: str
    wave: str


SOFTSMILE_THRESHOLDS = (
    Threshold(20, "high", "wave-1"),
    Threshold(15, "medium_high", "wave-2"),
    Threshold(12, "medium", "wave-3"),
    Threshold(5, "low", "remediation"),
)


@dataclass(frozen=True, slots=True)
class Readiness:
    composite: int
    level: str
    recommended_wave: str


def assess(scores: dict[str, int], thresholds: tuple[Threshold, ...] = SOFTSMILE_THRESHOLDS) -> Readiness:
    """Composite is the plain sum of the five factors (5-25)."""
    missing = [f for f in FACTORS if f not in scores]
    if missing:
        raise ValueError(f"missing factor scores: {', '.join(missing)}")
    composite = sum(scores[f] for f in FACTORS)
    for threshold in sorted(thresholds, key=lambda t: t.minimum, reverse=True):
        if composite >= threshold.minimum:
            return Readiness(composite, threshold.level, threshold.wave)
    lowest = min(thresholds, key=lambda t: t.minimum)
    return Readiness(composite, lowest.level, lowest.wave)
