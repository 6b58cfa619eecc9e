"""Evidence for the evaluator, built from the evidence rows: per location, then per wave.

Every observation names its source (event ids, the metrics-stream range), so each figure of a
`GateEvaluated` traces back to the events it came from. A wave-level figure exists only when
every location of the wave has one: counts add up, rates and scores are weighted by their n,
and a location without data makes the wave's figure insufficient.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import get_args

from services.waves.evidence.models import BaselineRow, ChampionModelRow, IncidentRow, KpiRow, TrainingRow
from shared.evaluation import Baseline, Evidence, Observation
from shared.playbooks.gates import MetricCheck, Window

WINDOWS = set(get_args(Window))
_TRAILING = re.compile(r"^trailing_(\d+)_days$")


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _window(raw: str) -> tuple[str, int | None] | None:
    if raw in WINDOWS:
        return raw, None
    trailing = _TRAILING.match(raw)
    return ("trailing_days", int(trailing.group(1))) if trailing else None


def _kpis(row: KpiRow) -> list[Observation]:
    source = (f"metrics:{row.first_sequence}-{row.last_sequence}", f"event:{row.event_id}")
    found = []
    for metric, kpi in row.values.items():
        window = _window(str(kpi.get("window", "")))
        if window is None:
            continue
        found.append(Observation(
            metric=metric, value=kpi.get("value"), n=int(kpi.get("n") or 0), window=window[0],  # type: ignore[arg-type]
            window_days=window[1], window_start=kpi.get("window_start"), window_end=kpi.get("window_end"),
            as_of=utc(row.as_of), source=source,
        ))
    return found


def _incidents(incidents: Sequence[IncidentRow], at: datetime) -> list[Observation]:
    open_now = [i for i in incidents if utc(i.opened_at) <= at and (i.resolved_at is None or utc(i.resolved_at) > at)]
    serious = [i for i in open_now if i.severity <= 2]
    down = [i for i in open_now if i.severity == 1]
    # Waves records every incident itself: zero open ones is a complete fact (n = 1 evaluation).
    return [
        Observation(metric="unresolved_sev1_sev2_incidents", value=len(serious), n=1, window="at_evaluation",
                    as_of=at, source=tuple(f"event:{i.event_id}" for i in serious) or ("waves:incidents",)),
        Observation(metric="critical_blockers", value=len(down), n=1, window="at_evaluation",
                    as_of=at, source=tuple(f"event:{i.event_id}" for i in down) or ("waves:incidents",)),
    ]


def location_evidence(
    *, kpis: KpiRow | None, training: TrainingRow | None, baselines: Sequence[BaselineRow],
    incidents: Sequence[IncidentRow], at: datetime, champion_model: ChampionModelRow | None = None,
) -> Evidence:
    """One location's evidence at `at`."""
    observations = _kpis(kpis) if kpis else []
    if training is not None:
        observations.append(Observation(
            metric="training_completion_pct", value=training.completion_pct, n=training.staff_total,
            window="at_evaluation", as_of=utc(training.as_of), source=(f"event:{training.event_id}",),
        ))
    if champion_model is not None:
        observations.append(Observation(
            metric="champion_model_validated", value=champion_model.validated, n=champion_model.staff_trained,
            window="at_evaluation", as_of=utc(champion_model.as_of), source=(f"event:{champion_model.event_id}",),
        ))
    observations += _incidents(incidents, at)
    found = [Baseline(metric=b.metric, kind="pre_go_live", value=b.value, n=b.sample_size or 1,
                      as_of=utc(b.captured_at), source=(f"event:{b.event_id}",)) for b in baselines]
    return Evidence(observations=tuple(observations), baselines=tuple(found))


def _latest(items: Sequence[Observation], at: datetime) -> Observation | None:
    known = [o for o in items if o.as_of <= at]
    return max(known, key=lambda o: (o.as_of, o.source), default=None)


def _combine(check: MetricCheck, found: list[Observation], at: datetime) -> Observation:
    source = tuple(s for o in found for s in o.source)
    values = [o.value for o in found]
    n = sum(o.n for o in found)
    if any(v is None or isinstance(v, bool) for v in values) or n == 0:
        flags = [v for v in values if isinstance(v, bool)]
        value: float | bool | None = all(flags) if len(flags) == len(values) and values else None
    elif check.unit == "count":
        value = sum(float(v) for v in values if v is not None)
    else:
        value = sum(float(o.value) * o.n for o in found if isinstance(o.value, float | int)) / n
    return Observation(metric=check.metric, value=value, n=n, window=check.window, window_days=check.window_days,
                       as_of=max(o.as_of for o in found), source=source)


def wave_evidence(criteria: Sequence[MetricCheck], locations: dict[str, Evidence], at: datetime,
                  extra: Sequence[Observation] = (), extra_baselines: Sequence[Baseline] = ()) -> Evidence:
    """The wave's evidence for each criterion: present only where every location has it (`extra`: wave-level
    figures waves computes itself, with their baselines)."""
    observations: list[Observation] = list(extra)
    baselines: list[Baseline] = list(extra_baselines)
    for check in criteria:
        if any(o.metric == check.metric for o in extra) or not locations:
            continue
        found = [_latest([o for o in ev.observations if o.metric == check.metric and o.window == check.window
                          and o.window_days == check.window_days], at) for ev in locations.values()]
        present = [o for o in found if o is not None]
        if len(present) == len(found):
            observations.append(_combine(check, present, at))
        if check.relative_to_baseline and check.baseline is not None:
            refs = [max((b for b in ev.baselines if b.metric == check.metric and b.kind == check.baseline
                         and b.as_of <= at), key=lambda b: b.as_of, default=None) for ev in locations.values()]
            have = [b for b in refs if b is not None and b.value is not None]
            total = sum(b.n for b in have)
            if len(have) == len(refs) and total:
                mean = sum((b.value or 0.0) * b.n for b in have) / total
                baselines.append(Baseline(metric=check.metric, kind=check.baseline, value=mean, n=total,
                                          as_of=max(b.as_of for b in have),
                                          source=tuple(s for b in have for s in b.source)))
    return Evidence(observations=tuple(observations), baselines=tuple(baselines))


def systemic(incidents: Sequence[IncidentRow], at: datetime) -> Observation:
    """Issue categories open at two or more locations of the program."""
    open_now = [i for i in incidents if utc(i.opened_at) <= at and (i.resolved_at is None or utc(i.resolved_at) > at)]
    where: dict[str, set[str]] = {}
    for incident in open_now:
        where.setdefault(incident.category, set()).add(incident.location_id)
    categories = sorted(c for c, locations in where.items() if len(locations) >= 2)
    source = tuple(f"event:{i.event_id}" for i in open_now if i.category in categories) or ("waves:incidents",)
    return Observation(metric="systemic_issue_categories", value=len(categories), n=1, window="at_evaluation",
                       as_of=at, source=source)


def _ticket_rate(incidents: Sequence[IncidentRow], live: Mapping[str, date],
                 at: datetime) -> tuple[float, int, tuple[str, ...]] | None:
    """Support tickets per location per week since each location's go-live, averaged over the live locations."""
    rates, source = [], []
    for location_id, went_live in live.items():
        start = datetime.combine(went_live, time(), tzinfo=UTC)
        if start > at:
            continue
        mine = [i for i in incidents if i.kind == "ticket" and i.location_id == location_id
                and start <= utc(i.opened_at) <= at]
        weeks = max((at - start).days / 7, 1.0)
        rates.append(len(mine) / weeks)
        source += [f"event:{i.event_id}" for i in mine]
    if not rates:
        return None
    return round(sum(rates) / len(rates), 3), len(rates), tuple(source) or ("waves:incidents",)


def support_tickets(incidents: Sequence[IncidentRow], wave_live: Mapping[str, date],
                    previous_live: Mapping[str, date], at: datetime) -> tuple[list[Observation], list[Baseline]]:
    """Tickets per location per week in the wave since go-live, and the previous wave's as its baseline
    (SoftSmile L239: "no increase in support tickets per location")."""
    observations, baselines = [], []
    if (now := _ticket_rate(incidents, wave_live, at)) is not None:
        observations.append(Observation(metric="support_tickets_per_location", value=now[0], n=now[1],
                                        window="since_go_live", as_of=at, source=now[2]))
    if (before := _ticket_rate(incidents, previous_live, at)) is not None:
        baselines.append(Baseline(metric="support_tickets_per_location", kind="previous_wave", value=before[0],
                                  n=before[1], as_of=at, source=before[2]))
    return observations, baselines
