"""Technical requirements: a per-location checklist of fact checks, each required or recommended."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from shared.playbooks.base import Labeled
from shared.playbooks.conditions import Condition, ConditionValue, Operator, check_condition


class TechRequirement(Labeled):
    """One checklist line: `fact op threshold`, checked only where `applies_when` holds."""

    level: Literal["required", "recommended"]
    fact: str
    op: Operator
    threshold: ConditionValue = None
    applies_when: tuple[Condition, ...] = ()

    @model_validator(mode="after")
    def _typed(self) -> TechRequirement:
        check_condition(self.fact, self.op, self.threshold, value_field="threshold")
        return self

    @property
    def check(self) -> Condition:
        """The requirement as a condition, for the shared evaluator."""
        return Condition(fact=self.fact, op=self.op, value=self.threshold)
