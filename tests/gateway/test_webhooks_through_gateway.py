"""Webhook intake end to end: signed PMS and scanner deliveries through the real gateway into metrics.

Refusals store nothing (the reference vector's stale timestamp, a forged signature, a missing header,
an unknown source); a triple delivery is one effect; a step that arrives before its case waits and
is applied when the case is created; an unknown clinic parks and re-processes after the mapping is
fixed; a rotated secret overlaps; a scanner's patient is matched fuzzily against the PMS's; the
procedure posts with the mapped code and scheduled fee; cases, KPIs and integration health follow;
every read model rebuilds to the same rows.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import nats
import pytest

from services.gateway.app import create_app
from services.metrics.app import projections as metrics_projections
from shared.config import PlatformSettings
from shared.contracts.gateway import INTAKE_STREAM
from shared.webhooks import signed_headers
from tests.conftest import bearer, serve
from tests.gateway.conftest import SERVICE_APPS, listening
from tests.gateway.test_training_through_gateway import eventually, location
from tests.rebuild import rebuilt_alike

SCORES = {"it_infrastructure": 5, "staff_adaptability": 5, "patient_volume": 4, "tech_stack": 5, "champion": 4}
# Business times two days back (a source's timestamps may not lie in our future), minutes after T.
T = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=2)
CHICAGO = ZoneInfo("America/Chicago")


def at(minutes: float) -> str:
    return (T + timedelta(minutes=minutes)).isoformat()


def pms_local(moment: datetime) -> str:
    """Open Dental's DateTStamp: the practice's local time, no offset."""
    return moment.astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M:%S")


REFERENCE = {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
             "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}


@pytest.fixture
async def platform_apps(platform: PlatformSettings, tmp_path: Path) -> AsyncIterator[tuple[dict[str, str], Any]]:
    """Every real service on its own port (metrics' app kept, to rebuild its read models)."""
    async with AsyncExitStack() as stack:
        urls: dict[str, str] = {}
        metrics = None
        for service, (create, settings_type) in SERVICE_APPS.items():
            settings = settings_type(**platform.model_dump(), database_url=f"sqlite:///{tmp_path / f'{service}.db'}")
            app = create(settings)
            if service == "metrics":
                metrics = app
            urls[f"{service}_url"] = await stack.enter_async_context(listening(app))
        yield urls, metrics


class Sender:
    """A source's webhook client: signs each body with the integration's secret."""

    def __init__(self, client: httpx.AsyncClient, url: str, secret: str) -> None:
        self.client, self.url, self.secret, self.count = client, url, secret, 0

    async def send(self, body: dict[str, Any], *, webhook_id: str | None = None,
                   secret: str | None = None) -> httpx.Response:
        self.count += 1
        raw = json.dumps(body).encode()
        headers = signed_headers(secret or self.secret, webhook_id=webhook_id or f"msg_{self.url[-6:]}_{self.count}",
                                 timestamp=int(time.time()), body=raw)
        return await self.client.post(self.url, content=raw, headers=headers)


async def intake_count(platform: PlatformSettings) -> int:
    nc = await nats.connect(platform.nats_url)
    try:
        return int((await nc.jetstream().stream_info(INTAKE_STREAM)).state.messages)
    finally:
        await nc.close()


async def register(client: httpx.AsyncClient, auth: dict[str, str], source: str,
                   clinic_map: dict[str, str], **extra: Any) -> dict[str, Any]:
    made = await client.post("/api/v1/integrations", headers=auth,
                             json={"source": source, "name": f"{source} feed", "clinic_map": clinic_map, **extra})
    assert made.status_code == 201, made.text
    return dict(made.json())


def scan(case: str, at: str, kind: str = "case.created", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "occurred_at": at, "clinic_id": "S-1", "case_id": case, **extra}


async def test_signed_deliveries_become_cases_kpis_and_integration_health(
        platform_apps, gateway_settings, platform, token, org) -> None:
    urls, metrics_app = platform_apps
    admin = bearer(token(org))
    async with serve(create_app(gateway_settings(**urls))) as client:
        program = await client.post("/api/v1/programs", headers=admin, json={
            "name": "Rollout", "playbook": "softsmile-dso", "start_date": "2027-01-04"})
        program_id = program.json()["id"]
        north = await location(client, admin, program_id, "North", SCORES)
        south = await location(client, admin, program_id, "South", SCORES)

        # Registration: the secret once; lists show only its fingerprint; a bad source or location is named.
        bad = await client.post("/api/v1/integrations", headers=admin,
                                json={"source": "fax", "name": "x", "clinic_map": {"1": north}})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "source"
        bad = await client.post("/api/v1/integrations", headers=admin,
                                json={"source": "open_dental", "name": "x", "clinic_map": {"1": "nowhere"}})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "clinic_map"
        pms = await register(client, admin, "open_dental", {"1": north}, time_zone="America/Chicago")
        scanner = await register(client, admin, "itero", {"S-1": north})
        assert pms["secret"].startswith("whsec_") and pms["webhook_url"] == f"/webhooks/open_dental/{pms['id']}"
        listed = (await client.get("/api/v1/integrations", headers=admin)).json()
        assert {i["id"] for i in listed} == {pms["id"], scanner["id"]} and pms["secret"] not in json.dumps(listed)
        regional = bearer(token(org, "regional_admin", regions=("north",)))
        elsewhere = bearer(token(org, "regional_admin", regions=("south",)))  # both locations are in the north
        seen = (await client.get("/api/v1/integrations", headers=elsewhere)).json()
        assert [i["clinic_map"] for i in seen] == [{}, {}]
        assert (await client.get(f"/api/v1/integrations/{pms['id']}", headers=regional)).json()["clinic_map"] == {
            "1": north}
        assert (await client.post("/api/v1/integrations", headers=regional, json={
            "source": "itero", "name": "x"})).status_code == 403
        configured = await client.put(f"/api/v1/locations/{north}/intake-settings", headers=admin, json={
            "patient_matching": "fuzzy", "fuzzy_threshold": 85, "procedure_codes": {"ALN": "D8090"},
            "fee_schedule": {"D8090": 5500}})
        assert configured.status_code == 200, configured.text

        od = Sender(client, pms["webhook_url"], pms["secret"])
        it = Sender(client, scanner["webhook_url"], scanner["secret"])

        # Refused deliveries store nothing.
        before = await intake_count(platform)
        reference = await client.post("/webhooks/itero", content=b'{"test": 2432232314}', headers=REFERENCE)
        assert reference.status_code == 401 and reference.json()["error"]["field"] == "webhook-timestamp"
        forged = await it.send(scan("A-1", at(0)), secret="whsec_" + "A" * 32)
        assert forged.status_code == 401 and forged.json()["error"]["field"] == "webhook-signature"
        unsigned = await client.post(it.url, json={"type": "case.created"}, headers={"webhook-id": "m1"})
        assert unsigned.status_code == 400 and unsigned.json()["error"]["field"] == "webhook-timestamp"
        unknown = await Sender(client, "/webhooks/fax", pms["secret"]).send({"x": 1})
        assert unknown.status_code == 401
        assert await intake_count(platform) == before

        # The PMS's patient (local time, Chicago), then the scanner's case with a misspelt name: matched fuzzily.
        patient = {"PatNum": 101, "LName": "Lee", "FName": "Annabel", "Birthdate": "1990-02-01", "ChartNumber": "C-1",
                   "ClinicNum": 1, "DateTStamp": pms_local(datetime.now(UTC) - timedelta(minutes=1))}
        assert (await od.send(patient)).status_code == 202
        who = {"id": "it-9", "last_name": "Lee", "first_name": "Anabel", "birth_date": "1990-02-01"}
        created = scan("A-1", at(1), patient=who, provider_id="dr-lee")
        answers = [await it.send(created, webhook_id="msg-a1-created") for _ in range(3)]
        assert [a.status_code for a in answers] == [202] * 3
        assert [a.json()["duplicate"] for a in answers] == [False, True, True]

        # The approval arrives before the scan and the plan: out of order, and before the case for A-2.
        await it.send(scan("A-2", at(26 * 60), "plan.approved"))
        for body in (scan("A-1", at(0), "scan.uploaded"),
                     scan("A-1", at(6), "plan.generated"),
                     scan("A-1", at(301), "plan.approved", details={"review_minutes": 12}),
                     scan("A-1", at(23 * 60), "patient.accepted")):
            assert (await it.send(body)).status_code == 202
        posted = {"ProcNum": 7, "PatNum": 101, "ProcCode": "ALN", "ProcStatus": "C", "ProcFee": 5500.0,
                  "ProvNum": "dr-lee", "ClinicNum": 1, "DateTStamp": pms_local(T + timedelta(hours=23, minutes=5))}
        planned = posted | {"ProcNum": 8, "ProcStatus": "TP"}
        assert (await od.send(posted)).status_code == 202 and (await od.send(planned)).status_code == 202

        # An unknown clinic parks; the mapping fixed, it re-processes.
        assert (await od.send(patient | {"PatNum": 202, "ClinicNum": 9, "ChartNumber": "C-2"})).status_code == 202
        parked = await eventually(lambda: client.get("/api/v1/integrations/parked", headers=admin),
                                  lambda r: {d["reason"] for d in r.json()} == {"unmapped_clinic",
                                                                                "case_not_created"},
                                  "two deliveries parked")  # DEBUG
        by_reason = {d["reason"]: d for d in parked.json()}
        assert by_reason["unmapped_clinic"]["clinic_id"] == "9" and "Lee" not in parked.text
        assert (await client.get("/api/v1/integrations/parked", headers=regional)).json() == [
            d for d in parked.json() if d["location_id"] == north]
        raw = await client.get(f"/api/v1/integrations/deliveries/{by_reason['unmapped_clinic']['id']}/payload",
                               headers=admin)
        assert raw.status_code == 200 and raw.json()["PatNum"] == 202
        assert (await client.get(f"/api/v1/integrations/deliveries/{by_reason['unmapped_clinic']['id']}/payload",
                                 headers=regional)).status_code == 403
        remapped = await client.put(f"/api/v1/integrations/{pms['id']}/clinics", headers=admin,
                                    json={"clinic_map": {"1": north, "9": south}})
        assert remapped.status_code == 200, remapped.text
        redone = await client.post(f"/api/v1/integrations/{pms['id']}/parked/reprocess", headers=admin)
        assert redone.status_code == 200 and (redone.json()["processed"], redone.json()["still_parked"]) == (1, 0)

        # The waiting approval applies once A-2 is created.
        await it.send(scan("A-2", at(24 * 60), patient={**who, "chart_number": "C-1"}))
        await eventually(lambda: client.get("/api/v1/integrations/parked", headers=admin),
                         lambda r: r.json() == [], "nothing parked")

        # A rotated secret: both valid during the overlap; with no overlap, the old one is refused.
        rotated = await client.post(f"/api/v1/integrations/{scanner['id']}/secret", headers=admin,
                                    json={"overlap_hours": 1})
        fresh = rotated.json()["secret"]
        assert fresh != scanner["secret"] and rotated.json()["previous_secret_valid_until"]
        refusal = scan("A-1", at(24 * 60), "refinement.started")
        assert (await it.send(refusal)).status_code == 202
        assert (await it.send(refusal, secret=fresh)).status_code == 202
        await client.post(f"/api/v1/integrations/{scanner['id']}/secret", headers=admin, json={"overlap_hours": 0})
        assert (await it.send(refusal, secret=fresh)).status_code == 401

        # Cases, KPIs and integration health follow.
        kpis = await eventually(lambda: client.get(f"/api/v1/locations/{north}/kpis", headers=admin),
                                lambda r: r.json()["values"]["case_acceptance_rate_pct"]["n"] == 1,
                                "the KPIs count the decided case")
        values = kpis.json()["values"]
        turnaround = values["plan_turnaround_hours"]
        assert (turnaround["value"], turnaround["n"]) == (3.5, 2)  # 5 h and 2 h
        health = await eventually(
            lambda: client.get(f"/api/v1/locations/{north}/integration-health", headers=admin),
            lambda r: {c["key"]: c["status"] for c in r.json()["checks"]}.get("provider-sync") == "pass",
            "integration health measured")
        checks = {c["key"]: c for c in health.json()["checks"]}
        assert checks["pms-patient-sync"]["status"] == "pass" and checks["pms-patient-sync"]["worst_minutes"] > 0
        assert (checks["scan-creates-case"]["status"], checks["scan-creates-case"]["p50_minutes"]) == ("pass", 1.0)
        assert (checks["ai-plan-generated"]["status"], checks["ai-plan-generated"]["n"]) == ("pass", 1)
        assert checks["approval-posts-procedure"]["status"] == "pass"
        assert checks["appointment-sync"]["status"] == "not_measured"
        # Not live yet: the cases so far are the pre-go-live window a baseline derives from.
        derived = await client.post(f"/api/v1/locations/{north}/baseline/derive", headers=admin)
        assert derived.status_code == 200, derived.text
        baseline = {v["metric"]: v for v in derived.json()["values"]}
        assert (baseline["plan_turnaround_hours"]["value"], baseline["plan_turnaround_hours"]["sample_size"],
                baseline["plan_turnaround_hours"]["source"]) == (3.5, 2, "derived")
        nothing = await client.post(f"/api/v1/locations/{south}/baseline/derive", headers=admin)
        assert nothing.status_code == 422 and nothing.json()["error"]["field"] == "location_id"
        south_health = (await client.get(f"/api/v1/locations/{south}/integration-health", headers=admin)).json()
        assert {c["key"]: c["n"] for c in south_health["checks"]}["pms-patient-sync"] == 1

        rows = await rebuilt_alike(metrics_app, metrics_projections())
        cases = [c for c in rows["metrics_cases_v2"] if c["location_id"] == north]
        assert len(cases) == 2 and {c["procedure_code"] for c in cases} == {"D8090", None}
        assert sorted(d["status"] for d in rows["metrics_deliveries_v1"]).count("repeat") == 0
