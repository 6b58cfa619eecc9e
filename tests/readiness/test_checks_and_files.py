"""Pure: requirements checklist, effective playbooks from overrides, CSV import parsing and matrix export."""

from __future__ import annotations

import csv
import io

import pytest

from services.readiness.programs.playbooks import ProgramPlaybooks
from services.readiness.scoring.requirements import checklist, ready
from services.readiness.spreadsheets.domain import matrix_csv, parse_import
from shared.errors import Conflict, DomainError
from shared.playbooks import get_template
from shared.playbooks.effective import effective_playbook
from shared.playbooks.overrides import PlaybookPathError, parse_path, with_value

SOFTSMILE = get_template("softsmile-dso")
SPARK = get_template("spark-dso")


def test_softsmile_checklist_passes_fails_and_says_what_is_unknown() -> None:
    facts = {"internet_down_mbps": 25, "internet_up_mbps": 120, "latency_ms": 140, "workstation_os": "windows",
             "workstation_os_version": "11", "pms": "dentrix", "pms_version": "7.1", "scanner": "itero",
             "browser": "firefox", "workstation_gpu_dedicated": True}
    items = {i.key: i for i in checklist(SOFTSMILE.technical_requirements, facts)}
    down = items["internet-down-min"]
    assert (down.status, down.gap, down.expected) == ("fail", "needs ≥ 50 Mbps, has 25", "≥ 50 Mbps")  # seed L35
    assert items["internet-up-min"].status == "pass" and items["internet-up-min"].gap is None
    assert items["latency"].gap == "needs < 100 ms, has 140"
    assert items["dentrix-version"].gap == "needs ≥ 7.3, has 7.1"  # Dentrix G7.3+, seed L259
    assert items["browser"].gap == "needs one of chrome, edge, has firefox"
    assert items["gpu"].status == "pass"
    assert items["ram"].status == "unknown" and items["ram"].gap == "needs ≥ 16 GB; workstation_ram_gb is not recorded"
    # Lines for other systems do not apply; a line whose condition is unknown is unknown.
    assert {items[k].status for k in ("eaglesoft-version", "open-dental-version", "macos-version")} == {
        "not_applicable"}
    assert items["trios-version"].status == "not_applicable" and items["medit-link"].status == "not_applicable"
    assert not ready(list(items.values()))


def test_spark_checklist_is_its_own_template() -> None:
    facts = {"internet_down_mbps": 25, "internet_up_mbps": 12, "wifi_reliable": True, "devices_per_clinician": 1,
             "shared_devices": 0, "workstation_os": "ipados", "firewall_allows_vendor_cloud": True,
             "pms": "open_dental", "scanner": "none"}
    items = {i.key: i for i in checklist(SPARK.technical_requirements, facts)}
    assert items["internet-down-min"].status == "pass"  # Spark needs 10 Mbps (seed L10), not 50
    assert items["shared-device"].gap == "needs ≥ 1, has 0"
    assert items["scanner"].gap == "needs none of none, has none"
    assert not ready(list(items.values()))
    fixed = facts | {"shared_devices": 1, "scanner": "itero"}
    assert ready(checklist(SPARK.technical_requirements, fixed))


def apply_override(doc: dict, path: str, value: object) -> dict:
    return with_value(doc, parse_path(path), value)


def test_overrides_apply_by_dotted_path_and_bad_paths_are_named() -> None:
    doc = SOFTSMILE.model_dump(mode="json")
    assert parse_path("readiness.thresholds[0].min") == ("readiness", "thresholds", 0, "min")
    changed = apply_override(doc, "pilot_selection.max_locations", 4)
    assert changed["pilot_selection"]["max_locations"] == 4 and doc["pilot_selection"]["max_locations"] == 3
    lowered = apply_override(apply_override(doc, "readiness.thresholds[0].min", 19), "readiness.thresholds[1].max", 18)
    books = ProgramPlaybooks({"P1": effective_playbook("acme", "P1", 2, lambda: lowered)})
    assert books["P1"].readiness.threshold_for(19).recommended_wave == "wave-1"
    assert books[None].id == "softsmile-dso" and "P1" in books and "P3" not in books
    broken = apply_override(doc, "readiness.thresholds[0].min", 21)
    with pytest.raises(Conflict, match="effective playbook is invalid"):
        # composite 20 is left uncovered: readiness refuses to guess
        effective_playbook("acme", "P2", 1, lambda: broken)
    for bad in ("readiness.nothing.min", "readiness.thresholds[9].min", "[0].x", "readiness..x"):
        with pytest.raises(PlaybookPathError):
            apply_override(doc, bad, 1)


def _rows(text: str, **kw: object) -> tuple[list, list]:
    options = {"programs": {"P1"}, "taken": {("Elm", "north")}, "in_scope": lambda region: region != "west"}
    return parse_import(text, **(options | kw))  # type: ignore[arg-type]


def test_csv_rows_are_checked_one_by_one_with_every_reason() -> None:
    text = (
        "name,region,program_id,internet_down_mbps,pms,provider_champion,staff_turnover_pct\n"
        "Harbor,north,P1,60,Open Dental,yes,12\n"
        "Elm,north,,50,dentrix,no,10\n"           # already registered
        "Lake,west,P9,fast,Dentrix 7,maybe,140\n"  # outside scope, unknown program, four bad facts
        ",south,,,,,\n"                           # no name
        "Harbor,north,P1,60,dentrix,true,5\n"     # repeats row 2
        "\n"
    )
    rows, rejected = _rows(text)
    assert [(r.line, r.name, r.program_id) for r in rows] == [(2, "Harbor", "P1")]
    assert rows[0].facts == {"internet_down_mbps": 60, "pms": "open_dental", "provider_champion": True,
                             "staff_turnover_pct": 12}
    by_line = {r.line: {e["field"] for e in r.errors} for r in rejected}
    assert by_line == {
        3: {"name"},
        4: {"program_id", "region", "internet_down_mbps", "pms", "provider_champion", "staff_turnover_pct"},
        5: {"name"},
        6: {"name"},
    }


def test_csv_header_problems_refuse_the_whole_file() -> None:
    for header, field in (("name,colour", "columns.colour"), ("name,region,name", "columns.name"),
                          ("name,internet_down_mbps", "columns.region"), ("name,region,composite_score",
                                                                          "columns.composite_score")):
        with pytest.raises(DomainError) as refused:
            _rows(header + "\n")
        assert refused.value.field == field


def test_matrix_csv_carries_facts_and_defuses_formulas() -> None:
    rows = [{"location_id": "L1", "name": "=HYPERLINK(\"x\")", "region": "north", "program_id": None,
             "it_infrastructure": 4, "composite": None, "facts": {"pms": "dentrix", "it_managed": True,
                                                                  "latitude": -33.9}}]
    text = matrix_csv(rows, facts=True)
    header, row = list(csv.reader(io.StringIO(text)))
    assert header[-3:] == ["it_managed", "pms", "latitude"]  # vocabulary order
    assert row[1] == "'=HYPERLINK(\"x\")" and row[header.index("it_infrastructure")] == "4"
    assert row[-3:] == ["true", "dentrix", "-33.9"]
