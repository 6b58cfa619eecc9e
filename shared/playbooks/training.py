"""Training as data: champion selection and certification, role curricula, scheduled sessions.

The training service checks certification (`pass_assessment_min_pct` AND the simulation) and
completion per role against these; outlines are validated so their minutes add up.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from shared.playbooks.base import FieldError, Hours, Labeled, Minutes, Model, Slug, Text, Week, ensure_unique


class CertificationModule(Model):
    """One module of the champion certification."""

    number: int = Field(strict=True, ge=1)
    key: Slug
    title: Text
    hours: Hours
    content: Text


class Certification(Model):
    """Champion certification: modules, and the pass rule (assessment score AND simulation)."""

    total_hours: Hours
    modules: tuple[CertificationModule, ...]
    pass_assessment_min_pct: float = Field(strict=True, ge=0, le=100)
    hands_on_simulation_required: bool
    materials_by: str | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _adds_up(self) -> Certification:
        ensure_unique(self.modules, "modules")
        for index, module in enumerate(self.modules):
            if module.number != index + 1:
                raise FieldError(f"modules[{index}].number", f"expected {index + 1}, got {module.number}")
        total = sum(module.hours for module in self.modules)
        if abs(total - self.total_hours) > 1e-9:
            raise FieldError("total_hours", f"{self.total_hours:g} h but modules add up to {total:g} h")
        return self


class Responsibility(Labeled):
    """A champion duty and its time commitment."""

    hours_min: float | None = Field(default=None, strict=True, gt=0)
    hours_max: float | None = Field(default=None, strict=True, gt=0)
    cadence: Literal["one_time", "pre_launch", "weekly", "as_needed"]
    for_days: int | None = Field(default=None, strict=True, ge=1)


class ChampionProgram(Model):
    """Who becomes a champion, what they commit to, and how they are certified."""

    per_location: int = Field(strict=True, ge=1)
    candidate_roles: tuple[Slug, ...]
    selection_criteria: tuple[Labeled, ...]
    capacity_hours_min: float | None = Field(default=None, strict=True, gt=0)
    capacity_hours_max: float | None = Field(default=None, strict=True, gt=0)
    responsibilities: tuple[Responsibility, ...] = ()
    certification: Certification | None = None
    notes: tuple[str, ...] = ()
    source: str | None = None

    @model_validator(mode="after")
    def _unique(self) -> ChampionProgram:
        ensure_unique(self.selection_criteria, "selection_criteria")
        ensure_unique(self.responsibilities, "responsibilities")
        return self


class OutlineBlock(Model):
    """A slice of a session outline, in minutes from the start."""

    start_minute: Minutes
    end_minute: Minutes
    topic: Text
    activity: Text


class Objection(Model):
    """A resistance point the role raises and the response trainers use (None where the seed gives none)."""

    objection: Text
    response: Text | None = None
    source: str | None = None


class QuickReference(Model):
    """A role's job aid (cheat sheet, quick-start card): a title and its lines, as printed."""

    title: Text
    lines: tuple[str, ...]
    source: str | None = None


class Curriculum(Model):
    """What one role learns; the outline, when given, must fill `duration_minutes` exactly."""

    role: Slug
    label: Text
    # The roster roles this curriculum trains; empty: the roster role named like the curriculum.
    staff_roles: tuple[Slug, ...] = ()
    duration_minutes: int | None = Field(default=None, strict=True, ge=1)
    format: str | None = None
    objectives: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    outline: tuple[OutlineBlock, ...] = ()
    applies_when: str | None = None
    objections: tuple[Objection, ...] = ()
    quick_reference: QuickReference | None = None
    notes: tuple[str, ...] = ()
    source: str | None = None

    @model_validator(mode="after")
    def _outline_fills_session(self) -> Curriculum:
        if not self.outline:
            return self
        if self.duration_minutes is None:
            raise FieldError("duration_minutes", "an outline needs the session's duration_minutes")
        expected = 0
        for index, block in enumerate(self.outline):
            if block.start_minute != expected:
                raise FieldError(f"outline[{index}].start_minute", f"expected {expected}, got {block.start_minute}")
            if block.end_minute <= block.start_minute:
                raise FieldError(f"outline[{index}].end_minute", "must be after start_minute")
            expected = block.end_minute
        if expected != self.duration_minutes:
            raise FieldError("outline", f"ends at minute {expected}, session is {self.duration_minutes} minutes")
        return self


    def trains(self, staff_role: str) -> bool:
        """Whether a staff member in `staff_role` takes this curriculum."""
        return staff_role in (self.staff_roles or (self.role,))


class TrainingEvent(Labeled):
    """A scheduled training session or call in program weeks."""

    audience: Text
    minutes: int | None = Field(default=None, strict=True, ge=1)
    format: Literal["live_onsite", "live_virtual", "self_paced", "video"] | None = None
    per: Literal["location", "wave", "program", "champion"]
    start_week: Week | None = None
    end_week: Week | None = None
    delivered_by: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TrainingEvent:
        if self.start_week and self.end_week and self.end_week < self.start_week:
            raise FieldError("end_week", f"{self.end_week} is before start_week {self.start_week}")
        return self


class Training(Model):
    """Champion program, role curricula, sessions and job aids."""

    champion: ChampionProgram
    curricula: tuple[Curriculum, ...]
    events: tuple[TrainingEvent, ...] = ()
    materials: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> Training:
        ensure_unique(self.curricula, "curricula", attr="role")
        ensure_unique(self.events, "events")
        return self
