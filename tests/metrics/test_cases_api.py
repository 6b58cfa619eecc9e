"""Cases over HTTP: a lifecycle delivered out of order gives the turnaround of the source's times, the
patient appears only as a pseudonymous key, repeats record once, scope holds — real NATS, SQLite, PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.conftest import bearer, serve
from tests.metrics.factories import create_program, register_location

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PATIENT = {"last_name": "Okafor", "first_name": "Ada", "birth_date": "1990-04-01", "chart_number": "CH-1001"}


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


async def test_an_out_of_order_lifecycle_gives_the_turnaround_of_source_times(app, token, org) -> None:
    tc_of = lambda loc: bearer(token(org, "treatment_coordinator", locations=(loc,)))  # noqa: E731
    async with serve(app) as client:
        program = await create_program(app, org, "spark-dso")
        location = await register_location(app, org, "North Smiles", "north", program)
        elsewhere = await register_location(app, org, "South Smiles", "south", program)
        tc = tc_of(location)

        created = await client.post(f"/api/v1/locations/{location}/cases", headers=tc,
                                    json={"patient": PATIENT, "submitted_at": at(0)})
        assert created.status_code == 201, created.text
        case = created.json()
        assert created.headers["Location"] == f"/api/v1/cases/{case['id']}"
        assert len(case["patient_key"]) == 64 and case["submitted_at"].startswith("2026-03-02T09:00")

        # Arrival order: accepted, approved (+30h), scan, a repeat of the approval, revision, generated.
        steps = [("PatientAccepted", 70, {}), ("PlanApproved", 30, {"source_event_id": "a1"}),
                 ("ScanUploaded", -1, {}), ("PlanApproved", 30, {"source_event_id": "a1"}),
                 ("RevisionRequested", 12, {"critical_issue": "scan_import_failed"}), ("PlanGenerated", 0.2, {})]
        for kind, hours, extra in steps:
            answer = await client.post(f"/api/v1/cases/{case['id']}/events", headers=tc,
                                       json={"type": kind, "occurred_at": at(hours), **extra})
            assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["turnaround_hours"] == 30.0
        assert (body["revisions"], body["decision"], body["processed"]) == (1, "accepted", True)
        assert (body["critical"], body["critical_issues"]) == (True, ["scan_import_failed"])
        assert body["scanned_at"].startswith("2026-03-02T08:00")
        types = [e["type"] for e in body["events"]]
        assert types.count("PlanApproved") == 1 and types.count("CaseProcessed") == 2
        # No name, birth date or chart number in any event.
        stored = json.dumps([e["data"] for e in body["events"]])
        assert not any(v in stored for v in PATIENT.values())

        # The same patient again gets the same key; a bad step is refused naming its field.
        again = await client.post(f"/api/v1/locations/{location}/cases", headers=tc,
                                  json={"patient": {"chart_number": "CH-1001"}, "submitted_at": at(1)})
        assert again.json()["patient_key"] == case["patient_key"]
        bad = await client.post(f"/api/v1/cases/{case['id']}/events", headers=tc,
                                json={"type": "ProcedurePosted", "occurred_at": at(40), "code": "8090"})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "code"
        future = await client.post(f"/api/v1/cases/{case['id']}/events", headers=tc,
                                   json={"type": "PlanGenerated", "occurred_at": datetime.now(UTC).replace(
                                       year=datetime.now(UTC).year + 1).isoformat()})
        assert future.status_code == 422 and future.json()["error"]["field"] == "occurred_at"
        no_patient = await client.post(f"/api/v1/locations/{location}/cases", headers=tc,
                                       json={"patient": {"last_name": "Okafor"}, "submitted_at": at(0)})
        assert no_patient.status_code == 422 and no_patient.json()["error"]["field"] == "patient"

        # Another location's coordinator neither sees nor records this case.
        stranger = tc_of(elsewhere)
        assert (await client.get(f"/api/v1/cases/{case['id']}", headers=stranger)).status_code == 404
        refused = await client.post(f"/api/v1/cases/{case['id']}/events", headers=stranger,
                                    json={"type": "RefinementStarted", "occurred_at": at(100)})
        assert refused.status_code == 404
        assert (await client.get("/api/v1/cases/nope", headers=tc)).status_code == 404
