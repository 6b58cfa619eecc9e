"""Schemathesis over the gateway's combined OpenAPI, with real tokens, against readiness + waves + gateway.

Bounded (a few examples per operation) so it stays a fast part of `make test`: no 5xx
anywhere, every 4xx in the one error body, and every status documented.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.gateway.app import create_app as create_gateway
from services.waves.app import create_app as create_waves
from services.waves.config import WavesSettings
from shared.auth import issue_token
from shared.config import PlatformSettings
from tests.gateway.conftest import listening

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
REPO = Path(__file__).resolve().parents[2]
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,one_error_body"


def run_schemathesis(gateway: str, token: str, phases: str, report: Path) -> subprocess.CompletedProcess[str]:
    command = [
        SCHEMATHESIS, "run", f"{gateway}/openapi.json", "--url", gateway,
        "--header", f"Authorization: Bearer {token}", "--checks", CHECKS,
        # The live stream never ends by itself (its cursor parsing is tested in test_bad_input.py).
        "--exclude-path", "/api/v1/events/stream",
        "--phases", phases, "--max-examples", "6", "--seed", "8",
        # One worker: hypothesis parses lambdas with ast.parse, which is not thread-safe on CPython 3.11
        # ("AST constructor recursion depth mismatch" from two workers at once).
        "--workers", "1",
        "--request-timeout", "15", "--no-shrink", "--continue-on-failure", "--output-truncate", "false",
        "--report", "junit", "--report-dir", str(report / "reports"),
    ]
    env = os.environ | {"SCHEMATHESIS_HOOKS": "tests.gateway.schemathesis_hooks", "NO_COLOR": "1",
                        "PYTHONPATH": str(REPO)}
    # Run in the report folder: schemathesis keeps its state in `.schemathesis/` of the working directory.
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, cwd=report)


async def combined_schema(gateway: str, services: list[str]) -> dict[str, Any]:
    """The gateway's OpenAPI once it holds every service's paths (a service's first schema build is slow)."""
    async with httpx.AsyncClient(timeout=30) as client:
        for url in services:  # FastAPI builds a schema once, then serves it from memory
            assert (await client.get(f"{url}/openapi.json")).status_code == 200
        document: dict[str, Any] = (await client.get(f"{gateway}/openapi.json")).json()
    return document


@pytest.mark.timeout(300)  # ~40 s on a quiet machine; generous for a loaded one
async def test_no_5xx_and_one_error_body_everywhere(
    gateway_settings, readiness_url, platform: PlatformSettings, tmp_path: Path, org: str
) -> None:
    waves = create_waves(WavesSettings(**platform.model_dump(), database_url=f"sqlite:///{tmp_path / 'waves.db'}"))
    async with AsyncExitStack() as stack:
        waves_url = await stack.enter_async_context(listening(waves))
        settings = gateway_settings(readiness_url=readiness_url, waves_url=waves_url, rate_limit_per_s=0,
                                    health_timeout_s=10)
        gateway = await stack.enter_async_context(listening(create_gateway(settings)))
        document = await combined_schema(gateway, [readiness_url, waves_url])
        assert {"readiness", "waves"}.isdisjoint(document["x-unavailable-services"])
        assert {"/api/v1/locations/import", "/api/v1/programs"} <= set(document["paths"])
        # The super admin reaches every handler: it gets the boundary values too (the coverage phase).
        runs = {
            "super_admin": (issue_token(platform, org=org, role="super_admin"), "examples,coverage,fuzzing"),
            "regional_admin": (issue_token(platform, org=org, role="regional_admin", regions=("north",)),
                               "examples,fuzzing"),
        }
        failures = []
        for role, (token, phases) in runs.items():
            report = tmp_path / role
            report.mkdir()
            run = await asyncio.to_thread(run_schemathesis, gateway, token, phases, report)
            if run.returncode != 0:
                failures.append(f"--- as {role} (exit {run.returncode}) ---\n{run.stdout[-6000:]}{run.stderr[-2000:]}")
    assert not failures, "\n".join(failures)
