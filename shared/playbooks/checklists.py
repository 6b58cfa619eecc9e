"""Phase checklists as data: items with their phase, owner, due week, whether they gate wave-1 go-lives.

A checklist is kept once per program or once per location (`per`); integration setup steps carry
their estimated hours and the system they apply to (a location marks the others not applicable).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from shared.playbooks.base import Hours, Labeled, Model, Slug, Text, Week, ensure_unique


class ChecklistItem(Labeled):
    """One thing to do (`key`, `label`, `source` from Labeled)."""

    vendor_action: bool = False  # the seed's 🔵: the vendor must act


class Checklist(Model):
    """A checklist of one phase: kept per program or per location, due by a week, gating or not."""

    key: Slug
    label: Text
    phase: Slug
    per: Literal["program", "location"]
    owner: Text
    due_week: Week | None = None
    # Gating pre-implementation items block scheduling wave-1 go-lives until done (or not applicable).
    gates_wave_1: bool = False
    hours: Hours | None = None  # estimated effort per location (integration setup)
    applies_to: str | None = None  # the system it sets up (dentrix, itero, ...), where it is one of several
    items: tuple[ChecklistItem, ...] = Field(min_length=1)
    source: str | None = None

    @model_validator(mode="after")
    def _unique(self) -> Checklist:
        ensure_unique(self.items, "items")
        return self
