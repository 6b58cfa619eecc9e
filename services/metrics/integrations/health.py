"""Integration validation, measured not ticked (SoftSmile's validation table), pure.

Each of the playbook's integration checks that events can measure is evaluated from source
timestamps at one location: the latencies (p50, p95, worst) against the check's limit — pass when
p95 is within it — or, for posting and provider sync, the share of cases that were right. A check
nothing has exercised yet is `not_yet_seen`; a check no event describes (appointment sync, say) is
`not_measured` and stays a checklist item.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from services.metrics.cases.models import CaseRow
from services.metrics.integrations.models import IntakeSettingsRow
from shared.playbooks.operations import IntegrationCheck

ORTHODONTIC_CODES = frozenset({"D8010", "D8020", "D8030", "D8040", "D8070", "D8080", "D8090"})


class CheckResult(BaseModel):
    key: str
    label: str
    expected: str
    status: str  # pass | fail | not_yet_seen | not_measured
    n: int = 0
    limit_minutes: float | None = None
    p50_minutes: float | None = None
    p95_minutes: float | None = None
    worst_minutes: float | None = None
    failures: int = 0
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Observations:
    """What one location's events say: PMS patient sync latencies and its cases."""

    patient_sync_seconds: Sequence[float]
    cases: Sequence[CaseRow]
    settings: IntakeSettingsRow


def _span(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def _rank(sorted_values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (exact on small samples, no interpolation past what was seen)."""
    return sorted_values[max(math.ceil(share * len(sorted_values)) - 1, 0)]


def _latency(check: IntegrationCheck, seconds: Sequence[float]) -> CheckResult:
    base = CheckResult(key=check.key, label=check.label, expected=check.expected, status="not_yet_seen",
                       limit_minutes=check.within_minutes)
    if not seconds:
        return base
    minutes = sorted(s / 60 for s in seconds)
    p95 = _rank(minutes, 0.95)
    over = sum(1 for m in minutes if check.within_minutes is not None and m > check.within_minutes)
    passed = check.within_minutes is None or p95 <= check.within_minutes
    return base.model_copy(update={
        "status": "pass" if passed else "fail", "n": len(minutes), "p50_minutes": round(_rank(minutes, 0.5), 2),
        "p95_minutes": round(p95, 2), "worst_minutes": round(minutes[-1], 2), "failures": over,
    })


def _posting(check: IntegrationCheck, seen: Observations) -> CheckResult:
    posted = [c for c in seen.cases if c.procedure_code]
    base = CheckResult(key=check.key, label=check.label, expected=check.expected, status="not_yet_seen")
    if not posted:
        return base
    schedule = seen.settings.fee_schedule
    codes = set(schedule) or set(seen.settings.procedure_codes.values()) or ORTHODONTIC_CODES
    wrong = []
    for case in posted:
        if case.procedure_code not in codes:
            wrong.append(f"code {case.procedure_code}")
        elif case.procedure_code in schedule and (case.procedure_fee is None
                                                  or abs(case.procedure_fee - schedule[case.procedure_code]) > 0.005):
            expected = schedule[case.procedure_code]
            wrong.append(f"fee {case.procedure_fee} for {case.procedure_code} (schedule {expected})")
    return base.model_copy(update={
        "status": "fail" if wrong else "pass", "n": len(posted), "failures": len(wrong),
        "detail": "; ".join(sorted(set(wrong))[:5]) or None,
    })


def _providers(check: IntegrationCheck, seen: Observations) -> CheckResult:
    both = [c for c in seen.cases if c.provider_id and c.procedure_provider_id]
    base = CheckResult(key=check.key, label=check.label, expected=check.expected, status="not_yet_seen")
    if not both:
        return base
    mismatched = [c for c in both if c.provider_id != c.procedure_provider_id]
    return base.model_copy(update={"status": "fail" if mismatched else "pass", "n": len(both),
                                   "failures": len(mismatched)})


def _cases(pick: Callable[[CaseRow], float | None]) -> Callable[[IntegrationCheck, Observations], CheckResult]:
    def measure(check: IntegrationCheck, seen: Observations) -> CheckResult:
        return _latency(check, [s for c in seen.cases if (s := pick(c)) is not None])
    return measure


MEASURES: dict[str, Callable[[IntegrationCheck, Observations], CheckResult]] = {
    "pms-patient-sync": lambda check, seen: _latency(check, seen.patient_sync_seconds),
    "scan-creates-case": _cases(lambda c: _span(c.scanned_at, c.submitted_at)),
    "ai-plan-generated": _cases(lambda c: _span(c.scanned_at or c.submitted_at, c.generated_at)),
    "scan-import-plan": _cases(lambda c: _span(c.scanned_at, c.generated_at)),
    "approval-posts-procedure": _posting,
    "provider-sync": _providers,
}


def evaluate(checks: Sequence[IntegrationCheck], seen: Observations) -> list[CheckResult]:
    results = []
    for check in checks:
        measure = MEASURES.get(check.key)
        if measure is None:
            results.append(CheckResult(key=check.key, label=check.label, expected=check.expected,
                                       status="not_measured", limit_minutes=check.within_minutes,
                                       detail="no event measures this: verify it by hand (checklist)"))
        else:
            results.append(measure(check, seen))
    return results
