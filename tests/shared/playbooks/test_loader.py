"""Loading: built-ins, a third vendor from a directory, and errors that name file and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from shared.playbooks import (
    PlaybookLoadError,
    PlaybookSettings,
    UnknownPlaybook,
    available_templates,
    builtin_templates,
    get_template,
    load_template,
)
from tests.shared.playbooks.factories import template_data, write_template


def test_both_builtin_templates_load() -> None:
    templates = builtin_templates()
    assert set(templates) == {"softsmile-dso", "spark-dso"}
    assert builtin_templates()["spark-dso"] is templates["spark-dso"]  # parsed once


def test_templates_are_frozen() -> None:
    with pytest.raises(ValidationError):
        get_template("spark-dso").version = "9.9.9"  # type: ignore[misc]


def test_unknown_playbook_names_the_known_ones() -> None:
    with pytest.raises(UnknownPlaybook, match=r"'acme'.*softsmile-dso, spark-dso"):
        get_template("acme")


def test_a_third_vendor_is_a_file(tmp_path: Path) -> None:
    write_template(tmp_path, template_data(id="acme-aligners", vendor="Acme Aligners", title="Acme playbook"))
    templates = available_templates(templates_dir=tmp_path)
    assert set(templates) == {"softsmile-dso", "spark-dso", "acme-aligners"}
    assert get_template("acme-aligners", templates_dir=tmp_path).vendor == "Acme Aligners"


def test_templates_dir_setting_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSO_PLAYBOOKS_TEMPLATES_DIR", str(tmp_path))
    write_template(tmp_path, template_data(id="acme-aligners"))
    settings = PlaybookSettings()
    assert get_template("acme-aligners", templates_dir=settings.templates_dir).id == "acme-aligners"


def test_an_extra_template_may_not_shadow_a_builtin(tmp_path: Path) -> None:
    write_template(tmp_path, template_data())
    with pytest.raises(PlaybookLoadError, match=r"spark-dso\.yaml: id: 'spark-dso' is already a built-in"):
        available_templates(templates_dir=tmp_path)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation that sets a dotted/indexed path, e.g. 'readiness.thresholds.1.min'."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return mutate


def _drop(path: str, where: Callable[[Any], bool]) -> Callable[[dict[str, Any]], None]:
    """A mutation that removes the items matching `where` from the list at `path`."""

    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path.split("."):
            node = node[int(part)] if part.isdigit() else node[part]
        node[:] = [item for item in node if not where(item)]

    return mutate


def _duplicate_requirement(data: dict[str, Any]) -> None:
    data["technical_requirements"][1]["key"] = data["technical_requirements"][0]["key"]


INVALID = [
    (_set("readiness.thresholds.1.min", 16), "readiness.thresholds[1].min: gap: composite 15..15 not covered"),
    (_set("readiness.thresholds.2.max", 15), "readiness.thresholds[1].min: 15 overlaps"),
    (_set("readiness.thresholds.3.min", 0), "readiness.thresholds[3].min: composite starts at 5"),
    (_set("readiness.thresholds.0.recommended_wave", "wave-9"), "readiness.thresholds[0].recommended_wave"),
    (_set("phases.1.end_week", 2), "phases[1].end_week: 2 is before start_week 3"),
    (_set("phases.2.start_week", 5), "phases[2].start_week: week 5 overlaps phase 'wave-1'"),
    (_drop("readiness.factors", lambda f: f["key"] == "champion"), "readiness.factors: missing factor(s) champion"),
    (_drop("readiness.factors.0.rows", lambda r: r["score"] == 3), "readiness.factors[0].rows: missing score row(s) 3"),
    (_set("readiness.factors.0.rows.1.all_of.0.fact", "bandwidth"),
     "readiness.factors[0].rows[1].all_of[0].fact: unknown location fact 'bandwidth'"),
    (_set("gates.0.criteria.0.threshold", "80%"),
     "gates[0].criteria[0].threshold: must be a number or boolean, got '80%'"),
    (_set("gates.0.criteria.0.threshold", True), "gates[0].criteria[0].threshold: must be a number for unit percent"),
    (_set("gates.0.criteria.0.threshold", 180), "gates[0].criteria[0].threshold: 180 is outside 0..100"),
    (_set("gates.0.criteria.3.baseline", None), "gates[0].criteria[3].baseline: a relative check needs"),
    (_set("gates.0.to_wave", "wave-7"), "gates[0].to_wave: unknown wave 'wave-7'"),
    (_duplicate_requirement, "technical_requirements[1].key: duplicate key 'internet-down-min'"),
    (_set("readiness.thresholds.0.colour", "green"), "readiness.thresholds[0].colour: Extra inputs are not permitted"),
    (_set("waves.1.go_live.per_week_min", 2), "waves[1].go_live.per_week_min: simultaneous go-lives take no"),
    (_set("metrics.roi_targets.0.metric", "happiness"), "metrics.roi_targets[0].metric: unknown metric 'happiness'"),
]


@pytest.mark.parametrize(("mutate", "expected"), INVALID, ids=[expected.split(":")[0] for _, expected in INVALID])
def test_invalid_template_names_file_and_field(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    data = template_data()
    mutate(data)
    path = write_template(tmp_path, data)
    with pytest.raises(PlaybookLoadError) as raised:
        load_template(path)
    assert f"spark-dso.yaml: {expected}" in str(raised.value)
    assert raised.value.path == path


def test_certification_hours_must_add_up(tmp_path: Path) -> None:
    data = template_data("softsmile-dso")
    data["training"]["champion"]["certification"]["modules"][4]["hours"] = 2
    with pytest.raises(PlaybookLoadError, match=r"training\.champion\.certification\.total_hours: 8 h but modules add"):
        load_template(write_template(tmp_path, data))


def test_outline_must_fill_the_session(tmp_path: Path) -> None:
    data = template_data("softsmile-dso")
    data["training"]["curricula"][0]["outline"][1]["start_minute"] = 20
    with pytest.raises(PlaybookLoadError, match=r"curricula\[0\]\.outline\[1\]\.start_minute: expected 15"):
        load_template(write_template(tmp_path, data))


def test_gate_on_a_metric_without_baseline_is_rejected(tmp_path: Path) -> None:
    data = template_data("softsmile-dso")
    data["metrics"]["baseline"]["metrics"] = [m for m in data["metrics"]["baseline"]["metrics"]
                                              if m["key"] != "plan_turnaround_hours"]
    with pytest.raises(PlaybookLoadError, match=r"gates\[0\]\.criteria\[5\]\.metric: 'plan_turnaround_hours' has no"):
        load_template(write_template(tmp_path, data))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("id: [unclosed", "broken.yaml: <yaml>:"),
        ("- just\n- a list\n", "broken.yaml: <root>: must be a mapping"),
    ],
)
def test_unreadable_yaml(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlaybookLoadError, match=expected):
        load_template(path)


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = write_template(tmp_path, template_data(), file_name="other.yaml")
    with pytest.raises(PlaybookLoadError, match=r"other\.yaml: id: 'spark-dso' must match the file name 'other'"):
        load_template(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlaybookLoadError, match=r"nope\.yaml: <file>: cannot read"):
        load_template(tmp_path / "nope.yaml")
