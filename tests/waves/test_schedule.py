"""The program calendar from the seeds' week ranges: pure, no NATS, no database."""

from __future__ import annotations

from datetime import date

from shared.playbooks import PlaybookTemplate, get_template
from shared.playbooks.schedule import Calendar, calendar, day_in_week, week_end, week_start


def phases(plan: Calendar) -> dict[str, tuple[int, int, date, date]]:
    return {p.key: (p.start_week, p.end_week, p.start_date, p.end_date) for p in plan.phases}


def test_week_one_starts_on_the_start_date_whatever_the_weekday() -> None:
    wednesday = date(2025, 9, 3)
    assert (week_start(wednesday, 1), week_end(wednesday, 1)) == (date(2025, 9, 3), date(2025, 9, 9))
    assert (week_start(wednesday, 3), week_end(wednesday, 3)) == (date(2025, 9, 17), date(2025, 9, 23))
    # A Wednesday-to-Tuesday week holds exactly one Monday: its sixth day.
    assert day_in_week(wednesday, 3, "monday") == date(2025, 9, 22)
    assert day_in_week(wednesday, 3, "wednesday") == date(2025, 9, 17)
    assert day_in_week(date(2025, 9, 1), 3, "monday") == date(2025, 9, 15)


def test_softsmile_24_weeks_anchored_on_a_monday() -> None:
    plan = calendar(get_template("softsmile-dso"), date(2025, 9, 1))
    # SPEC §4 / seed L21-25: pre-implementation 1-2, wave 1 3-6, wave 2 7-12, wave 3 13-20, optimization 21-24.
    assert phases(plan) == {
        "pre-implementation": (1, 2, date(2025, 9, 1), date(2025, 9, 14)),
        "wave-1": (3, 6, date(2025, 9, 15), date(2025, 10, 12)),
        "wave-2": (7, 12, date(2025, 10, 13), date(2025, 11, 23)),
        "wave-3": (13, 20, date(2025, 11, 24), date(2026, 1, 18)),
        "optimization": (21, 24, date(2026, 1, 19), date(2026, 2, 15)),
    }
    assert (plan.total_weeks, plan.end_date) == (24, date(2026, 2, 15))


def test_softsmile_go_live_weeks_follow_the_template() -> None:
    by_key = {p.key: p for p in calendar(get_template("softsmile-dso"), date(2025, 9, 1)).phases}
    wave1, wave2, wave3 = by_key["wave-1"].go_live, by_key["wave-2"].go_live, by_key["wave-3"].go_live
    assert by_key["pre-implementation"].go_live is None and by_key["optimization"].go_live is None
    # Wave 1: full go-live in week 5 (L213); no weekday named, so no single go-live date.
    assert wave1 is not None and wave1.mode == "simultaneous" and wave1.from_template
    assert [(w.week, w.start_date, w.end_date, w.go_live_date) for w in wave1.weeks] == [
        (5, date(2025, 9, 29), date(2025, 10, 5), None)
    ]
    # Wave 2: staggered 2-3 per week in weeks 9-10 (L220).
    assert wave2 is not None and (wave2.mode, wave2.per_week_min, wave2.per_week_max) == ("staggered", 2, 3)
    assert [(w.week, w.start_date) for w in wave2.weeks] == [(9, date(2025, 10, 27)), (10, date(2025, 11, 3))]
    # Wave 3: 3-5 per week, window not given -> the whole phase, weeks 13-20.
    assert wave3 is not None and not wave3.from_template and (wave3.per_week_min, wave3.per_week_max) == (3, 5)
    assert [w.week for w in wave3.weeks] == list(range(13, 21))
    # The wave 1 weekly plan (L211-214) lands on real weeks.
    assert [(s.key, s.start_date, s.end_date) for s in by_key["wave-1"].steps] == [
        ("configuration", date(2025, 9, 15), date(2025, 9, 21)),
        ("soft-launch", date(2025, 9, 22), date(2025, 9, 28)),
        ("go-live", date(2025, 9, 29), date(2025, 10, 5)),
        ("stabilization", date(2025, 10, 6), date(2025, 10, 12)),
    ]


def test_spark_16_weeks_with_monday_go_lives_from_a_wednesday_start() -> None:
    plan = calendar(get_template("spark-dso"), date(2025, 9, 3))
    # Spark seed: pre-implementation 1-2, pilot 3-6, wave 2 7-10, wave 3 11-14; 16 weeks in all.
    assert phases(plan) == {
        "pre-implementation": (1, 2, date(2025, 9, 3), date(2025, 9, 16)),
        "wave-1": (3, 6, date(2025, 9, 17), date(2025, 10, 14)),
        "wave-2": (7, 10, date(2025, 10, 15), date(2025, 11, 11)),
        "wave-3": (11, 14, date(2025, 11, 12), date(2025, 12, 9)),
    }
    assert (plan.total_weeks, plan.end_date) == (16, date(2025, 12, 23))
    # "All locations within a wave go live on the same Monday" (L51). The pilot goes live in week 5,
    # after configuration (week 3) and on-site training (weeks 3-4); later waves give no week, so
    # theirs is the wave's first week. The date is that week's Monday.
    go_lives = {p.key: p.go_live for p in plan.phases if p.go_live}
    assert {key: [w.go_live_date for w in g.weeks] for key, g in go_lives.items()} == {
        "wave-1": [date(2025, 10, 6)],
        "wave-2": [date(2025, 10, 20)],
        "wave-3": [date(2025, 11, 17)],
    }
    assert [key for key, g in go_lives.items() if g.from_template] == ["wave-1"]
    assert all(g.weekday == "monday" for g in go_lives.values())
    assert all(w.go_live_date.weekday() == 0 for g in go_lives.values() for w in g.weeks if w.go_live_date)


def test_an_overridden_go_live_week_moves_the_monday() -> None:
    data = get_template("spark-dso").model_dump(mode="json")
    data["waves"][0]["go_live"] |= {"start_week": 6, "end_week": 6}
    pilot = calendar(PlaybookTemplate.model_validate(data), date(2025, 9, 1)).phases[1]
    assert pilot.go_live is not None and pilot.go_live.from_template
    assert [(w.week, w.go_live_date) for w in pilot.go_live.weeks] == [(6, date(2025, 10, 6))]
