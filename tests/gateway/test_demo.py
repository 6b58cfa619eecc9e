"""`rollout demo` against every real service behind the real gateway, over HTTP only."""

from __future__ import annotations

import asyncio
import io
from contextlib import AsyncExitStack

import httpx
from rich.console import Console

from cli.demo import run_demo
from services.gateway.app import create_app
from tests.conftest import bearer
from tests.gateway.conftest import listening


async def test_the_demo_rolls_a_dso_through_readiness_training_go_lives_and_gates(
    gateway_settings, service_urls, token, org
) -> None:
    async with AsyncExitStack() as stack:
        url = await stack.enter_async_context(listening(create_app(gateway_settings(**service_urls))))
        admin, executive = bearer(token(org)), bearer(token(org, "executive"))
        out = io.StringIO()

        def run() -> dict:
            with httpx.Client(base_url=url, timeout=30) as client:
                return run_demo(client, admin=admin, executive=executive, playbook="softsmile-dso", locations=8,
                                seed=7, weeks=14, console=Console(file=out, width=120))

        summary = await asyncio.to_thread(run)
        async with httpx.AsyncClient(base_url=url, headers=admin) as client:
            plan = (await client.get(f"/api/v1/programs/{summary['program_id']}/plan")).json()
            board = (await client.get(f"/api/v1/programs/{summary['program_id']}/gates")).json()
            first = sorted(loc["name"] for loc in (await client.get("/api/v1/locations?limit=50")).json())
    # Seed 7's eight practices: one strong pilot, two in wave 2, four in wave 3, one in remediation — all live.
    assert summary["live"] == {"wave-1": 1, "wave-2": 2, "wave-3": 4} and len(plan["unscheduled"]) == 1
    # The pilot's real cases, surveys and training pass gate 1; wave 2's weaker figures fail gate 2, the no-go
    # path (pause, review, root cause, restart criteria) resumes deployment, and after remediation (better
    # cases, a better check-in survey) gate 2 passes and wave 3 goes live.
    assert summary["gates"] == {"wave-1-to-wave-2": "go",
                                "wave-2-to-wave-3": "no_go, then resumed; go after remediation"}
    assert [g["decision"]["decision"] for g in board] == ["go", "go"]
    champion = next(r for r in board[1]["evaluation"]["results"] if r["key"] == "champion-model")
    assert champion["status"] == "pass"  # wave 2's coordinators were trained by the pilot's champion
    assert "Gates" in out.getvalue() and "ROI" in out.getvalue()
    # Cases came as signed webhooks: a repeat is one effect; the one stranger's scan is parked, nothing else.
    assert summary["webhooks"] > 8 * 3 * 5 and summary["repeats"] >= 3
    assert summary["parked"] == ["unmatched_patient"]
    # ROI against target, from those webhook-delivered cases at the live locations (SoftSmile's success criteria).
    roi = {m["metric"]: m for m in summary["roi"]["metrics"]}
    turnaround = roi["plan_turnaround_hours"]
    assert turnaround["current_n"] > 0 and turnaround["baseline_source"] == "measured"
    assert turnaround["target"] == round(turnaround["baseline"] * 0.7, 2) and turnaround["met"] is True
    assert first[0].endswith("Dental")
