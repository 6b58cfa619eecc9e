"""Faults with real processes: a service or NATS killed mid-stream loses no event and doubles no effect."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from shared.auth import issue_token
from shared.config import PlatformSettings
from shared.natsserver import EmbeddedNats, free_port
from tests.conftest import AsGateway

pytestmark = pytest.mark.e2e


class Service:
    """The readiness service as its own process, killable like a crash."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.url = f"http://127.0.0.1:{env['READINESS_PORT']}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Service:
        command = [sys.executable, "-m", "uvicorn", "services.readiness.app:create_app", "--factory",
                   "--host", "127.0.0.1", "--port", self.env["READINESS_PORT"], "--no-access-log"]
        self.process = subprocess.Popen(command, env=self.env, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("readiness did not become ready")

    def client(self) -> httpx.AsyncClient:
        """A client calling the service port the way the gateway does (minting its internal credential)."""
        settings = PlatformSettings(var_dir=Path(self.env["VAR_DIR"]))
        return httpx.AsyncClient(base_url=self.url, timeout=10, auth=AsGateway(settings))

    def kill(self) -> None:
        assert self.process
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


@pytest.fixture
def env(tmp_path: Path, nats_server: EmbeddedNats) -> Iterator[dict[str, str]]:
    yield os.environ | {
        "NATS_URL": nats_server.url, "VAR_DIR": str(tmp_path / "var"), "READINESS_PORT": str(free_port()),
        "READINESS_DATABASE_URL": f"sqlite:///{tmp_path / 'readiness.db'}", "LOG_LEVEL": "WARNING",
    }


def auth_header(env: dict[str, str], org: str) -> dict[str, str]:
    token = issue_token(PlatformSettings(var_dir=Path(env["VAR_DIR"])), org=org, role="super_admin")
    return {"Authorization": f"Bearer {token}"}


async def register_all(
    service: Service, headers: dict[str, str], keys: list[str], done: list[str] | None = None
) -> dict[str, int]:
    """POST a location per key (its Idempotency-Key); return the status each got (0 = connection lost)."""
    async with service.client() as client:

        async def one(key: str) -> tuple[str, int]:
            try:
                response = await client.post("/api/v1/locations", json={"name": key, "region": "r"},
                                             headers=headers | {"Idempotency-Key": key})
                status = response.status_code
            except httpx.HTTPError:
                status = 0
            if done is not None:
                done.append(key)
            return key, status

        return dict(await asyncio.gather(*(one(k) for k in keys)))


async def until(condition: Callable[[], bool], *, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.005)


async def listed_names(service: Service, headers: dict[str, str]) -> list[str]:
    """Every location's name, following the list's pages."""
    names: list[str] = []
    params = {"limit": "500"}
    async with service.client() as client:
        while True:
            page = await client.get("/api/v1/locations", headers=headers, params=params)
            names += [loc["name"] for loc in page.json()]
            if "X-Next-Cursor" not in page.headers:
                return sorted(names)
            params["cursor"] = page.headers["X-Next-Cursor"]


async def test_service_killed_mid_stream_loses_nothing_and_doubles_nothing(env: dict[str, str]) -> None:
    service = Service(env).start()
    headers = auth_header(env, "acme")
    keys = [f"loc-{i:03d}" for i in range(300)]
    done: list[str] = []
    try:
        requests = asyncio.create_task(register_all(service, headers, keys, done))
        await until(lambda: len(done) >= 20)
        service.kill()  # SIGKILL while requests and the projection are in flight
        first = await requests
        service.start()
        # The client retries everything that did not get a 201, with the same idempotency keys, and keeps
        # retrying what answers `409 in_progress` (a request the killed process had started holds its key
        # until its lease runs out) as Retry-After says.
        statuses = first
        deadline = time.monotonic() + 40
        while set(statuses.values()) != {201} and time.monotonic() < deadline:
            pending = [k for k, s in statuses.items() if s != 201]
            statuses = statuses | await register_all(service, headers, pending)
            assert set(statuses.values()) <= {201, 409}, "a retry is a 201, or in progress until the lease ends"
            if set(statuses.values()) != {201}:
                await asyncio.sleep(2)
        assert set(statuses.values()) == {201}
        names = await listed_names(service, headers)
    finally:
        service.stop()
    assert 0 in first.values() and 201 in first.values(), "the kill landed mid-stream"
    assert names == keys, "every location exactly once in the read model"


async def test_nats_killed_mid_stream_then_back_every_command_lands_once(
    env: dict[str, str], nats_server: EmbeddedNats
) -> None:
    service = Service(env).start()
    headers = auth_header(env, "acme")
    keys = [f"loc-{i:03d}" for i in range(200)]
    done: list[str] = []
    try:
        requests = asyncio.create_task(register_all(service, headers, keys, done))
        await until(lambda: len(done) >= 10)
        nats_server.kill()
        first = await requests
        assert 201 in first.values() and set(first.values()) - {201}, "the kill landed mid-stream"
        assert set(first.values()) <= {201, 503}, "a store outage is a 503 to retry, never a 500"
        restarted = EmbeddedNats(nats_server.store_dir, port=nats_server.port).start()
        try:
            deadline = time.monotonic() + 20
            statuses = first
            while time.monotonic() < deadline and set(statuses.values()) != {201}:
                retry = [k for k, s in statuses.items() if s != 201]
                statuses = statuses | await register_all(service, headers, retry)
                await asyncio.sleep(0.2)
            assert set(statuses.values()) == {201}
            deadline = time.monotonic() + 20
            while (names := await listed_names(service, headers)) != keys and time.monotonic() < deadline:  # noqa: ASYNC110 - polls another process
                await asyncio.sleep(0.2)
        finally:
            service.stop()
            restarted.stop()
    finally:
        service.stop()
    assert names == keys, "every location exactly once after NATS came back"
