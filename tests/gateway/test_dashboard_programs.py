"""The program dashboard through the real gateway, readiness and waves: each program shows its own locations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.gateway.app import create_app
from services.waves.app import create_app as create_waves
from services.waves.config import WavesSettings
from shared.config import PlatformSettings
from tests.conftest import bearer, serve
from tests.gateway.conftest import listening


@pytest.fixture
async def waves_url(platform: PlatformSettings, tmp_path: Path) -> AsyncIterator[str]:
    settings = WavesSettings(**platform.model_dump(), database_url=f"sqlite:///{tmp_path / 'waves.db'}")
    async with listening(create_waves(settings)) as url:
        yield url


async def test_each_program_dashboard_lists_only_its_own_locations(
    gateway_settings, readiness_url, waves_url, token, org
) -> None:
    admin = bearer(token(org))
    settings = gateway_settings(readiness_url=readiness_url, waves_url=waves_url)
    async with serve(create_app(settings)) as client:
        programs = {}
        for name in ("North rollout", "South rollout"):
            created = await client.post("/api/v1/programs", headers=admin,
                                        json={"name": name, "playbook": "softsmile-dso", "start_date": "2027-01-04"})
            assert created.status_code == 201, created.text
            programs[name] = created.json()["id"]
        locations = {"North A": "North rollout", "North B": "North rollout", "South A": "South rollout"}
        for location, program in locations.items():
            registered = await client.post("/api/v1/locations", headers=admin,
                                           json={"name": location, "region": "r", "program_id": programs[program]})
            assert registered.status_code == 201, registered.text
        for program, program_id in programs.items():
            view = (await client.get(f"/api/v1/programs/{program_id}/dashboard", headers=admin)).json()
            readiness = view["parts"]["readiness"]
            assert readiness["status"] == "ok", readiness
            assert sorted(row["name"] for row in readiness["data"]["rows"]) == sorted(
                name for name, owner in locations.items() if owner == program)
            assert view["parts"]["program"]["data"]["name"] == program
