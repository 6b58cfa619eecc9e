"""The real stack for the request-path benchmark, started as `rollout up` starts it, in a throwaway VAR_DIR.

A fresh embedded NATS (`sync_interval: always`), then readiness and the gateway as
uvicorn processes on free ports; the gateway's rate limit is off so it measures
the path, not the limiter. Other services are not started: the measured routes
never reach them. Logs go to `<var>/<service>.log`.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from bench.workload import ORG
from shared.auth import ensure_dev_keypair, issue_token
from shared.config import PlatformSettings
from shared.internal_auth import KEY_FILE as INTERNAL_KEY_FILE
from shared.internal_auth import InternalCredentials
from shared.keys import ensure_key_file
from shared.natsserver import EmbeddedNats, free_port
from shared.principal import Principal
from shared.webhooks import KEY_FILE as WEBHOOK_KEY_FILE

SERVICES = ("readiness", "waves", "training", "metrics", "gateway")
STARTED = ("readiness", "gateway")


@dataclass
class Process:
    """One uvicorn process: where it listens and its pid (for RSS and the profiler)."""

    name: str
    url: str
    popen: subprocess.Popen[bytes]

    def rss_mb(self) -> float:
        return psutil.Process(self.popen.pid).memory_info().rss / 2**20


@dataclass
class Stack:
    nats: EmbeddedNats
    var_dir: Path
    token: str  # super_admin of the bench org (bench.workload.ORG)
    writer_token: str  # super_admin of another org, so commands do not grow the bench org's matrix
    services: dict[str, Process] = field(default_factory=dict)

    @property
    def readiness_db(self) -> Path:
        return self.var_dir / "readiness.db"

    def internal(self, method: str, target: str) -> str:
        """The credential the gateway would mint for one request of the bench org's super admin (valid 30 s)."""
        credentials = InternalCredentials.of(PlatformSettings(var_dir=self.var_dir))
        principal = Principal(subject="dev-user", org=ORG, role="super_admin")
        return credentials.mint(principal, method=method, target=target)


def uvicorn(name: str, app: str, port: int, env: dict[str, str], log: Path, *, factory: bool = True) -> Process:
    """Serve `app` as `rollout up` does: one uvicorn process, no access log."""
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    if factory:
        command.append("--factory")
    with open(log, "ab") as out:
        popen = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Process(name, f"http://127.0.0.1:{port}", popen)


async def wait_healthy(process: Process, *, path: str = "/healthz", timeout: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient(timeout=1) as client:
        while asyncio.get_running_loop().time() < deadline:
            if process.popen.poll() is not None:
                raise RuntimeError(f"{process.name} exited with code {process.popen.returncode}")
            try:
                if (await client.get(process.url + path)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{process.name} did not become healthy at {process.url} within {timeout:.0f}s")


def stop(processes: list[Process]) -> None:
    for process in processes:
        if process.popen.poll() is None:
            process.popen.terminate()
    for process in processes:
        try:
            process.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.popen.wait()


@asynccontextmanager
async def running_stack(workdir: Path, *, org: str = ORG, started: tuple[str, ...] = STARTED) -> AsyncIterator[Stack]:
    """NATS and the `started` services (readiness and the gateway), healthy, with a super_admin token of `org`
    (`workdir` absolute)."""
    with tempfile.TemporaryDirectory(dir=workdir, prefix="stack-") as tmp:
        var_dir = Path(tmp)  # absolute: `workdir` is (bench.run resolves it)
        ensure_dev_keypair(var_dir / "keys")  # one key for all processes, as `rollout up` does
        ensure_key_file(var_dir / "keys", INTERNAL_KEY_FILE)
        ensure_key_file(var_dir / "keys", WEBHOOK_KEY_FILE)
        nats = EmbeddedNats(var_dir / "nats", sync_always=True)
        await asyncio.to_thread(nats.start)
        ports = {name: free_port() for name in SERVICES}
        env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}  # SQLite under VAR_DIR
        env |= {"NATS_URL": nats.url, "VAR_DIR": str(var_dir), "GATEWAY_RATE_LIMIT_PER_S": "0"}
        env |= {f"{name.upper()}_PORT": str(port) for name, port in ports.items()}
        env |= {f"{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in ports.items()}
        platform = PlatformSettings(var_dir=var_dir)
        stack = Stack(nats, var_dir, issue_token(platform, org=org, role="super_admin"),
                      issue_token(platform, org=f"{org}writes", role="super_admin"))
        try:
            for name in started:
                stack.services[name] = uvicorn(name, f"services.{name}.app:create_app", ports[name], env,
                                               var_dir / f"{name}.log")
            for process in stack.services.values():
                await wait_healthy(process)
            yield stack
        finally:
            await asyncio.to_thread(stop, list(stack.services.values()))
            await asyncio.to_thread(nats.stop)


@asynccontextmanager
async def running_bare(workdir: Path) -> AsyncIterator[Process]:
    """The bare FastAPI baseline (bench.bare) under the same uvicorn."""
    process = uvicorn("bare", "bench.bare:app", free_port(), dict(os.environ), workdir / "bare.log", factory=False)
    try:
        await wait_healthy(process, path="/docs")
        yield process
    finally:
        await asyncio.to_thread(stop, [process])
