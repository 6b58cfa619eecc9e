"""The event catalog: generated from the contracts, committed under docs/, and in step with them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from shared.contracts.catalog import DOCS, asyncapi, contracts, event_schema, main, stale, write


def test_the_committed_catalog_matches_the_contracts() -> None:
    problems = stale()
    assert not problems, (
        "docs/ is out of step with shared/contracts: run `python -m shared.contracts.catalog --write` "
        f"and commit the result: {problems}"
    )


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_every_event_is_a_channel_with_its_payload_schema_and_cloudevents_headers() -> None:
    doc = asyncapi()
    assert doc["asyncapi"] == "3.0.0"
    events = contracts()
    names = {c.event_type() for c in events}
    assert {"LocationRegistered", "LocationScored", "ProgramCreated", "AuditRecorded"} <= names
    addresses = {channel["address"] for channel in doc["channels"].values()}
    for cls in events:
        address = f"dso.{{org}}.{cls.service}.{cls.aggregate}.{{id}}.{cls.event_type()}"
        assert address in addresses
        message = doc["components"]["messages"][f"{cls.service}.{cls.event_type()}"]
        payload = _resolve(doc, message["payload"]["$ref"])
        assert set(payload["properties"]) == set(cls.model_fields)
        assert message["x-dataschema"] == cls.dataschema()
        headers = _resolve(doc, message["headers"]["$ref"])
        assert {"ce-specversion", "ce-id", "ce-type", "ce-orgid", "ce-time"} <= set(headers["required"])
    for channel in doc["channels"].values():  # every {parameter} of an address is described
        assert set(re.findall(r"\{(\w+)\}", channel["address"])) == set(channel["parameters"])
    for ref in _refs(doc):  # and every reference resolves inside the document
        assert _resolve(doc, ref) is not None, ref


def test_each_event_schema_is_standalone_json_schema_named_by_its_dataschema() -> None:
    for cls in contracts():
        schema = event_schema(cls)
        assert schema["$id"] == cls.dataschema()
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        local = [r for r in _refs(schema) if r.startswith("#/")]
        assert all(_resolve(schema, r) is not None for r in local)
        path = DOCS / "events" / f"{cls.service}.{cls.event_type()}.v{cls.schema_version}.schema.json"
        assert json.loads(path.read_text()) == schema


def test_a_changed_contract_is_caught_and_the_command_regenerates_it(tmp_path: Path, capsys: Any) -> None:
    write(tmp_path)
    assert stale(tmp_path) == [] and main(["--docs", str(tmp_path)]) == 0
    (tmp_path / "events" / "readiness.LocationRegistered.v1.schema.json").write_text("{}\n")
    (tmp_path / "events" / "readiness.Gone.v1.schema.json").write_text("{}\n")
    assert stale(tmp_path) == [
        "events/readiness.LocationRegistered.v1.schema.json: out of date",
        "events/readiness.Gone.v1.schema.json: no such event any more",
    ]
    assert main(["--docs", str(tmp_path)]) == 1
    assert main(["--write", "--docs", str(tmp_path)]) == 0 and stale(tmp_path) == []
    assert "removed events/readiness.Gone.v1.schema.json" in capsys.readouterr().out
