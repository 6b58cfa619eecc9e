"""`rollout up`: the whole stack on one machine — NATS, every service and the gateway."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from types import FrameType
from urllib.parse import urlparse

import httpx
from rich.console import Console
from rich.table import Table

from shared.auth import ensure_dev_keypair
from shared.config import DEFAULT_PORTS, PlatformSettings
from shared.internal_auth import ensure_internal_key
from shared.natsserver import EmbeddedNats, port_open

console = Console(stderr=True)
STARTUP_ORDER = ("readiness", "waves", "training", "metrics", "gateway")


@dataclass
class Child:
    name: str
    url: str
    process: subprocess.Popen[bytes]


class Shutdown(Exception):
    """SIGTERM or Ctrl-C: stop everything cleanly."""


def _raise_shutdown(signum: int, _frame: FrameType | None) -> None:
    raise Shutdown(signal.Signals(signum).name)


def start_nats(settings: PlatformSettings) -> EmbeddedNats | None:
    """Use the NATS already listening at NATS_URL, or start the embedded one under var/."""
    url = urlparse(settings.nats_url)
    host, port = url.hostname or "127.0.0.1", url.port or 4222
    if port_open(host, port):
        console.print(f"NATS: using the server already listening at {settings.nats_url}")
        return None
    server = EmbeddedNats(settings.var_dir / "nats", port=port).start()
    console.print(f"NATS: started embedded JetStream (fsync before ack) at {server.url}, data in {server.store_dir}")
    return server


def port_of(name: str) -> int:
    return int(os.environ.get(f"{name.upper()}_PORT", DEFAULT_PORTS[name]))


def start_service(name: str, host: str, env: dict[str, str]) -> Child:
    port = port_of(name)
    command = [sys.executable, "-m", "uvicorn", f"services.{name}.app:create_app", "--factory",
               "--host", host, "--port", str(port), "--no-access-log"]
    process = subprocess.Popen(command, env=env)
    return Child(name, f"http://{host}:{port}", process)


def wait_healthy(child: Child, *, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited with code {child.process.returncode}")
        try:
            if httpx.get(f"{child.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{child.name} did not become healthy at {child.url} within {timeout:.0f}s")


def stop_all(children: list[Child], nats_server: EmbeddedNats | None) -> None:
    for child in reversed(children):
        if child.process.poll() is None:
            child.process.terminate()
    for child in reversed(children):
        try:
            child.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.process.kill()
    if nats_server:
        nats_server.stop()


def run_stack(settings: PlatformSettings, *, host: str = "127.0.0.1") -> None:
    """Start everything, print where it listens, and stop it all on Ctrl-C or SIGTERM."""
    signal.signal(signal.SIGTERM, _raise_shutdown)
    signal.signal(signal.SIGINT, _raise_shutdown)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    nats_server: EmbeddedNats | None = None
    children: list[Child] = []
    try:
        if not settings.auth_jwks_url and not settings.auth_public_key_file:
            # One key for all: created here, before five processes could race to create their own.
            ensure_dev_keypair(settings.key_dir())
        if settings.internal_auth_key is None:  # the gateway's credential for the services, shared the same way
            ensure_internal_key(settings.key_dir())
        nats_server = start_nats(settings)
        env = os.environ | {"NATS_URL": nats_server.url if nats_server else settings.nats_url,
                            "VAR_DIR": str(settings.var_dir.resolve())}
        env |= {f"{name.upper()}_URL": f"http://{host}:{port_of(name)}" for name in STARTUP_ORDER}
        for name in STARTUP_ORDER:
            children.append(start_service(name, host, env))
        for child in children:
            wait_healthy(child)
        table = Table(title="DSO Rollout is up")
        table.add_column("component")
        table.add_column("listens on")
        table.add_row("nats", nats_server.url if nats_server else settings.nats_url)
        for child in children:
            table.add_row(child.name, child.url)
        console.print(table)
        console.print("Public API: gateway /api/v1/... (token: .venv/bin/rollout token --org demo --role super_admin)")
        console.print("Ctrl-C stops everything.")
        while True:
            for child in children:
                if child.process.poll() is not None:
                    raise RuntimeError(f"{child.name} exited with code {child.process.returncode}")
            time.sleep(0.5)
    except Shutdown as reason:
        console.print(f"stopping ({reason}) ...")
    except RuntimeError as error:
        console.print(f"[red]{error}[/red]; stopping ...")
        stop_all(children, nats_server)
        raise SystemExit(1) from error
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_all(children, nats_server)
    console.print("stopped.")
