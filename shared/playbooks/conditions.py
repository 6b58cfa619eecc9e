"""Machine-checkable conditions on location facts: `{fact, op, value}` as data.

Rubric rows, technical requirements and pilot rules are all written in this one vocabulary,
so the readiness service needs a single evaluator and every result can name what it checked.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, StrictBool, StrictFloat, StrictInt, StrictStr, model_validator

from shared.playbooks.base import FieldError, Model
from shared.playbooks.vocabulary import LOCATION_FACTS, FactSpec

Operator = Literal[">=", ">", "<", "<=", "==", "in", "not_in", "is_true", "is_false"]
COMPARISONS = frozenset({">=", ">", "<", "<="})
Scalar = StrictBool | StrictInt | StrictFloat | StrictStr
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq,
}


def _plain_value(value: object) -> object:
    """Turn YAML lists into tuples and refuse mappings before the union sees them."""
    if isinstance(value, list | tuple):
        if not all(isinstance(item, bool | int | float | str) for item in value):
            raise ValueError("a list value may hold only numbers and strings")
        return tuple(value)
    if value is not None and not isinstance(value, bool | int | float | str):
        raise ValueError("must be a number, string, boolean or list")
    return value


ListValue = tuple[StrictInt | StrictFloat | StrictStr, ...]
ConditionValue = Annotated[Scalar | ListValue | None, BeforeValidator(_plain_value)]


def _allowed_ops(spec: FactSpec) -> frozenset[str]:
    if spec.kind == "bool":
        return frozenset({"is_true", "is_false"})
    if spec.kind in ("number", "version") or spec.ordered:
        return COMPARISONS | {"==", "in", "not_in"}
    return frozenset({"==", "in", "not_in"})


def _check_scalar(spec: FactSpec, value: object, field: str) -> None:
    if spec.kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise FieldError(field, f"must be a number, got {value!r}")
    # YAML reads 6.10 as 6.1, so versions must be quoted strings.
    if spec.kind == "version" and (not isinstance(value, str) or not re.fullmatch(r"\d+(\.\d+)*", value)):
        raise FieldError(field, f"must be a quoted dotted version like '7.3', got {value!r}")
    if spec.kind in ("choice", "text") and not isinstance(value, str):
        raise FieldError(field, f"must be a string, got {value!r}")
    if spec.kind == "choice" and value not in spec.choices:
        raise FieldError(field, f"{value!r} is not one of {', '.join(spec.choices)}")


def check_condition(fact: str, op: str, value: object, *, value_field: str = "value") -> None:
    """Raise `FieldError` unless `fact op value` is well-typed against the fact catalog."""
    spec = LOCATION_FACTS.get(fact)
    if spec is None:
        raise FieldError("fact", f"unknown location fact {fact!r}")
    if op not in _allowed_ops(spec):
        raise FieldError("op", f"{op!r} does not apply to {spec.kind} fact {fact!r}")
    if op in ("is_true", "is_false"):
        if value is not None:
            raise FieldError(value_field, f"must be omitted for {op}")
    elif op in ("in", "not_in"):
        if not isinstance(value, tuple) or not value:
            raise FieldError(value_field, f"must be a non-empty list for {op}")
        for item in value:
            _check_scalar(spec, item, value_field)
    elif isinstance(value, tuple):
        raise FieldError(value_field, f"must be a single value for {op}")
    else:
        _check_scalar(spec, value, value_field)


def _rank(spec: FactSpec, value: object) -> object:
    """Comparable form of a value: version tuple, choice index, or the value itself."""
    if spec.kind == "version":
        return tuple(int(part) for part in re.findall(r"\d+", str(value)))
    if spec.kind == "choice" and spec.ordered:
        return spec.choices.index(str(value)) if value in spec.choices else -1
    return value


class Condition(Model):
    """One test on a location fact, e.g. `internet_down_mbps >= 50`."""

    fact: str
    op: Operator
    value: ConditionValue = None

    @model_validator(mode="after")
    def _typed(self) -> Condition:
        check_condition(self.fact, self.op, self.value)
        return self

    def holds(self, facts: Mapping[str, object]) -> bool | None:
        """True/False against `facts`; None when the fact is unknown (insufficient data)."""
        actual = facts.get(self.fact)
        if actual is None:
            return None
        return evaluate(self.fact, self.op, self.value, actual)

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.fact} {self.op}"
        shown = list(self.value) if isinstance(self.value, tuple) else self.value
        return f"{self.fact} {self.op} {shown!r}"


def evaluate(fact: str, op: str, expected: object, actual: object) -> bool:
    """Apply `op` to an actual fact value and the template's expected value."""
    spec = LOCATION_FACTS[fact]
    if op == "is_true":
        return actual is True
    if op == "is_false":
        return actual is False
    if op in ("in", "not_in"):
        options = expected if isinstance(expected, tuple) else (expected,)
        found = _rank(spec, actual) in {_rank(spec, item) for item in options}
        return found if op == "in" else not found
    return bool(_COMPARE[op](_rank(spec, actual), _rank(spec, expected)))


def _all(results: list[bool | None]) -> bool | None:
    if False in results:
        return False
    return None if None in results else True


def _any(results: list[bool | None]) -> bool | None:
    if True in results:
        return True
    return None if None in results else False


class Conditional(Model):
    """A rule that matches when every `all_of` holds and, if given, at least one `any_of` holds."""

    all_of: tuple[Condition, ...] = ()
    any_of: tuple[Condition, ...] = ()

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """Every condition of the rule, `all_of` first."""
        return self.all_of + self.any_of

    def matches(self, facts: Mapping[str, object]) -> bool | None:
        """Three-valued match: None when a missing fact decides the outcome."""
        parts = [_all([c.holds(facts) for c in self.all_of])]
        if self.any_of:
            parts.append(_any([c.holds(facts) for c in self.any_of]))
        return _all(parts)
