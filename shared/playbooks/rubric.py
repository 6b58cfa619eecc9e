"""The five-factor readiness rubric and the composite thresholds that place a location in a wave.

A factor's rows are a ladder: the derived score is the highest row whose conditions match, so
each row carries both the seed's criteria text (for people) and conditions (for the engine).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from shared.playbooks.base import FieldError, Model, Slug, Text, ensure_unique
from shared.playbooks.conditions import Conditional

FactorKey = Literal["it_infrastructure", "staff_adaptability", "patient_volume", "tech_stack", "champion"]
FACTOR_KEYS: tuple[FactorKey, ...] = (
    "it_infrastructure", "staff_adaptability", "patient_volume", "tech_stack", "champion",
)
ReadinessLevel = Literal["high", "medium_high", "medium", "low"]
REMEDIATION = "remediation"
SCORES = (5, 4, 3, 2, 1)
Score = Annotated[int, Field(strict=True, ge=1, le=5)]


class RubricRow(Conditional):
    """One score of one factor: the seed's criteria text plus the conditions that earn it."""

    score: Score
    criteria: Text
    source: str | None = None

    @model_validator(mode="after")
    def _checkable(self) -> RubricRow:
        # A row without conditions would match every location and swallow the rows below it.
        if not self.all_of and not self.any_of:
            raise FieldError("all_of", "a rubric row needs at least one condition in all_of or any_of")
        return self


class Factor(Model):
    """A readiness factor scored 1-5 by its five rows."""

    key: FactorKey
    label: Text
    rows: tuple[RubricRow, ...]
    source: str | None = None

    @model_validator(mode="after")
    def _five_rows(self) -> Factor:
        ensure_unique(self.rows, "rows", attr="score")
        missing = sorted(set(SCORES) - {row.score for row in self.rows}, reverse=True)
        if missing:
            raise FieldError("rows", f"missing score row(s) {', '.join(map(str, missing))}")
        return self

    def row(self, score: int) -> RubricRow:
        """The row for `score`."""
        return next(row for row in self.rows if row.score == score)


class Threshold(Model):
    """A composite range (inclusive) and the level and wave it recommends."""

    min: int = Field(strict=True)
    max: int = Field(strict=True)
    level: ReadinessLevel
    label: Text
    recommended_wave: Slug
    source: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Threshold:
        if self.max < self.min:
            raise FieldError("max", f"{self.max} is below min {self.min}")
        return self


class RubricExample(Model):
    """A worked example from the seed (its sample matrix), checked against the thresholds."""

    name: Text
    scores: dict[FactorKey, Score]
    composite: int = Field(strict=True)
    recommended_wave: Slug
    source: str | None = None

    @model_validator(mode="after")
    def _adds_up(self) -> RubricExample:
        if set(self.scores) != set(FACTOR_KEYS):
            raise FieldError("scores", f"needs exactly the factors {', '.join(FACTOR_KEYS)}")
        if sum(self.scores.values()) != self.composite:
            raise FieldError("composite", f"{self.composite} is not the sum of scores {sum(self.scores.values())}")
        return self


class Readiness(Model):
    """Rubric factors and composite thresholds; composite = sum of factor scores (5-25)."""

    derivation: Literal["highest_matching_row"] = "highest_matching_row"
    factors: tuple[Factor, ...]
    thresholds: tuple[Threshold, ...]
    examples: tuple[RubricExample, ...] = ()
    notes: tuple[str, ...] = ()
    source: str | None = None

    @property
    def composite_range(self) -> tuple[int, int]:
        """Lowest and highest possible composite."""
        return len(FACTOR_KEYS), len(FACTOR_KEYS) * max(SCORES)

    @model_validator(mode="after")
    def _complete(self) -> Readiness:
        ensure_unique(self.factors, "factors")
        missing = [key for key in FACTOR_KEYS if key not in {factor.key for factor in self.factors}]
        if missing:
            raise FieldError("factors", f"missing factor(s) {', '.join(missing)}")
        ensure_unique(self.thresholds, "thresholds", attr="level")
        self._cover_composite_range()
        for index, example in enumerate(self.examples):
            expected = self.threshold_for(example.composite).recommended_wave
            if example.recommended_wave != expected:
                raise FieldError(f"examples[{index}].recommended_wave", f"thresholds give {expected!r}")
        return self

    def _cover_composite_range(self) -> None:
        low, high = self.composite_range
        ordered = sorted(enumerate(self.thresholds), key=lambda pair: pair[1].min)
        expected = low
        for index, threshold in ordered:
            field = f"thresholds[{index}].min"
            if threshold.min > expected:
                raise FieldError(field, f"gap: composite {expected}..{threshold.min - 1} not covered")
            if threshold.min < expected and expected == low:
                raise FieldError(field, f"composite starts at {low}, got {threshold.min}")
            if threshold.min < expected:
                raise FieldError(field, f"{threshold.min} overlaps the range ending at {expected - 1}")
            expected = threshold.max + 1
        if expected != high + 1:
            last = ordered[-1][0]
            raise FieldError(f"thresholds[{last}].max", f"ranges must end at {high}, got {expected - 1}")

    def factor(self, key: FactorKey) -> Factor:
        """The factor with `key`."""
        return next(factor for factor in self.factors if factor.key == key)

    def threshold_for(self, composite: int) -> Threshold:
        """The threshold whose range holds `composite`."""
        return next(t for t in self.thresholds if t.min <= composite <= t.max)
