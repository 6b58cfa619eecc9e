"""The ROI targets of a program, pure: the playbook's table, else its gates' success criteria.

Spark's seed gives an ROI table (L64-68). SoftSmile's gives none; its measurable targets are its
success criteria (L227-235): an absolute criterion on a KPI is its target (≥ 85 % of cases without
critical issues, provider satisfaction ≥ 4), and a relative one is set from the program's measured
pre-go-live baseline (turnaround improved by ≥ 30 %: 0.7 of the baseline; acceptance maintained:
the baseline). A relative target waits until a baseline is measured.
"""

from __future__ import annotations

from collections.abc import Callable

from services.metrics.kpis.measure import measure
from services.metrics.roi.domain import Weighted
from shared.playbooks import PlaybookTemplate
from shared.playbooks.metrics import RoiTarget

SURVEYED = frozenset({"provider_satisfaction", "clinician_satisfaction", "patient_satisfaction"})
MEASURED = frozenset(measure([], went_live=None, acceptance_within_days=None)) | SURVEYED
HORIZON_DAYS = 90


def targets_of(playbook: PlaybookTemplate, baseline: Callable[[str], Weighted | None]) -> list[RoiTarget]:
    if playbook.metrics.roi_targets:
        return list(playbook.metrics.roi_targets)
    units = {m.key: m.unit for m in playbook.metrics.baseline.metrics}
    found: dict[str, RoiTarget] = {}
    for gate in playbook.gates:
        for check in gate.criteria:
            if check.metric in found or check.metric not in MEASURED or isinstance(check.threshold, bool):
                continue
            if check.relative_to_baseline:
                measured = baseline(check.metric) if check.baseline == "pre_go_live" else None
                if measured is None:
                    continue
                sign = 1 if check.change == "increase" else -1
                target, unit = round(measured.value * (1 + sign * float(check.threshold) / 100), 2), \
                    units.get(check.metric, "number")
            else:
                target, unit = float(check.threshold), check.unit
            found[check.metric] = RoiTarget(metric=check.metric, label=check.label, baseline=None, target=target,
                                            unit=unit, horizon_days=HORIZON_DAYS,
                                            owner=f"gate {gate.key} (success criterion)", source=check.source)
    return list(found.values())
