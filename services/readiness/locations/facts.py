"""Location facts: the shared vocabulary (`LOCATION_FACTS`) plus the ranges and units readiness enforces.

The vocabulary names and types every fact a playbook may test; this module adds what a
person entering data needs checked (a turnover of 140% is a typo) and how values read
("50 Mbps"). Scores are derived, never entered as facts; `region` is the location's own field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.playbooks import LOCATION_FACTS, FactSpec
from shared.text import forbidden_character

# Facts the readiness service computes from scores; entering them would bypass the rubric.
DERIVED_FACTS = frozenset(
    {"composite_score", "min_factor_score"} | {name for name in LOCATION_FACTS if name.startswith("score_")}
)
# A location's geo position is not in the shared vocabulary (no playbook tests it); readiness keeps it.
EXTRA_FACTS: dict[str, FactSpec] = {
    "latitude": FactSpec(kind="number", description="Latitude of the practice, degrees"),
    "longitude": FactSpec(kind="number", description="Longitude of the practice, degrees"),
}
ENTERED_FACTS: dict[str, FactSpec] = {
    name: spec for name, spec in (LOCATION_FACTS | EXTRA_FACTS).items() if name not in DERIVED_FACTS | {"region"}
}
TEXT_MAX = 200


@dataclass(frozen=True, slots=True)
class Range:
    """Inclusive bounds and the unit a number fact is read in."""

    low: float
    high: float
    unit: str = ""


RANGES: dict[str, Range] = {
    "monthly_aligner_starts": Range(0, 10_000, "starts/month"),
    "internet_down_mbps": Range(0, 100_000, "Mbps"),
    "internet_up_mbps": Range(0, 100_000, "Mbps"),
    "latency_ms": Range(0, 60_000, "ms"),
    "hardware_age_years": Range(0, 50, "years"),
    "workstation_cpu_class": Range(1, 20),
    "workstation_ram_gb": Range(0, 4096, "GB"),
    "monitor_size_in": Range(0, 120, "in"),
    "devices_per_clinician": Range(0, 50),
    "shared_devices": Range(0, 500),
    "pms_versions_behind": Range(0, 100),
    "staff_turnover_pct": Range(0, 100, "%"),
    "regional_manager_distance_km": Range(0, 20_000, "km"),
    "latitude": Range(-90, 90, "°"),
    "longitude": Range(-180, 180, "°"),
}
DEFAULT_RANGE = Range(0, 1_000_000)
VERSION = re.compile(r"^\d+(\.\d+)*$")


def unit(fact: str) -> str:
    """The unit a number fact is read in ('' when it has none)."""
    return RANGES.get(fact, DEFAULT_RANGE).unit


def check_value(fact: str, value: Any) -> str | None:
    """Why `value` is not acceptable for `fact`, or None when it is."""
    spec = ENTERED_FACTS.get(fact)
    if spec is None:
        if fact in DERIVED_FACTS:
            return "is derived from the factor scores and cannot be entered"
        if fact == "region":
            return "region is the location's own field, not a fact"
        return "is not a known location fact"
    if spec.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return f"must be a number, got {value!r}"
        bounds = RANGES.get(fact, DEFAULT_RANGE)
        if not bounds.low <= value <= bounds.high:
            return f"must be between {bounds.low:g} and {bounds.high:g}{' ' + bounds.unit if bounds.unit else ''}"
        return None
    if spec.kind == "bool":
        return None if isinstance(value, bool) else f"must be true or false, got {value!r}"
    if not isinstance(value, str):
        return f"must be a string, got {value!r}"
    if spec.kind == "choice" and value not in spec.choices:
        return f"must be one of {', '.join(spec.choices)}; got {value!r}"
    if spec.kind == "version" and not VERSION.match(value):
        return f"must be a dotted version like '7.3', got {value!r}"
    if spec.kind == "text" and not 1 <= len(value) <= TEXT_MAX:
        return f"must be 1-{TEXT_MAX} characters"
    if spec.kind == "text":
        return forbidden_character(value)
    return None


def problems(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every (fact, reason) that makes `facts` unacceptable, in the order given; null means "unknown"."""
    found = []
    for fact, value in facts.items():
        if value is None and fact in ENTERED_FACTS:
            continue
        reason = check_value(fact, value)
        if reason:
            found.append((fact, reason))
    return found


def rule_facts(
    facts: Mapping[str, Any], *, region: str, scores: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """Facts as playbook conditions see them: entered ones, the region, and scores once complete."""
    merged: dict[str, Any] = dict(facts)
    merged["region"] = region
    if scores:
        for factor, score in scores.items():
            merged[f"score_{factor}"] = score
        merged["composite_score"] = sum(scores.values())
        merged["min_factor_score"] = min(scores.values())
    return merged
