"""The playbook template: everything vendor-specific about a rollout, as one validated document.

Section models live in sibling modules; this one assembles them and checks the references
between sections (waves ↔ phases, thresholds → waves, gates → waves and metrics), so a
template that loads is one the services can run end to end.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints, model_validator

from shared.playbooks.base import FieldError, Model, Slug, Text, ensure_unique, keys_of
from shared.playbooks.checklists import Checklist
from shared.playbooks.gates import Gate, MetricCheck
from shared.playbooks.metrics import Metrics
from shared.playbooks.operations import Approval, Cadence, IntegrationCheck, Rollback, Support
from shared.playbooks.pilot import PilotSelection
from shared.playbooks.requirements import TechRequirement
from shared.playbooks.rollout import Phase, Timeline, WaveRule
from shared.playbooks.rubric import REMEDIATION, Readiness
from shared.playbooks.training import Training
from shared.playbooks.vocabulary import KPIS

Version = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
PROGRAM_SCOPE = "program"


class PlaybookTemplate(Model):
    """A vendor's rollout playbook; a DSO program is created from one and may override values."""

    id: Slug
    vendor: Text
    version: Version
    title: Text
    source: Text
    notes: tuple[str, ...] = ()
    timeline: Timeline
    phases: tuple[Phase, ...]
    waves: tuple[WaveRule, ...]
    readiness: Readiness
    technical_requirements: tuple[TechRequirement, ...]
    pilot_selection: PilotSelection
    gates: tuple[Gate, ...]
    rollback: Rollback
    support: Support
    training: Training
    metrics: Metrics
    integration_checks: tuple[IntegrationCheck, ...] = ()
    checklists: tuple[Checklist, ...] = ()
    approvals: tuple[Approval, ...] = ()
    communications: tuple[Cadence, ...] = ()

    @model_validator(mode="after")
    def _cross_references(self) -> PlaybookTemplate:
        for field in ("phases", "waves", "technical_requirements", "gates", "integration_checks", "communications",
                      "checklists"):
            ensure_unique(getattr(self, field), field)
        phases = keys_of(self.phases)
        for index, checklist in enumerate(self.checklists):
            if checklist.phase not in phases:
                raise FieldError(f"checklists[{index}].phase", f"{checklist.phase!r} is not a phase")
        ensure_unique(self.approvals, "approvals", attr="decision")
        self._check_phases()
        self._check_waves()
        self._check_thresholds()
        self._check_gates()
        self._check_metrics()
        return self

    def phase(self, key: str) -> Phase:
        """The phase with `key`."""
        return next(phase for phase in self.phases if phase.key == key)

    def wave(self, key: str) -> WaveRule:
        """The wave rule with `key`."""
        return next(wave for wave in self.waves if wave.key == key)

    def gate(self, key: str) -> Gate:
        """The gate with `key`."""
        return next(gate for gate in self.gates if gate.key == key)

    def _check_phases(self) -> None:
        previous: Phase | None = None
        for index, phase in enumerate(self.phases):
            if previous is not None and phase.start_week <= previous.end_week:
                raise FieldError(
                    f"phases[{index}].start_week",
                    f"week {phase.start_week} overlaps phase {previous.key!r} (ends week {previous.end_week})",
                )
            if phase.end_week > self.timeline.total_weeks_max:
                limit = self.timeline.total_weeks_max
                raise FieldError(f"phases[{index}].end_week", f"beyond timeline.total_weeks_max {limit}")
            previous = phase

    def _check_waves(self) -> None:
        wave_phases = [phase.key for phase in self.phases if phase.kind == "wave"]
        for index, wave in enumerate(self.waves):
            if wave.key not in wave_phases:
                raise FieldError(f"waves[{index}].key", f"{wave.key!r} is not a phase of kind wave")
            phase = self.phase(wave.key)
            weeks = [("go_live.start_week", wave.go_live.start_week), ("go_live.end_week", wave.go_live.end_week)]
            for plan_index, step in enumerate(wave.weekly_plan):
                weeks += [(f"weekly_plan[{plan_index}].start_week", step.start_week)]
                weeks += [(f"weekly_plan[{plan_index}].end_week", step.end_week)]
            for field, week in weeks:
                if week is not None and not phase.start_week <= week <= phase.end_week:
                    span = f"{phase.start_week}-{phase.end_week}"
                    raise FieldError(f"waves[{index}].{field}", f"week {week} is outside phase weeks {span}")
        missing = [key for key in wave_phases if key not in keys_of(self.waves)]
        if missing:
            raise FieldError("waves", f"no wave rule for wave phase(s) {', '.join(missing)}")

    def _check_thresholds(self) -> None:
        allowed = keys_of(self.waves) | {REMEDIATION}
        for index, threshold in enumerate(self.readiness.thresholds):
            if threshold.recommended_wave not in allowed:
                raise FieldError(
                    f"readiness.thresholds[{index}].recommended_wave",
                    f"{threshold.recommended_wave!r} is not a wave key or {REMEDIATION!r}",
                )

    def _check_gates(self) -> None:
        waves = keys_of(self.waves)
        earlier: set[str] = set()
        for index, gate in enumerate(self.gates):
            for field in ("from_wave", "to_wave"):
                if getattr(gate, field) not in waves:
                    raise FieldError(f"gates[{index}].{field}", f"unknown wave {getattr(gate, field)!r}")
            for included in gate.includes:
                if included not in earlier:
                    raise FieldError(f"gates[{index}].includes", f"{included!r} is not an earlier gate")
            if gate.evaluate_week is not None and gate.evaluate_week > self.timeline.total_weeks_max:
                raise FieldError(f"gates[{index}].evaluate_week", "beyond the timeline")
            for check_index, check in enumerate(gate.criteria):
                self._check_metric_check(check, f"gates[{index}].criteria[{check_index}]")
            earlier.add(gate.key)

    def _check_metrics(self) -> None:
        known = set(KPIS) | self.metrics.baseline_keys
        for index, target in enumerate(self.metrics.roi_targets):
            if target.metric not in known:
                raise FieldError(f"metrics.roi_targets[{index}].metric", f"unknown metric {target.metric!r}")
        for index, benchmark in enumerate(self.metrics.benchmarks):
            for check_index, check in enumerate(benchmark.checks):
                self._check_metric_check(check, f"metrics.benchmarks[{index}].checks[{check_index}]")

    def _check_metric_check(self, check: MetricCheck, path: str) -> None:
        if check.metric not in set(KPIS) | self.metrics.baseline_keys:
            raise FieldError(f"{path}.metric", f"unknown metric {check.metric!r} (not a KPI or baseline metric)")
        # Go-live needs a baseline for every metric a gate compares against.
        if check.baseline == "pre_go_live" and check.metric not in self.metrics.baseline_keys:
            raise FieldError(f"{path}.metric", f"{check.metric!r} has no baseline metric in metrics.baseline")
        if check.scope not in keys_of(self.waves) | {"wave", PROGRAM_SCOPE}:
            raise FieldError(f"{path}.scope", f"{check.scope!r} is not 'wave', 'program' or a wave key")

