"""Planned go-live dates from the playbook's cadence, anchored on the program's start date.

Pure. A simultaneous wave goes live together in its go-live week (on the template's weekday when
it names one, else the week's first day). A staggered wave spreads its locations, highest composite
first, evenly over as few weeks as `per_week_max` allows, from its window's first week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.errors import DomainError
from shared.playbooks import PlaybookTemplate
from shared.playbooks.schedule import WEEKDAYS, day_in_week, go_live_weeks, week_end, week_start


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


def program_week(start: date, day: date) -> int:
    """The program week `day` falls in (week 1 begins on `start`)."""
    return (day - start).days // 7 + 1


def check_go_live_date(playbook: PlaybookTemplate, start: date, wave: str, day: date, others: list[date]) -> int:
    """The program week of `day` if the wave's cadence allows a go-live then, else a 422 naming the rule.

    `others`: the planned go-live dates of the wave's other locations (for the per-week maximum)."""
    rule = playbook.wave(wave)
    weeks, _ = go_live_weeks(rule, playbook.phase(wave))
    cadence = rule.go_live
    week = program_week(start, day)
    if week not in weeks:
        window = f"week {weeks[0]}" if len(weeks) == 1 else f"weeks {weeks[0]}-{weeks[-1]}"
        how = "together" if cadence.mode == "simultaneous" else "staggered"
        raise DomainError(f"{wave} goes live {how} in {window} ({week_start(start, weeks[0])} to "
                          f"{week_end(start, weeks[-1])}); {day} is in week {week}", field="date")
    if cadence.weekday and day.weekday() != WEEKDAYS.index(cadence.weekday):
        raise DomainError(f"{wave} goes live on a {cadence.weekday}; {day} is a {day.strftime('%A').lower()}",
                          field="date")
    if cadence.per_week_max is not None:
        taken = sum(1 for other in others if program_week(start, other) == week)
        if taken >= cadence.per_week_max:
            raise DomainError(f"week {week} already has {taken} go-lives of {wave}, the most the cadence allows "
                              f"({cadence.per_week_min or 1}-{cadence.per_week_max} per week)", field="date")
    return week
