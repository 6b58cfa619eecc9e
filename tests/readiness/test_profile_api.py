"""Facts, profile updates, live scoring, history and requirements through HTTP (real NATS, SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from services.readiness.app import create_app
from services.readiness.config import ReadinessSettings
from shared.config import PlatformSettings
from tests.conftest import bearer, serve
from tests.readiness.factories import FACTORS, SAMPLE_FACTS, create_program, override


@pytest.fixture
def app(platform: PlatformSettings, database_url: str):
    # These flows check the manual re-score after an override; the automatic one has its own tests.
    settings = ReadinessSettings(**platform.model_dump(), database_url=database_url, rescore_on_override=False)
    return create_app(settings)


def factors(scoring: dict) -> dict[str, dict]:
    return {f["key"]: f for f in scoring["factors"]}


async def test_a_location_lives_through_facts_changes_scorings_and_a_playbook_override(app, token, org) -> None:
    auth = bearer(token(org))
    async with serve(app) as client:
        program = await create_program(app, org)

        async def post(body: dict) -> dict:
            response = await client.post("/api/v1/locations", json=body, headers=auth)
            return {"status": response.status_code, **response.json()}

        # Bad input is refused naming the field and the rule; nothing is written.
        unknown = await post({"name": "X", "region": "north", "program_id": "01JNOPROGRAMME"})
        assert (unknown["status"], unknown["error"]["field"]) == (422, "program_id")
        for facts, rule in (({"internet_down_mbps": "fast"}, "must be a number"),
                            ({"staff_turnover_pct": 140}, "between 0 and 100 %"),
                            ({"pms": "Dentrix"}, "one of dentrix, eaglesoft, open_dental, other"),
                            ({"score_champion": 5}, "derived from the factor scores")):
            refused = await post({"name": "X", "region": "north", "facts": facts})
            assert (refused["status"], refused["error"]["field"]) == (422, f"facts.{next(iter(facts))}")
            assert rule in refused["error"]["message"]
        assert (await client.get("/api/v1/locations", headers=auth)).json() == []

        # Registered with enough facts: scored from them at once.
        created = await post({"name": "Location C", "region": "north", "program_id": program,
                              "facts": SAMPLE_FACTS["Location C"]})
        assert created["status"] == 201
        location = created["id"]
        assert (created["composite"], created["recommended_wave"], created["method"], created["version"]) == (
            16, "wave-2", "derived", 2)
        url = f"/api/v1/locations/{location}"

        scoring = (await client.get(f"{url}/scoring", headers=auth)).json()
        it = factors(scoring)["it_infrastructure"]
        assert (it["status"], it["score"], it["method"]) == ("scored", 3, "derived")
        assert it["criteria"] == "25+ Mbps, hardware < 5 years old, PMS supported version"
        assert it["next_step"] == (
            "IT Infrastructure Maturity 3 → 4 needs internet_down_mbps ≥ 50 and hardware_age_years < 3")
        assert (scoring["playbook_id"], scoring["composite"], scoring["current"]) == ("softsmile-dso", 16, True)

        checklist = (await client.get(f"{url}/requirements", headers=auth)).json()
        items = {i["key"]: i for i in checklist["items"]}
        assert (items["internet-down-min"]["status"], items["internet-down-min"]["gap"]) == (
            "fail", "needs ≥ 50 Mbps, has 30")
        assert items["ram"]["status"] == "unknown" and checklist["ready"] is False
        assert sum(checklist["summary"].values()) == len(items)

        async def patch(body: dict, who: dict = auth) -> dict:
            response = await client.patch(f"{url}/profile", json=body, headers=who)
            return {"status": response.status_code, **response.json()}

        # A fact that moves no score: recorded, no new scoring. The same values again: nothing at all.
        geo = await patch({"facts": {"latitude": 40.7, "longitude": -74.0}, "reason": "site survey"})
        assert (geo["status"], geo["version"], geo["composite"], geo["facts"]["latitude"]) == (200, 3, 16, 40.7)
        assert (await patch({"facts": {"latitude": 40.7}}))["version"] == 3
        # Faster internet and newer hardware: IT 3 -> 4, scored again.
        faster = await patch({"facts": {"internet_down_mbps": 60, "hardware_age_years": 2}})
        assert (faster["version"], faster["it_infrastructure"], faster["composite"]) == (5, 4, 17)
        bad = await patch({"facts": {"hardware_age_years": -1}})
        assert (bad["status"], bad["error"]["field"]) == (422, "facts.hardware_age_years")
        assert (await patch({}))["status"] == 422
        # Losing a fact the score rests on withdraws the composite: not enough data, never a guess.
        cleared = await patch({"facts": {"monthly_aligner_starts": None}})
        assert (cleared["version"], cleared["composite"], cleared["patient_volume"]) == (7, None, None)
        volume = factors((await client.get(f"{url}/scoring", headers=auth)).json())["patient_volume"]
        assert (volume["status"], volume["missing"]) == ("not_enough_data", ["monthly_aligner_starts"])

        # An assessment may not "derive" what the facts cannot decide, but may enter it with a reason.
        derived = dict.fromkeys(FACTORS, "derived")
        refused = await client.put(f"{url}/assessment", json={"scores": derived, "assessor": "rm"}, headers=auth)
        assert (refused.status_code, refused.json()["error"]["field"]) == (422, "scores.patient_volume")
        mixed = await client.put(f"{url}/assessment", headers=auth, json={
            "scores": derived | {"patient_volume": 3}, "assessor": "rm", "reasons": {"patient_volume": "PMS report"}})
        assert mixed.status_code == 200, mixed.text
        body = mixed.json()
        assert (body["composite"], body["recommended_wave"], body["method"], body["version"]) == (17, "wave-2",
                                                                                                  "derived", 8)
        entered = factors(body)["patient_volume"]
        assert (entered["method"], entered["assessor"], entered["reason"]) == ("entered", "rm", "PMS report")

        # Waves raises the IT row-4 bandwidth to 100 Mbps for this program: the live score moves at once,
        # the recorded one when re-scored.
        await override(app, org, program, "readiness.factors[0].rows[1].all_of[0].value", 100, 1)
        stale = (await client.get(f"{url}/scoring", headers=auth)).json()
        assert (factors(stale)["it_infrastructure"]["score"], stale["composite"], stale["current"]) == (3, 16, False)
        rescored = (await client.post(f"{url}/rescore", headers=auth)).json()
        recorded = rescored["recorded"]
        assert (recorded["composite"], recorded["version"], rescored["current"]) == (16, 9, True)

        history = (await client.get(f"{url}/history", headers=auth)).json()["events"]
        assert [e["type"] for e in history] == [
            "LocationRegistered", "LocationScored", "LocationProfileUpdated", "LocationProfileUpdated",
            "LocationScored", "LocationProfileUpdated", "LocationScoreWithdrawn", "LocationScored", "LocationScored"]
        update = history[3]["data"]
        assert update["changes"] == {"internet_down_mbps": 60, "hardware_age_years": 2}
        assert update["previous"] == {"internet_down_mbps": 30, "hardware_age_years": 4}
        assert update["updated_by"] == "dev-user" and update["updated_at"] and history[3]["actor"].startswith(
            "super_admin:")
        assert history[2]["data"]["reason"] == "site survey"

        # Scope: a regional admin of another region may not change it; a provider of the location may read it.
        south = bearer(token(org, "regional_admin", regions=("south",)))
        assert (await patch({"facts": {"latitude": 1.0}}, south))["status"] == 403
        moved = await patch({"region": "south"}, bearer(token(org, "location_admin", locations=(location,))))
        assert moved["status"] == 403
        provider = bearer(token(org, "provider", locations=(location,)))
        assert (await client.get(f"{url}/scoring", headers=provider)).status_code == 200
        assert (await patch({"facts": {"latitude": 1.0}}, provider))["status"] == 403

        # Another organization sees none of it.
        other = bearer(token("otherorg"))
        for path in ("", "/scoring", "/requirements", "/history"):
            assert (await client.get(f"{url}{path}", headers=other)).status_code == 404, path
        assert (await patch({"facts": {"latitude": 1.0}}, other))["status"] == 404
        assert (await client.post(f"{url}/rescore", headers=other)).status_code == 404
        export = await client.get("/api/v1/readiness/matrix.csv", headers=other)
        assert export.text.count("\r\n") == 1  # the header only


async def test_a_spark_program_scores_and_checks_by_its_own_template(app, token, org) -> None:
    auth = bearer(token(org))
    async with serve(app) as client:
        spark = await create_program(app, org, "spark-dso")
        facts = SAMPLE_FACTS["Location D"] | {"internet_up_mbps": 12, "wifi_reliable": True}
        body = {"name": "Satellite", "region": "east", "program_id": spark, "facts": facts}
        once = auth | {"Idempotency-Key": "import-satellite"}
        created = await client.post("/api/v1/locations", headers=once, json=body)
        assert created.status_code == 201, created.text
        # A retry with the same key (registered and scored the first time) changes nothing.
        retried = await client.post("/api/v1/locations", headers=once, json=body)
        assert (retried.json()["id"], retried.json()["version"]) == (created.json()["id"], 2)
        assert len((await client.get("/api/v1/locations", headers=auth)).json()) == 1
        assert (created.json()["composite"], created.json()["recommended_wave"]) == (11, "remediation")
        url = f"/api/v1/locations/{created.json()['id']}"
        checklist = (await client.get(f"{url}/requirements", headers=auth)).json()
        items = {i["key"]: i for i in checklist["items"]}
        assert checklist["playbook_id"] == "spark-dso"
        assert items["internet-down-min"]["status"] == "pass"  # 15 Mbps meets Spark's 10 (seed L10)
        assert items["wifi"]["status"] == "pass" and items["clinician-devices"]["status"] == "unknown"
        # Moving it to a program of another organization is refused.
        elsewhere = await create_program(app, "otherorg", "softsmile-dso")
        moved = await client.patch(f"{url}/profile", json={"program_id": elsewhere}, headers=auth)
        assert (moved.status_code, moved.json()["error"]["field"]) == (422, "program_id")
