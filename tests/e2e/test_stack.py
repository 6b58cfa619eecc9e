"""`rollout up` as a user runs it: real processes, real ports, the README's calls through the gateway."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.natsserver import free_port

pytestmark = pytest.mark.e2e
ROLLOUT = str(Path(sys.executable).parent / "rollout")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    var = tmp_path_factory.mktemp("stack") / "var"
    env = os.environ | {"NATS_URL": f"nats://127.0.0.1:{free_port()}", "VAR_DIR": str(var), "LOG_LEVEL": "WARNING"}
    env |= {
        f"{name.upper()}_PORT": str(free_port()) for name in ("gateway", "readiness", "waves", "training", "metrics")
    }
    process = subprocess.Popen([ROLLOUT, "up"], env=env, stderr=subprocess.PIPE, text=True)
    gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else "rollout up exited"
        try:
            if httpx.get(f"{gateway}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the stack did not become ready")
    yield env | {"gateway": gateway, "pid": str(process.pid)}
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0


def dev_token(env: dict[str, str], *args: str) -> str:
    return subprocess.run([ROLLOUT, "token", *args], env=env, check=True, capture_output=True, text=True).stdout.strip()


def test_readme_calls_work_through_the_gateway(stack: dict[str, str]) -> None:
    auth = {"Authorization": f"Bearer {dev_token(stack, '--org', 'demo', '--role', 'super_admin')}"}
    with httpx.Client(base_url=stack["gateway"], headers=auth, timeout=10) as client:
        created = client.post("/api/v1/locations", json={"name": "Location A", "region": "north"})
        assert created.status_code == 201, created.text
        location_id = created.json()["id"]
        scores = {"it_infrastructure": 5, "staff_adaptability": 4, "patient_volume": 4, "tech_stack": 5, "champion": 5}
        assessed = client.put(f"/api/v1/locations/{location_id}/assessment", json={"scores": scores, "assessor": "RM"})
        assert assessed.status_code == 200, assessed.text
        assert (assessed.json()["composite"], assessed.json()["recommended_wave"]) == (23, "wave-1")
        matrix = client.get("/api/v1/readiness/matrix").json()["rows"]
        assert [(r["name"], r["composite"]) for r in matrix] == [("Location A", 23)]
        assert httpx.get(f"{stack['gateway']}/api/v1/readiness/matrix").status_code == 401
    # The service's own port takes only what the gateway forwarded (its internal credential), not a user token.
    direct = httpx.get(f"http://127.0.0.1:{stack['READINESS_PORT']}/api/v1/readiness/matrix", headers=auth)
    assert direct.status_code == 401, direct.text


def test_every_service_is_healthy_and_ready(stack: dict[str, str]) -> None:
    auth = {"Authorization": f"Bearer {dev_token(stack, '--org', 'demo', '--role', 'super_admin')}"}
    for name in ("readiness", "waves", "training", "metrics", "gateway"):
        url = f"http://127.0.0.1:{stack[f'{name.upper()}_PORT']}"
        assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
        assert httpx.get(f"{url}/readyz").json() == {"status": "ready"}  # details need a super admin
        ready = httpx.get(f"{url}/readyz", headers=auth)
        assert ready.status_code == 200, f"{name}: {ready.text}"
        assert ready.json()["nats"] == "connected"
