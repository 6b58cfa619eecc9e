"""The program calendar: a playbook's week ranges anchored on the program's start date.

Pure functions. Week 1 starts on the start date, whatever weekday that is, so week n runs
from start + 7(n-1) days to start + 7n - 1 days. Where the template fixes a go-live weekday
(Spark: "all locations within a wave go live on the same Monday"), each go-live week shows
the one day of that weekday inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.playbooks import Phase, PlaybookTemplate, WaveRule

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# The days a program's calendar may cover: a start in year 9999 would make every later read overflow.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True, slots=True)
class GoLiveWeek:
    """A week in which locations of the wave go live; `go_live_date` when the template names a weekday."""

    week: int
    start_date: date
    end_date: date
    go_live_date: date | None = None


@dataclass(frozen=True, slots=True)
class GoLive:
    """How and when a wave's locations go live.

    `from_template` is false when the template gives no go-live week: the wave then goes
    live in its phase's first week, and a program override of `waves[i].go_live` moves it.
    """

    mode: str
    weekday: str | None
    per_week_min: int | None
    per_week_max: int | None
    from_template: bool
    weeks: tuple[GoLiveWeek, ...]


@dataclass(frozen=True, slots=True)
class Step:
    """One line of a wave's weekly plan, with its dates."""

    key: str
    activities: str
    start_week: int
    end_week: int
    start_date: date
    end_date: date


@dataclass(frozen=True, slots=True)
class PhaseDates:
    """A phase of the playbook on the calendar."""

    key: str
    name: str
    kind: str
    start_week: int
    end_week: int
    start_date: date
    end_date: date
    go_live: GoLive | None = None
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class Calendar:
    """The whole program: first and last day, length in weeks, and every phase."""

    start_date: date
    end_date: date
    total_weeks: int
    phases: tuple[PhaseDates, ...]


def week_start(start: date, week: int) -> date:
    """The first day of program week `week` (week 1 begins on `start`)."""
    return start + timedelta(weeks=week - 1)


def week_end(start: date, week: int) -> date:
    """The last day of program week `week`."""
    return week_start(start, week) + timedelta(days=6)


def day_in_week(start: date, week: int, weekday: str) -> date:
    """The date of `weekday` inside program week `week` (each 7-day week holds exactly one)."""
    first = week_start(start, week)
    return first + timedelta(days=(WEEKDAYS.index(weekday) - first.weekday()) % 7)


def go_live_weeks(rule: WaveRule, phase: Phase) -> tuple[tuple[int, ...], bool]:
    """The wave's go-live weeks, and whether the template gave them (else they follow the phase)."""
    cadence = rule.go_live
    given = cadence.start_week is not None and cadence.end_week is not None
    first = cadence.start_week if cadence.start_week is not None else phase.start_week
    last = cadence.end_week if cadence.end_week is not None else phase.end_week
    if cadence.mode == "simultaneous":
        return (first,), given  # every location on one day: the window's first week
    return tuple(range(first, last + 1)), given


def go_live(start: date, rule: WaveRule, phase: Phase) -> GoLive:
    """A wave's go-live weeks on the calendar."""
    cadence = rule.go_live
    weeks, given = go_live_weeks(rule, phase)
    return GoLive(
        mode=cadence.mode,
        weekday=cadence.weekday,
        per_week_min=cadence.per_week_min,
        per_week_max=cadence.per_week_max,
        from_template=given,
        weeks=tuple(
            GoLiveWeek(
                week=week,
                start_date=week_start(start, week),
                end_date=week_end(start, week),
                go_live_date=day_in_week(start, week, cadence.weekday) if cadence.weekday else None,
            )
            for week in weeks
        ),
    )


def phase_dates(start: date, phase: Phase, rule: WaveRule | None = None) -> PhaseDates:
    """One phase on the calendar; a wave phase also gets its go-lives and weekly plan."""
    plan = rule.weekly_plan if rule else ()
    steps = tuple(
        Step(w.key, w.activities, w.start_week, w.end_week,
             start_date=week_start(start, w.start_week), end_date=week_end(start, w.end_week))
        for w in plan
    )
    return PhaseDates(
        key=phase.key,
        name=phase.name,
        kind=phase.kind,
        start_week=phase.start_week,
        end_week=phase.end_week,
        start_date=week_start(start, phase.start_week),
        end_date=week_end(start, phase.end_week),
        go_live=go_live(start, rule, phase) if rule else None,
        steps=steps,
    )


def calendar(playbook: PlaybookTemplate, start: date) -> Calendar:
    """Every phase of `playbook` anchored on `start`; the program lasts `timeline.total_weeks_max` weeks."""
    rules = {rule.key: rule for rule in playbook.waves}
    total = playbook.timeline.total_weeks_max
    return Calendar(
        start_date=start,
        end_date=week_end(start, total),
        total_weeks=total,
        phases=tuple(phase_dates(start, phase, rules.get(phase.key)) for phase in playbook.phases),
    )


def outside_range(start: date, total_weeks: int) -> str | None:
    """Why a calendar of `total_weeks` from `start` does not fit in FIRST_DAY..LAST_DAY, or None when it does."""
    if not FIRST_DAY <= start <= LAST_DAY:
        return f"must be between {FIRST_DAY} and {LAST_DAY}"
    end = week_end(start, total_weeks)
    if end > LAST_DAY:
        return f"the program's {total_weeks} weeks from {start} would end on {end}, after {LAST_DAY}"
    return None
