"""Programs through HTTP, against a real NATS server and both read-model databases."""

from __future__ import annotations

import asyncio
from typing import Any

import nats
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

from services.waves.programs.models import OverrideRow, ProgramRow
from services.waves.programs.projections import ProgramsProjection
from shared.db import make_engine
from shared.events import AggregateRef
from shared.projections import store as read_store
from shared.projections.runner import ProjectionRunner
from tests.conftest import bearer, serve

PROGRAMS = "/api/v1/programs"
THRESHOLDS = [  # move the wave-1/wave-2 boundary: both ends in one request
    {"path": "readiness.thresholds[0].min", "value": 21},
    {"path": "readiness.thresholds[1].max", "value": 20},
]


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    def rows(table: type[SQLModel]) -> list[dict[str, Any]]:
        with Session(engine) as session:
            return sorted((r.model_dump() for r in session.exec(select(table)).all()), key=repr)

    return {"programs": rows(ProgramRow), "overrides": rows(OverrideRow)}


async def replay(engine: Engine, nats_url: str, position: int) -> None:
    """Replay the stream into the read model with a fresh runner, up to `position`."""
    nc = await nats.connect(nats_url)
    runner = ProjectionRunner(nc=nc, engine=engine, projection=ProgramsProjection())
    try:
        await runner.start()
        await runner.wait_for(position)
    finally:
        await runner.stop()
        await nc.close()


async def test_programs_from_each_template_with_overrides_history_and_rebuild(
    app, token, org, database_url, nats_server
) -> None:
    auth = bearer(token(org, "executive"))
    positions = []
    async with serve(app) as client:
        ids = {}
        for playbook, start in (("softsmile-dso", "2025-09-01"), ("spark-dso", "2025-09-03")):
            body = {"name": f"{playbook} rollout", "playbook": playbook, "start_date": start}
            created = await client.post(PROGRAMS, json=body, headers=auth)
            assert created.status_code == 201, created.text
            program = created.json()
            ids[playbook] = program["id"]
            assert created.headers["Location"] == f"{PROGRAMS}/{program['id']}"
            assert (program["playbook_id"], program["playbook_version"], program["start_date"]) == (
                playbook, "1.0.0", start,
            )
            assert (program["override_count"], program["version"], program["created_by"]) == (0, 1, "dev-user")
            positions.append(int(created.headers["X-Event-Position"]))

        listed = (await client.get(PROGRAMS, headers=auth)).json()
        assert [p["id"] for p in listed] == [ids["softsmile-dso"], ids["spark-dso"]]

        softsmile = (await client.get(f"{PROGRAMS}/{ids['softsmile-dso']}", headers=auth)).json()
        template = (await client.get("/api/v1/playbooks/softsmile-dso", headers=auth)).json()
        assert softsmile["playbook"] == template  # the effective playbook starts as the template
        assert [(p["key"], p["start_date"], p["end_date"]) for p in softsmile["phases"]] == [
            ("pre-implementation", "2025-09-01", "2025-09-14"),
            ("wave-1", "2025-09-15", "2025-10-12"),
            ("wave-2", "2025-10-13", "2025-11-23"),
            ("wave-3", "2025-11-24", "2026-01-18"),
            ("optimization", "2026-01-19", "2026-02-15"),
        ]
        assert (softsmile["total_weeks"], softsmile["end_date"]) == (24, "2026-02-15")

        spark = (await client.get(f"{PROGRAMS}/{ids['spark-dso']}", headers=auth)).json()
        pilot = spark["phases"][1]
        assert (spark["total_weeks"], spark["end_date"]) == (16, "2025-12-23")
        # The pilot goes live on the Monday of week 5, after configuration and on-site training (weeks 3-4).
        assert [w["go_live_date"] for w in pilot["go_live"]["weeks"]] == ["2025-10-06"]

        # Override with a reason: history shows it, and the effective playbook changed.
        patched = await client.patch(
            f"{PROGRAMS}/{ids['softsmile-dso']}/playbook",
            json={"overrides": THRESHOLDS, "reason": "  Pilot only our strongest sites  "}, headers=auth,
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["override_count"] == 2
        assert [(o["path"], o["previous"], o["value"]) for o in patched.json()["overrides"]] == [
            ("readiness.thresholds[0].min", 20, 21), ("readiness.thresholds[1].max", 19, 20),
        ]
        positions.append(int(patched.headers["X-Event-Position"]))
        after = (await client.get(f"{PROGRAMS}/{ids['softsmile-dso']}", headers=auth)).json()
        thresholds = after["playbook"]["readiness"]["thresholds"]
        assert (thresholds[0]["min"], thresholds[1]["max"]) == (21, 20)
        assert (after["override_count"], after["version"]) == (2, 3)
        assert after["updated_at"] >= after["created_at"]
        history = (await client.get(f"{PROGRAMS}/{ids['softsmile-dso']}/playbook/history", headers=auth)).json()
        assert [(h["override_version"], h["path"], h["previous"], h["value"]) for h in history] == [
            (1, "readiness.thresholds[0].min", 20, 21), (2, "readiness.thresholds[1].max", 19, 20),
        ]
        assert {(h["reason"], h["overridden_by"]) for h in history} == {("Pilot only our strongest sites", "dev-user")}
        assert all(h["overridden_at"].endswith(("Z", "+00:00")) for h in history)

        # A program can move the pilot's Monday (here: a week later).
        go_live = [{"path": f"waves[0].go_live.{end}", "value": 6} for end in ("start_week", "end_week")]
        moved = await client.patch(
            f"{PROGRAMS}/{ids['spark-dso']}/playbook", json={"overrides": go_live, "reason": "after training"},
            headers=auth,
        )
        assert moved.status_code == 200, moved.text
        positions.append(int(moved.headers["X-Event-Position"]))
        pilot = (await client.get(f"{PROGRAMS}/{ids['spark-dso']}", headers=auth)).json()["phases"][1]
        assert pilot["go_live"]["from_template"] is True
        assert [(w["week"], w["go_live_date"]) for w in pilot["go_live"]["weeks"]] == [(6, "2025-10-13")]

        # Concurrent overrides never lose one nor share a version (the store retries on conflict).
        renames = [{"overrides": [{"path": f"phases[{i}].name", "value": f"Phase {i}"}], "reason": "plain names"}
                   for i in range(4)]
        results = await asyncio.gather(
            *(client.patch(f"{PROGRAMS}/{ids['spark-dso']}/playbook", json=r, headers=auth) for r in renames)
        )
        applied = [r for r in results if r.status_code == 200]
        assert {r.status_code for r in results} <= {200, 409} and applied
        positions += [int(r.headers["X-Event-Position"]) for r in applied]
        history = (await client.get(f"{PROGRAMS}/{ids['spark-dso']}/playbook/history", headers=auth)).json()
        assert [h["override_version"] for h in history] == list(range(1, 3 + len(applied)))

    # Rebuild from events: a reset read model replayed by a new runner holds the same rows.
    engine = make_engine(database_url)
    try:
        before = snapshot(engine)
        assert len(before["programs"]) == 2 and len(before["overrides"]) == 4 + len(applied)
        await asyncio.to_thread(read_store.reset, engine, ProgramsProjection())
        assert snapshot(engine) == {"programs": [], "overrides": []}
        await replay(engine, nats_server.url, max(positions))
        assert snapshot(engine) == before
    finally:
        engine.dispose()


async def test_bad_input_is_refused_and_nothing_is_written(app, token, org) -> None:
    auth = bearer(token(org, "super_admin"))
    async with serve(app) as client:
        unknown = await client.post(
            PROGRAMS, json={"name": "X", "playbook": "nope-dso", "start_date": "2025-09-01"}, headers=auth
        )
        assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "playbook"
        assert "'nope-dso'" in unknown.json()["error"]["message"]
        for bad in ("2025-13-01", "01/09/2025", "2025-02-30", 1756684800, "2025-09-01T00:00:00Z", None):
            refused = await client.post(PROGRAMS, json={"name": "X", "playbook": "spark-dso", "start_date": bad},
                                        headers=auth)
            assert refused.status_code == 422, bad
            assert refused.json()["error"]["field"] == "start_date", refused.json()
        blank = await client.post(PROGRAMS, json={"name": " ", "playbook": "spark-dso", "start_date": "2025-09-01"},
                                  headers=auth)
        assert blank.status_code == 422 and blank.json()["error"]["field"] == "name"
        assert (await client.get(PROGRAMS, headers=auth)).json() == []

        retry = auth | {"Idempotency-Key": "create-north-1"}
        body = {"name": "North", "playbook": "softsmile-dso", "start_date": "2025-09-01"}
        first = await client.post(PROGRAMS, json=body, headers=retry)
        again = await client.post(PROGRAMS, json=body, headers=retry)
        assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
        program_id = first.json()["id"]
        playbook = f"{PROGRAMS}/{program_id}/playbook"

        gap = await client.patch(playbook, json={"overrides": [{"path": "readiness.thresholds[1].min", "value": 16}],
                                                 "reason": "stricter wave 2"}, headers=auth)
        assert gap.status_code == 422
        assert gap.json()["error"]["field"] == "readiness.thresholds[1].min"
        assert "gap: composite 15..15 not covered" in gap.json()["error"]["message"]
        cases = [
            ({"overrides": [{"path": "readiness.nope", "value": 1}], "reason": "r"}, "overrides.0.path", 422),
            ({"overrides": [{"path": "phases[1].name", "value": "P"}]}, "reason", 422),
            ({"overrides": [{"path": "phases[1].name", "value": "P"}], "reason": "   "}, "reason", 422),
            ({"overrides": [], "reason": "r"}, "overrides", 422),
            ({"overrides": [{"path": "phases[1].name"}], "reason": "r"}, "overrides.0.value", 422),
        ]
        for patch, field, code in cases:
            response = await client.patch(playbook, json=patch, headers=auth)
            assert (response.status_code, response.json()["error"]["field"]) == (code, field), response.text
        missing = await client.patch(f"{PROGRAMS}/01JNOPROGRAM000000000000/playbook",
                                     json={"overrides": THRESHOLDS, "reason": "r"}, headers=auth)
        assert missing.status_code == 404

        # Nothing was appended by any refused command: one event, no history, the template untouched.
        events = await app.state.runtime.store.load(AggregateRef(org, "waves", "program", program_id))
        assert [e.type for e in events.events] == ["ProgramCreated"]
        assert (await client.get(f"{playbook}/history", headers=auth)).json() == []
        detail = (await client.get(f"{PROGRAMS}/{program_id}", headers=auth)).json()
        assert (detail["override_count"], detail["version"]) == (0, 1)
        assert detail["playbook"]["readiness"]["thresholds"][1]["min"] == 15
        for path in (f"{PROGRAMS}/01JNOPROGRAM000000000000", f"{PROGRAMS}/01JNOPROGRAM000000000000/playbook/history"):
            assert (await client.get(path, headers=auth)).status_code == 404
