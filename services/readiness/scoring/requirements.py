"""The technical-requirements checklist of one location against its program's template.

Each item is pass, fail or unknown (the fact is not recorded), or not applicable (its
`applies_when` rules it out: the Dentrix version line for an Eaglesoft practice); a failed
or unknown item says what it needs and what the location has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from services.readiness.locations.facts import unit
from services.readiness.scoring.rubric import SYMBOLS, describe
from shared.playbooks import TechRequirement

Status = Literal["pass", "fail", "unknown", "not_applicable"]


@dataclass(frozen=True, slots=True)
class CheckItem:
    key: str
    label: str
    level: str
    fact: str
    expected: str
    actual: Any
    status: Status
    gap: str | None


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def expected(requirement: TechRequirement) -> str:
    """What the item needs, as a person reads it: "≥ 50 Mbps", "yes", "one of chrome, edge"."""
    op, threshold = requirement.op, requirement.threshold
    if op in ("is_true", "is_false"):
        return "yes" if op == "is_true" else "no"
    if isinstance(threshold, tuple):
        listed = ", ".join(map(str, threshold))
        return f"one of {listed}" if op == "in" else f"none of {listed}"
    suffix = unit(requirement.fact)
    return f"{SYMBOLS[op]} {_value(threshold)}{' ' + suffix if suffix else ''}"


def _applies(requirement: TechRequirement, facts: Mapping[str, Any]) -> bool | None:
    results = [c.holds(facts) for c in requirement.applies_when]
    if False in results:
        return False
    return None if None in results else True


def check(requirement: TechRequirement, facts: Mapping[str, Any]) -> CheckItem:
    """One checklist line for `facts`."""
    needs, actual = expected(requirement), facts.get(requirement.fact)

    def item(status: Status, gap: str | None = None) -> CheckItem:
        return CheckItem(requirement.key, requirement.label, requirement.level, requirement.fact, needs, actual,
                         status, gap)

    applies = _applies(requirement, facts)
    if applies is False:
        return item("not_applicable")
    if applies is None:
        condition = " and ".join(describe(c) for c in requirement.applies_when)
        return item("unknown", f"applies when {condition}, which is not recorded")
    outcome = requirement.check.holds(facts)
    if outcome is None:
        return item("unknown", f"needs {needs}; {requirement.fact} is not recorded")
    if outcome:
        return item("pass")
    return item("fail", f"needs {needs}, has {_value(actual)}")


def checklist(requirements: Sequence[TechRequirement], facts: Mapping[str, Any]) -> list[CheckItem]:
    """Every requirement of the template, in template order."""
    return [check(requirement, facts) for requirement in requirements]


def ready(items: Sequence[CheckItem]) -> bool:
    """No required item fails or is unknown."""
    return not any(i.level == "required" and i.status in ("fail", "unknown") for i in items)
