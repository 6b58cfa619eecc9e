"""Pilot-selection rules as data: who may pilot, which slots to fill, what the set must span.

The engine filters by `eligibility`, drops `exclusions`, fills `slots` by their `prefer`
ranking, then checks `set_rules` on the chosen set. A proposal is advice; `approver` confirms.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from shared.playbooks.base import FieldError, Labeled, Model, Text, ensure_unique
from shared.playbooks.conditions import Conditional
from shared.playbooks.vocabulary import LOCATION_FACTS


def _check_rankable(fact: str) -> None:
    spec = LOCATION_FACTS.get(fact)
    if spec is None:
        raise FieldError("fact", f"unknown location fact {fact!r}")
    if spec.kind not in ("number", "version") and not spec.ordered:
        raise FieldError("fact", f"{fact!r} has no order to rank by")


class RankKey(Model):
    """Order candidates by a fact; `desc` puts the highest first."""

    fact: str
    order: Literal["asc", "desc"] = "desc"

    @model_validator(mode="after")
    def _rankable(self) -> RankKey:
        _check_rankable(self.fact)
        return self


class PilotCriterion(Labeled, Conditional):
    """A condition every pilot location must meet."""


class PilotSlot(Labeled, Conditional):
    """A role in the pilot set (e.g. flagship), filled by the best-ranked matching location."""

    required: bool = True
    prefer: tuple[RankKey, ...] = ()
    purpose: str | None = None


class SetRule(Labeled, Conditional):
    """A rule on the whole set: `min_distinct` values of a fact, or `at_least` N matching locations."""

    kind: Literal["min_distinct", "at_least"]
    fact: str | None = None
    min: int = Field(strict=True, ge=1)
    # Only demand as many distinct values as the eligible portfolio actually has.
    cap_by_portfolio: bool = True

    @model_validator(mode="after")
    def _shape(self) -> SetRule:
        if self.kind == "min_distinct":
            if self.fact is None or self.fact not in LOCATION_FACTS:
                raise FieldError("fact", f"min_distinct needs a known location fact, got {self.fact!r}")
            if self.all_of or self.any_of:
                raise FieldError("all_of", "min_distinct takes no conditions")
        elif self.fact is not None:
            raise FieldError("fact", "at_least takes conditions, not a fact")
        elif not self.all_of and not self.any_of:
            raise FieldError("all_of", "at_least needs conditions")
        return self


class Exclusion(Labeled):
    """Never pilot the location(s) ranking lowest on `fact` (ties excluded together)."""

    kind: Literal["lowest"] = "lowest"
    fact: str

    @model_validator(mode="after")
    def _rankable(self) -> Exclusion:
        _check_rankable(self.fact)
        return self


class PilotSelection(Model):
    """How many pilots, and the rules a pilot proposal must satisfy."""

    min_locations: int = Field(strict=True, ge=1)
    max_locations: int = Field(strict=True, ge=1)
    eligibility: tuple[PilotCriterion, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    slots: tuple[PilotSlot, ...] = ()
    set_rules: tuple[SetRule, ...] = ()
    prefer: tuple[RankKey, ...] = ()
    approver: Text
    notes: tuple[str, ...] = ()
    source: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PilotSelection:
        if self.max_locations < self.min_locations:
            raise FieldError("max_locations", f"{self.max_locations} is below min_locations {self.min_locations}")
        for field in ("eligibility", "exclusions", "slots", "set_rules"):
            ensure_unique(getattr(self, field), field)
        required = sum(slot.required for slot in self.slots)
        if required > self.max_locations:
            raise FieldError("slots", f"{required} required slots exceed max_locations {self.max_locations}")
        return self
