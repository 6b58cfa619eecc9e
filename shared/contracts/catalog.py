"""The event catalog: an AsyncAPI 3.0 document and one JSON Schema per event, generated from the contracts.

Every registered `DomainEvent` becomes a channel (`dso.{org}.{service}.{aggregate}.{id}.{EventType}`)
with its payload schema (from pydantic) and the CloudEvents headers it travels with,
so code and published catalog cannot drift: a test compares this output with the
committed `docs/`. Regenerate with `python -m shared.contracts.catalog --write`.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from pathlib import Path
from typing import Any

from shared.contracts.base import DomainEvent, registered

DOCS = Path(__file__).resolve().parents[2] / "docs"
HEADERS = "CloudEventsHeaders"
_TEXT = {"type": "string"}
CLOUDEVENTS_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 attributes in binary mode, as NATS message headers; the body is the JSON payload.",
    "required": [
        "ce-specversion", "ce-id", "ce-source", "ce-type", "ce-subject", "ce-time",
        "ce-orgid", "ce-aggregatetype", "ce-aggregateversion", "content-type",
    ],
    "properties": {
        "ce-specversion": {"const": "1.0"},
        "ce-id": {**_TEXT, "description": "Event id (ULID), unique per event"},
        "ce-source": {**_TEXT, "description": "Producer, e.g. dso-rollout/readiness"},
        "ce-type": {**_TEXT, "description": "Event type, the last subject token"},
        "ce-subject": {**_TEXT, "description": "Aggregate id"},
        "ce-time": {**_TEXT, "format": "date-time"},
        "ce-dataschema": {**_TEXT, "description": "urn:dso-rollout:events:<service>:<Event>:v<n>, the schema $id"},
        "ce-orgid": {**_TEXT, "description": "Organisation (tenant), also the second subject token"},
        "ce-aggregatetype": _TEXT,
        "ce-aggregateversion": {**_TEXT, "pattern": "^[1-9][0-9]*$", "description": "1..N within the aggregate"},
        "ce-correlationid": {**_TEXT, "description": "The request that started the flow"},
        "ce-causationid": {**_TEXT, "description": "The command or event that caused this one"},
        "ce-actor": {**_TEXT, "description": "role:subject of the user who issued the command"},
        "traceparent": {**_TEXT, "description": "W3C trace context"},
        "content-type": {"const": "application/json"},
        "Nats-Msg-Id": {**_TEXT, "description": "De-duplication id derived from the command id"},
    },
}


def contracts() -> list[type[DomainEvent]]:
    """Every published event, in a stable order (importing the modules registers them)."""
    import shared.contracts  # noqa: F401

    return sorted(registered(), key=lambda cls: (cls.service, cls.aggregate, cls.event_type()))


def key(cls: type[DomainEvent]) -> str:
    return f"{cls.service}.{cls.event_type()}"


def _summary(cls: type[DomainEvent]) -> tuple[str, str]:
    doc = inspect.getdoc(cls) or cls.event_type()
    return doc.split("\n", 1)[0], doc


def event_schema(cls: type[DomainEvent]) -> dict[str, Any]:
    """The standalone JSON Schema of one event's payload; its `$id` is the event's `ce-dataschema`."""
    schema = cls.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": cls.dataschema(), **schema}


def _components(events: list[type[DomainEvent]]) -> dict[str, Any]:
    schemas: dict[str, Any] = {HEADERS: CLOUDEVENTS_HEADERS}
    messages: dict[str, Any] = {}
    for cls in events:
        schema = cls.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))  # nested models become shared components
        schemas[key(cls)] = schema
        summary, description = _summary(cls)
        messages[key(cls)] = {
            "name": cls.event_type(),
            "title": cls.event_type(),
            "summary": summary,
            "description": description,
            "contentType": "application/json",
            "headers": {"$ref": f"#/components/schemas/{HEADERS}"},
            "payload": {"$ref": f"#/components/schemas/{key(cls)}"},
            "correlationId": {"location": "$message.header#/ce-correlationid"},
            "x-dataschema": cls.dataschema(),
            "x-schema-version": cls.schema_version,
        }
    return {"schemas": schemas, "messages": messages}


def asyncapi() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every domain event."""
    events = contracts()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for cls in events:
        name = f"{cls.service}.{cls.aggregate}.{cls.event_type()}"
        summary, _ = _summary(cls)
        channels[name] = {
            "address": f"dso.{{org}}.{cls.service}.{cls.aggregate}.{{id}}.{cls.event_type()}",
            "title": f"{cls.event_type()} ({cls.service})",
            "summary": summary,
            "parameters": {
                "org": {"description": "Organisation (tenant) id; subscribe to dso.<org>.> for all of one tenant"},
                "id": {"description": getattr(cls, "id_description", f"Id of the {cls.aggregate} (ULID)")},
            },
            "messages": {cls.event_type(): {"$ref": f"#/components/messages/{key(cls)}"}},
        }
        operations[f"{cls.service}.{cls.event_type()}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{name}"},
            "summary": f"The {cls.service} service publishes {cls.event_type()}",
            "messages": [{"$ref": f"#/channels/{name}/messages/{cls.event_type()}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "DSO Rollout domain events",
            "version": "1.0.0",
            "description": (
                "Every state change of DSO Rollout as a domain event on NATS JetStream: one stream per owning "
                "service (DSO_<SERVICE> on dso.*.<service>.>), CloudEvents 1.0 in binary mode (ce-* headers), "
                "JSON payloads. Additive changes only within a schema version. Generated from shared/contracts/."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {"host": "127.0.0.1:4222", "protocol": "nats", "description": "rollout up's embedded JetStream"}
        },
        "channels": channels,
        "operations": operations,
        "components": _components(events),
    }


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def files() -> dict[str, str]:
    """Every catalog file by its path under docs/."""
    generated = {"asyncapi.json": _dump(asyncapi())}
    for cls in contracts():
        generated[f"events/{key(cls)}.v{cls.schema_version}.schema.json"] = _dump(event_schema(cls))
    return generated


def _committed(root: Path) -> dict[str, str]:
    paths = [root / "asyncapi.json", *sorted((root / "events").glob("*.schema.json"))]
    return {str(p.relative_to(root)): p.read_text() for p in paths if p.exists()}


def stale(root: Path = DOCS) -> list[str]:
    """What differs between the contracts and the committed catalog (empty when in step)."""
    expected, found = files(), _committed(root)
    problems = [f"{name}: missing" for name in expected if name not in found]
    problems += [f"{name}: out of date" for name in expected if name in found and found[name] != expected[name]]
    problems += [f"{name}: no such event any more" for name in found if name not in expected]
    return problems


def write(root: Path = DOCS) -> list[str]:
    """Regenerate the catalog under `root`; return the files written or removed."""
    expected = files()
    (root / "events").mkdir(parents=True, exist_ok=True)
    changed = []
    for name in _committed(root).keys() - expected.keys():
        (root / name).unlink()
        changed.append(f"removed {name}")
    for name, text in expected.items():
        path = root / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            changed.append(f"wrote {name}")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--write", action="store_true", help="regenerate docs/asyncapi.json and docs/events/")
    parser.add_argument("--docs", type=Path, default=DOCS, help="catalog directory (default: the repo's docs/)")
    args = parser.parse_args(argv)
    if args.write:
        for line in write(args.docs) or ["catalog already up to date"]:
            print(line)
        return 0
    problems = stale(args.docs)
    for line in problems or ["catalog up to date"]:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
