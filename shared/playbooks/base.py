"""Building blocks every playbook model shares: a frozen closed base, strict numbers, field-naming errors.

Templates are hand-written YAML, so a validator must say *which* field is wrong. `FieldError`
carries a path relative to the model that raised it; the loader joins it to pydantic's location.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", min_length=1, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# Strict numbers: a YAML "85%" or "4/5" must fail instead of being coerced or silently kept.
Week = Annotated[int, Field(strict=True, ge=1, le=104)]
Count = Annotated[int, Field(strict=True, ge=0)]
Hours = Annotated[float, Field(strict=True, gt=0)]
Minutes = Annotated[int, Field(strict=True, ge=0)]


class FieldError(ValueError):
    """A validation failure that names the offending field relative to the raising model."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class Model(BaseModel):
    """Frozen, closed base: templates are read-only data and unknown keys are typos."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Labeled(Model):
    """A keyed, human-labelled item (a criterion, an action) with an optional seed citation."""

    key: Slug
    label: Text
    source: str | None = None


def ensure_unique(items: Sequence[object], field: str, *, attr: str = "key") -> None:
    """Raise `FieldError` naming `field[i].attr` for the first repeated value."""
    seen: set[object] = set()
    for index, item in enumerate(items):
        value = getattr(item, attr)
        if value in seen:
            raise FieldError(f"{field}[{index}].{attr}", f"duplicate {attr} {value!r}")
        seen.add(value)


def keys_of(items: Iterable[object], attr: str = "key") -> set[str]:
    """Collect the `attr` values of `items` as a set."""
    return {getattr(item, attr) for item in items}
