"""JSON list and dict columns of read-model rows, each row starting with its own empty value.

SQLModel builds a table row's missing defaults with pydantic's `FieldInfo.get_default`, which asks
the default factory's signature on every construction. For the builtin `list` or `dict` that is
`inspect.signature` parsing a text signature: ~350 µs a field on our 2-core bench machine, most of
constructing a case row in the intake's read models. A factory that states its signature is read
at once (~40 µs).
"""

from __future__ import annotations

import inspect
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field


def _empty_list() -> list[Any]:
    return []


def _empty_dict() -> dict[str, Any]:
    return {}


_empty_list.__signature__ = _empty_dict.__signature__ = inspect.Signature()  # type: ignore[attr-defined]


def json_list() -> Any:
    """A JSON column holding a list, `[]` unless given."""
    return Field(default_factory=_empty_list, sa_column=Column(JSON))


def json_dict() -> Any:
    """A JSON column holding an object, `{}` unless given."""
    return Field(default_factory=_empty_dict, sa_column=Column(JSON))
