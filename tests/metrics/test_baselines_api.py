"""Baselines over HTTP: captured and refused with the field named, a CSV with a bad row imports nothing,
a program's completeness, scope, and a rebuild to the same rows — real NATS, SQLite and PostgreSQL.
"""

from __future__ import annotations

from tests.conftest import bearer, serve
from tests.metrics.factories import create_program, rebuild_all, register_location, snapshot

Q1 = {"period_start": "2026-01-01", "period_end": "2026-03-31"}
CSV = {"Content-Type": "text/csv"}


async def test_capture_refuse_import_and_completeness(app, token, org) -> None:
    admin = bearer(token(org))
    async with serve(app) as client:
        program = await create_program(app, org)
        north = await register_location(app, org, "North Smiles", "north", program)
        south = await register_location(app, org, "South Smiles", "south", program)

        captured = await client.put(f"/api/v1/locations/{north}/baseline", headers=admin, json={"metrics": [
            {"metric": "plan_turnaround_hours", "value": 72, "sample_size": 40, **Q1},
            {"metric": "case_acceptance_rate_pct", "value": 61.5, **Q1}]})
        assert captured.status_code == 200, captured.text
        body = captured.json()
        assert [(v["metric"], v["value"], v["unit"], v["source"]) for v in body["values"]] == [
            ("plan_turnaround_hours", 72, "hours", "manual"), ("case_acceptance_rate_pct", 61.5, "percent", "manual")]
        assert len(body["metrics"]) == 12 and len(body["missing"]) == 10 and body["complete"] is False
        turnaround = body["metrics"][0]
        assert (turnaround["better"], turnaround["lookback_days"], turnaround["unit"]) == ("lower", 90, "hours")

        refused = await client.put(f"/api/v1/locations/{north}/baseline", headers=admin, json={"metrics": [
            {"metric": "case_acceptance_rate_pct", "value": 140, **Q1}]})
        assert refused.status_code == 422
        assert refused.json()["error"]["field"] == "metrics[0].value"
        unknown = await client.put("/api/v1/locations/nowhere/baseline", headers=admin, json={"metrics": [
            {"metric": "revisions_per_case", "value": 2, **Q1}]})
        assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "location_id"

        # A CSV with one bad row imports nothing and says why, per row and field.
        rows = [f"{south},revisions_per_case,2.5,2026-01-01,2026-03-31,30",
                f"{south},refinements_per_case,1.2,2026-01-01,2026-03-31,",
                f"{south},happiness,9,2026-01-01,2026-03-31,",
                "nowhere,revisions_per_case,x,2026-01-01,2026-03-31,"]
        text = "location_id,metric,value,period_start,period_end,sample_size\n" + "\n".join(rows) + "\n"
        bad = await client.post("/api/v1/baselines/import", headers=admin | CSV, content=text.encode())
        assert bad.status_code == 422, bad.text
        error = bad.json()["error"]
        assert error["message"] == "2 of 4 rows rejected; nothing was imported"
        assert [(r["line"], [e["field"] for e in r["errors"]]) for r in error["rejected"]] == [
            (4, ["metric"]), (5, ["location_id", "value"])]
        nothing = await client.get(f"/api/v1/locations/{south}/baseline", headers=admin)
        assert nothing.json()["values"] == []

        good = "location_id,metric,value,period_start,period_end,sample_size\n" + "\n".join(rows[:2]) + "\n"
        imported = await client.post("/api/v1/baselines/import", headers=admin | CSV, content=good.encode())
        assert imported.status_code == 201, imported.text
        assert imported.json()["imported"] == 2
        south_baseline = (await client.get(f"/api/v1/locations/{south}/baseline", headers=admin)).json()
        assert {(v["metric"], v["source"], v["sample_size"]) for v in south_baseline["values"]} == {
            ("revisions_per_case", "csv", 30), ("refinements_per_case", "csv", None)}

        view = (await client.get(f"/api/v1/programs/{program}/baselines", headers=admin)).json()
        by_name = {loc["name"]: loc for loc in view["locations"]}
        assert by_name["North Smiles"]["captured"] == ["plan_turnaround_hours", "case_acceptance_rate_pct"]
        assert "revisions_per_case" in by_name["North Smiles"]["missing"]
        assert by_name["South Smiles"]["captured"] == ["revisions_per_case", "refinements_per_case"]
        assert (view["complete_locations"], view["total_locations"]) == (0, 2)

        # Scope: a regional admin of the south neither sees nor captures the north.
        regional = bearer(token(org, "regional_admin", regions=("south",)))
        assert (await client.get(f"/api/v1/locations/{north}/baseline", headers=regional)).status_code == 404
        other = await client.put(f"/api/v1/locations/{north}/baseline", headers=regional, json={"metrics": [
            {"metric": "revisions_per_case", "value": 2, **Q1}]})
        assert other.status_code == 404
        mine = (await client.get(f"/api/v1/programs/{program}/baselines", headers=regional)).json()
        assert [loc["name"] for loc in mine["locations"]] == ["South Smiles"]
        provider = bearer(token(org, "provider", locations=(south,)))
        denied = await client.put(f"/api/v1/locations/{south}/baseline", headers=provider, json={"metrics": [
            {"metric": "revisions_per_case", "value": 2, **Q1}]})
        assert denied.status_code == 403

        before = snapshot(app.state.runtime.engine)
        await rebuild_all(app)
        assert snapshot(app.state.runtime.engine) == before
