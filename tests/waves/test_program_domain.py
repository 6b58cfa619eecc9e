"""The program aggregate and playbook overrides: pure decide/evolve, no NATS, no database."""

from __future__ import annotations

from datetime import date
from functools import reduce

import pytest

from services.waves.programs.domain import CreateProgram, OverridePlaybook, Program, decide, evolve
from services.waves.programs.overrides import Override
from shared.contracts.base import DomainEvent
from shared.contracts.waves import PlaybookOverridden, ProgramCreated
from shared.errors import Conflict, DomainError, NotFound
from shared.playbooks import PlaybookTemplate, get_template
from shared.playbooks.overrides import PlaybookPathError, apply_override, parse_path, render_path, value_at, with_value


def fold(events: list[DomainEvent], state: Program | None = None) -> Program:
    return reduce(evolve, events, state or Program())


def created(template_id: str = "softsmile-dso") -> Program:
    command = CreateProgram("P1", "North rollout", get_template(template_id), date(2025, 9, 1), "cdo")
    return fold(decide(Program(), command))


def override(state: Program, *pairs: tuple[str, object], reason: str = "board decision") -> list[DomainEvent]:
    overrides = tuple(Override(path, value) for path, value in pairs)
    return decide(state, OverridePlaybook(state.id or "P1", overrides, reason, "vp-ops"))


def refused(state: Program, *pairs: tuple[str, object], reason: str = "why not") -> DomainError:
    with pytest.raises(DomainError) as raised:
        override(state, *pairs, reason=reason)
    return raised.value


def test_playbook_paths_parse_read_and_copy_on_write() -> None:
    segments = parse_path("readiness.thresholds[0].min")
    assert segments == ("readiness", "thresholds", 0, "min")
    assert render_path(segments) == "readiness.thresholds[0].min"
    document = {"readiness": {"thresholds": [{"min": 20}, {"min": 15}]}, "other": {"x": 1}}
    assert value_at(document, segments) == 20
    changed = with_value(document, segments, 21)
    assert value_at(changed, segments) == 21 and value_at(document, segments) == 20  # original untouched
    assert changed["other"] is document["other"]  # untouched branches are shared, not copied
    for bad in ("", "a..b", "a[x]", "a.", "[0]", "a b"):
        with pytest.raises(PlaybookPathError, match="not a dotted path"):
            parse_path(bad)
    with pytest.raises(PlaybookPathError, match=r"readiness\.thresholds has 2 item"):
        value_at(document, parse_path("readiness.thresholds[2].min"))
    with pytest.raises(PlaybookPathError, match="readiness has no field 'rows'"):
        value_at(document, parse_path("readiness.rows"))
    with pytest.raises(PlaybookPathError, match=r"is a list \(use \[n\]\)"):
        value_at(document, parse_path("readiness.thresholds.min"))
    event = PlaybookOverridden(program_id="P", path="readiness.thresholds[1].min", value=16, previous=15,
                               reason="r", overridden_by="u", override_version=1)
    assert apply_override(document, event.path, event.value)["readiness"]["thresholds"] == [{"min": 20}, {"min": 16}]


def test_create_snapshots_the_whole_template() -> None:
    template = get_template("spark-dso")
    [event] = decide(Program(), CreateProgram("P1", "Spark", template, date(2025, 9, 3), "ceo"))
    assert isinstance(event, ProgramCreated)
    assert (event.playbook_id, event.playbook_version, event.start_date) == ("spark-dso", "1.0.0", date(2025, 9, 3))
    assert PlaybookTemplate.model_validate(event.playbook) == template
    state = fold([event])
    assert (state.id, state.name, state.override_count) == ("P1", "Spark", 0)
    with pytest.raises(Conflict):
        decide(state, CreateProgram("P1", "again", template, date(2025, 9, 3), "ceo"))


def test_overrides_become_one_versioned_event_per_changed_value() -> None:
    state = created()
    # Moving the wave-1/wave-2 boundary needs both ends at once; one request, two events.
    events = override(state, ("readiness.thresholds[0].min", 21), ("readiness.thresholds[1].max", 20))
    assert [(e.path, e.previous, e.value, e.override_version) for e in events] == [  # type: ignore[attr-defined]
        ("readiness.thresholds[0].min", 20, 21, 1),
        ("readiness.thresholds[1].max", 19, 20, 2),
    ]
    assert all(isinstance(e, PlaybookOverridden) and e.reason == "board decision" for e in events)
    assert all(e.overridden_by == "vp-ops" for e in events)  # type: ignore[attr-defined]
    state = fold(events, state)
    assert state.override_count == 2
    effective = PlaybookTemplate.model_validate(state.playbook)
    assert effective.readiness.threshold_for(20).recommended_wave == "wave-2"
    assert effective.readiness.threshold_for(21).recommended_wave == "wave-1"
    [later] = override(state, ("phases[1].name", "Pilot (North)"))
    assert later.override_version == 3 and later.previous == "Pilot Wave"  # type: ignore[attr-defined]


def test_an_unchanged_value_records_nothing() -> None:
    state = created()
    assert override(state, ("readiness.thresholds[0].min", 20)) == []
    # Only the value that changes becomes an event, numbered from the program's count.
    [event] = override(state, ("readiness.thresholds[0].min", 20), ("timeline.locations_max", 35))
    assert (event.path, event.override_version) == ("timeline.locations_max", 1)  # type: ignore[attr-defined]


def test_the_whole_result_is_revalidated_and_errors_name_path_and_rule() -> None:
    state = created()
    gap = refused(state, ("readiness.thresholds[1].min", 16))
    assert gap.field == "readiness.thresholds[1].min"
    assert "gap: composite 15..15 not covered" in gap.message
    wrong_type = refused(state, ("phases[1].start_week", "3"))
    assert wrong_type.field == "phases[1].start_week" and "valid integer" in wrong_type.message
    overlap = refused(state, ("phases[2].start_week", 6))
    assert overlap.field == "phases[2].start_week" and "overlaps phase 'wave-1'" in overlap.message
    outside = refused(state, ("waves[0].go_live.start_week", 8), ("waves[0].go_live.end_week", 8))
    assert outside.field == "waves[0].go_live.start_week" and "outside phase weeks 3-6" in outside.message


def test_paths_must_exist_and_be_given_once() -> None:
    state = created()
    unknown = refused(state, ("phases[1].name", "x"), ("readiness.thresholds[9].min", 1))
    assert unknown.field == "overrides.1.path" and "has 4 item(s)" in unknown.message
    assert refused(state, ("readiness.nope", 1)).field == "overrides.0.path"
    assert refused(state, ("not a path", 1)).field == "overrides.0.path"
    twice = refused(state, ("phases[1]", {}), ("phases[1].name", "x"))
    assert twice.field == "overrides.1.path" and "overlaps overrides.0.path" in twice.message
    assert "identifies the template" in refused(state, ("id", "other-dso")).message
    assert refused(state, ("version", "9.9.9")).field == "overrides.0.path"


def test_reason_and_existence_are_required() -> None:
    assert refused(created(), ("phases[1].name", "x"), reason="  ").field == "reason"
    with pytest.raises(NotFound):
        override(Program(), ("phases[1].name", "x"))
