"""The first run of a new user: `make run` (`rollout up`, no NATS_URL) on a brand-new data directory,
on a machine where another, older NATS already listens on 4222, then the README's calls."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from shared.natslocal import our_server_name, server_info
from shared.natsserver import free_port
from tests.e2e.processes import child_pid

pytestmark = pytest.mark.e2e
ROLLOUT = str(Path(sys.executable).parent / "rollout")
SERVICES = ("gateway", "readiness", "waves", "training", "metrics")


@dataclass
class FirstRun:
    env: dict[str, str]
    cwd: Path
    var: Path
    gateway: str
    process: subprocess.Popen[bytes]
    log: Path
    other_nats: dict[str, object] | None  # what listened on 4222 before we started

    def output(self) -> str:
        return self.log.read_text()

    def rollout(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([ROLLOUT, *args], env=self.env, cwd=self.cwd, capture_output=True, text=True,
                              timeout=60)


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstRun]:
    cwd = tmp_path_factory.mktemp("clone")  # no .env here: nothing sets NATS_URL
    env = {k: v for k, v in os.environ.items() if k not in ("NATS_URL", "NATS_MONITOR_URL")}
    env |= {"VAR_DIR": str(cwd / "var"), "LOG_LEVEL": "WARNING", "COLUMNS": "200"}
    env |= {f"{name.upper()}_PORT": str(free_port()) for name in SERVICES}
    other = server_info(4222)
    log = cwd / "rollout-up.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([ROLLOUT, "up"], env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    run = FirstRun(env, cwd, cwd / "var", f"http://127.0.0.1:{env['GATEWAY_PORT']}", process, log, other)
    try:
        def up_or_exited() -> bool:
            return process.poll() is not None or httpx.get(f"{run.gateway}/readyz", timeout=1).status_code == 200

        wait_until(up_or_exited, timeout=90, what="the stack")
        assert process.poll() is None, run.output()
        wait_until(lambda: "Ctrl-C stops everything" in run.output(), timeout=30, what="the banner")
        yield run
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, run.output()


def test_the_stack_runs_its_own_nats_and_leaves_the_one_on_4222_alone(first_run: FirstRun) -> None:
    url = (first_run.var / "nats" / "url").read_text().strip()
    port = int(url.rsplit(":", 1)[1])
    assert port != 4222
    assert server_info(port)["server_name"] == our_server_name(first_run.var)
    data = (first_run.var / "nats" / "jetstream").resolve()
    assert f"NATS: nats-server 2.15.1 at {url}, embedded (JetStream, fsync before ack), data in {data}" in (
        first_run.output())
    if first_run.other_nats:  # e.g. Debian's nats-server 2.9 on this machine and in CI
        assert server_info(4222)["server_id"] == first_run.other_nats["server_id"]


def test_the_readme_quick_start_works_on_the_first_try(first_run: FirstRun) -> None:
    token = first_run.rollout("token", "--org", "demo", "--role", "super_admin").stdout.strip()
    with httpx.Client(base_url=first_run.gateway, headers={"Authorization": f"Bearer {token}"}, timeout=15) as api:
        created = api.post("/api/v1/locations", json={"name": "Location A", "region": "north"})
        assert created.status_code == 201, created.text
        assert created.json()["name"] == "Location A"
        scores = {"it_infrastructure": 5, "staff_adaptability": 4, "patient_volume": 4, "tech_stack": 5,
                  "champion": 5}
        assessed = api.put(f"/api/v1/locations/{created.json()['id']}/assessment",
                           json={"scores": scores, "assessor": "Regional manager"})
        assert assessed.status_code == 200, assessed.text
        body = assessed.json()
        assert (body["composite"], body["level"], body["recommended_wave"]) == (23, "high", "wave-1")
        matrix = api.get("/api/v1/readiness/matrix")
        assert [(r["name"], r["composite"]) for r in matrix.json()["rows"]] == [("Location A", 23)]
        program = api.post("/api/v1/programs",
                           json={"name": "SoftSmile rollout", "playbook": "softsmile-dso", "start_date": "2027-01-04"})
        assert program.status_code == 201, program.text
        located = api.post("/api/v1/locations",
                           json={"name": "Location B", "region": "north", "program_id": program.json()["id"]})
        assert located.status_code == 201, located.text
        assert located.json()["program_id"] == program.json()["id"]
        assert api.get("/openapi.json").status_code == 200


def test_the_cli_finds_the_server_rollout_up_started(first_run: FirstRun) -> None:
    verified = first_run.rollout("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def readiness_pid(first_run: FirstRun) -> int:
    """The readiness process `rollout up` started (a child of it)."""
    return child_pid(first_run.process.pid, "readiness")


def test_a_killed_service_is_restarted_while_the_gateway_keeps_answering(first_run: FirstRun) -> None:
    token = first_run.rollout("token", "--org", "demo", "--role", "super_admin").stdout.strip()
    api = httpx.Client(base_url=first_run.gateway, headers={"Authorization": f"Bearer {token}"}, timeout=15)
    killed = readiness_pid(first_run)
    os.kill(killed, signal.SIGKILL)
    wait_until(lambda: "readiness exited with code -9; restarting it in 1 s" in first_run.output(), timeout=10,
               what="rollout up to notice")
    assert api.get("/api/v1/programs").status_code == 200  # waves, through the gateway, while readiness is down
    wait_until(lambda: api.get("/api/v1/locations").status_code == 200, timeout=30, what="readiness to come back")
    assert readiness_pid(first_run) != killed
    assert "readiness restarted (restart 1" in first_run.output()
    assert first_run.process.poll() is None
