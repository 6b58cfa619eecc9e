"""A DSO from a spreadsheet: CSV import (all or nothing), the matrix from facts, pilot proposal and
confirmation, and a rebuild of every read model from events — over HTTP, real NATS, SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from services.readiness.app import create_app, projections
from services.readiness.config import ReadinessSettings
from shared.config import PlatformSettings
from shared.eventstore.streams import stream_name
from shared.projections import store
from shared.projections.runner import ProjectionRunner
from tests.conftest import bearer, serve
from tests.readiness.factories import FACTORS, SAMPLE, SAMPLE_FACTS, create_program

PILOT_FACTS = {"provider_champion": True, "champion_volunteered": True, "om_has_capacity": True,
               "near_regional_manager": True, "ongoing_major_change": False}
# E: 5,4,3,5,4 = 21 — a 20+ location with a minor challenge (patient volume 3), as SoftSmile L191 asks.
LOCATION_E = SAMPLE_FACTS["Location A"] | {"monthly_aligner_starts": 30, "om_champion": False}
PROFILE = {  # name -> region, practice type, setting, facts
    "Location A": ("north", "gp", "urban", SAMPLE_FACTS["Location A"] | PILOT_FACTS),
    "Location B": ("south", "ortho_specialty", "suburban", SAMPLE_FACTS["Location B"] | PILOT_FACTS),
    "Location C": ("north", "gp", "rural", SAMPLE_FACTS["Location C"] | PILOT_FACTS),
    "Location D": ("west", "multi_specialty", "rural", SAMPLE_FACTS["Location D"]),
    "Location E": ("east", "gp", "rural", LOCATION_E | PILOT_FACTS),
}


def spreadsheet(program_id: str, rows: dict[str, tuple[str, str, str, dict[str, Any]]]) -> str:
    columns = sorted({fact for *_, facts in rows.values() for fact in facts})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "region", "program_id", "practice_type", "setting", *columns])
    for name, (region, practice, setting, facts) in rows.items():
        cells = ["yes" if v is True else "no" if v is False else v for v in (facts.get(c, "") for c in columns)]
        writer.writerow([name, region, program_id, practice, setting, *cells])
    return out.getvalue()


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every readiness read model, in key order."""
    with Session(engine) as session:
        return {
            table.__tablename__: sorted((row.model_dump() for row in session.exec(select(table)).all()), key=repr)
            for projection in projections() for table in projection.tables
        }


@pytest.fixture
def app(platform: PlatformSettings, database_url: str):
    return create_app(ReadinessSettings(**platform.model_dump(), database_url=database_url))


async def test_import_propose_confirm_and_rebuild(app, token, org) -> None:
    auth, csv_type = bearer(token(org)), {"Content-Type": "text/csv"}
    async with serve(app) as client:
        program = await create_program(app, org)

        async def upload(text: str, who: dict = auth) -> Any:
            return await client.post("/api/v1/locations/import", content=text.encode(), headers=who | csv_type)

        # One bad row refuses the whole file, with every reason; nothing is imported.
        bad_rows = PROFILE | {"Location F": ("north", "gp", "urban", {"internet_down_mbps": "fast",
                                                                       "pms": "Curve Dental"})}
        refused = await upload(spreadsheet(program, bad_rows))
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert (error["code"], error["message"]) == ("import_rejected", "1 of 6 rows rejected; nothing was imported")
        assert error["rejected"] == [{"line": 7, "errors": [
            {"field": "internet_down_mbps", "message": "must be a number, got 'fast'"},
            {"field": "pms", "message": "must be one of dentrix, eaglesoft, open_dental, other; got 'curve_dental'"},
        ]}]
        assert (await client.get("/api/v1/locations", headers=auth)).json() == []
        wrong_type = await client.post("/api/v1/locations/import", content=b"name,region\n", headers=auth)
        assert wrong_type.status_code == 415
        provider = bearer(token(org, "provider"))
        assert (await upload(spreadsheet(program, PROFILE), provider)).status_code == 403

        imported = await upload(spreadsheet(program, PROFILE))
        assert imported.status_code == 201, imported.text
        report = imported.json()
        assert report["imported"] == 5
        assert {loc["name"]: loc["composite"] for loc in report["locations"]} == {
            "Location A": 23, "Location B": 21, "Location C": 16, "Location D": 11, "Location E": 21}
        again = await upload(spreadsheet(program, {"Location A": PROFILE["Location A"]}))
        assert again.json()["error"]["rejected"][0]["errors"][0]["field"] == "name"  # no duplicates
        ids = {loc["name"]: loc["location_id"] for loc in report["locations"]}

        # The seed's sample matrix, from facts alone (SoftSmile L179-184).
        matrix = {r["name"]: r for r in (await client.get("/api/v1/readiness/matrix", headers=auth)).json()["rows"]}
        for name, (values, composite, level, wave) in SAMPLE.items():
            row = matrix[name]
            assert (tuple(row[f] for f in FACTORS), row["composite"], row["level"], row["recommended_wave"],
                    row["method"]) == (values, composite, level, wave, "derived"), name
        exported = await client.get("/api/v1/readiness/matrix.csv?facts=true", headers=auth)
        assert exported.headers["content-type"].startswith("text/csv")
        table = list(csv.DictReader(io.StringIO(exported.text)))
        assert [(r["name"], r["composite"], r["recommended_wave"]) for r in table][:2] == [
            ("Location A", "23", "wave-1"), ("Location B", "21", "wave-1")]
        assert table[0]["internet_down_mbps"] == "150" and table[0]["provider_champion"] == "true"

        # Pilot proposal: A (high volume), B (ortho, suburban), E (minor challenges); C and D are below 20.
        proposal = (await client.get(f"/api/v1/programs/{program}/pilot-proposal", headers=auth)).json()
        assert sorted(p["name"] for p in proposal["pilots"]) == ["Location A", "Location B", "Location E"]
        assert all(r["satisfied"] for r in proposal["rules"]), proposal["rules"]
        picks = {p["name"]: p["reasons"] for p in proposal["pilots"]}
        assert "Composite readiness score of 20+: composite_score 21" in picks["Location E"]
        assert any(r.startswith("Include at least one location with minor challenges") for r in picks["Location E"])
        assert proposal["confirmed"] is None
        assert (await client.get(f"/api/v1/programs/{program}/pilot-proposal", headers=provider)).status_code == 403
        assert (await client.get("/api/v1/programs/01JNOSUCHPROGRAMME/pilot-proposal", headers=auth)).status_code == 404
        other = bearer(token("otherorg"))
        assert (await client.get(f"/api/v1/programs/{program}/pilot-proposal", headers=other)).status_code == 404
        recorded = await client.post(f"/api/v1/programs/{program}/pilot-proposal", headers=auth)
        assert recorded.status_code == 201 and recorded.headers["X-Event-Position"]

        # A regional admin of A's and B's regions confirms a changed set: recorded as differing,
        # with the rule it breaks. D (west) is outside its regions, so it cannot be named.
        regional = bearer(token(org, "regional_admin", regions=("north", "south")))
        url = f"/api/v1/programs/{program}/pilot-set"
        chosen = [ids["Location A"], ids["Location B"]]
        a, d = ids["Location A"], ids["Location D"]
        for body, field, who in (({"location_ids": [a, "01JNOTHERE"]}, "location_ids[1]", regional),
                                 ({"location_ids": [a, a]}, "location_ids[1]", regional),
                                 ({"location_ids": [a, d]}, "location_ids[1]", regional),
                                 ({"location_ids": list(ids.values())}, "location_ids", auth)):
            wrong = await client.post(url, json=body, headers=who)
            assert (wrong.status_code, wrong.json()["error"]["field"]) == (422, field)
        location_admin = bearer(token(org, "location_admin", locations=tuple(chosen)))
        assert (await client.post(url, json={"location_ids": chosen}, headers=location_admin)).status_code == 403
        confirmed = await client.post(url, json={"location_ids": chosen, "note": "E renovates in March"},
                                      headers=regional)
        assert confirmed.status_code == 201, confirmed.text
        assert (confirmed.json()["differs_from_proposal"], confirmed.json()["unmet_rules"]) == (
            True, ["minor-challenges"])
        shown = (await client.get(f"/api/v1/programs/{program}/pilot-proposal", headers=auth)).json()["confirmed"]
        assert (shown["location_ids"], shown["note"], shown["differs_from_proposal"]) == (
            chosen, "E renovates in March", True)

        # Rebuild: empty every read model and replay the streams from sequence 1 — the same state.
        runtime = app.state.runtime
        before = await asyncio.to_thread(snapshot, runtime.engine)
        assert len(before["readiness_locations_v2"]) == 5 and len(before["readiness_programs"]) == 1
        for runner in runtime.runners.values():
            await runner.stop()
        for projection in projections():
            await asyncio.to_thread(store.reset, runtime.engine, projection)
            assert (await asyncio.to_thread(snapshot, runtime.engine))[projection.tables[0].__tablename__] == []
            runner = ProjectionRunner(nc=runtime.nc, engine=runtime.engine, projection=projection)
            await runner.start()
            last = (await runtime.nc.jetstream().stream_info(stream_name(projection.stream))).state.last_seq
            await runner.wait_for(last)
            await runner.stop()
        assert await asyncio.to_thread(snapshot, runtime.engine) == before
