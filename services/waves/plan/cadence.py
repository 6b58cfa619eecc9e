"""Planned go-live dates from the playbook's cadence, anchored on the program's start date.

Pure. A simultaneous wave goes live together in its go-live week (on the template's weekday when
it names one, else the week's first day). A staggered wave spreads its locations, highest composite
first, evenly over as few weeks as `per_week_max` allows, from its window's first week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.playbooks import PlaybookTemplate
from shared.playbooks.schedule import day_in_week, go_live_weeks, week_start


@dataclass(frozen=True, slots=True)
class PlannedGoLive:
    """A location's planned go-live: program week and date."""

    week: int
    date: date


def spread(count: int, per_week_max: int) -> list[int]:
    """How many go live in each week: as few weeks as the maximum allows, as even as possible."""
    if count == 0:
        return []
    weeks = -(-count // per_week_max)
    base, extra = divmod(count, weeks)
    return [base + (1 if week < extra else 0) for week in range(weeks)]


def planned(playbook: PlaybookTemplate, start: date, wave: str, location_ids: list[str]) -> dict[str, PlannedGoLive]:
    """The planned go-live of each of the wave's locations (given best first)."""
    rule = playbook.wave(wave)
    weeks, _ = go_live_weeks(rule, playbook.phase(wave))
    cadence = rule.go_live

    def on(week: int) -> PlannedGoLive:
        day = day_in_week(start, week, cadence.weekday) if cadence.weekday else week_start(start, week)
        return PlannedGoLive(week, day)

    if cadence.mode == "simultaneous" or cadence.per_week_max is None:
        return {location_id: on(weeks[0]) for location_id in location_ids}
    result: dict[str, PlannedGoLive] = {}
    remaining = iter(location_ids)
    for offset, count in enumerate(spread(len(location_ids), cadence.per_week_max)):
        for _ in range(count):
            result[next(remaining)] = on(weeks[0] + offset)
    return result
