"""`rollout up`: the whole stack on one machine — NATS, every service and the gateway."""

from __future__ import annotations

import asyncio
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

from cli.supervisor import Spawn, Supervised, Supervisor
from shared import natslocal
from shared.auth import ensure_dev_keypair
from shared.config import DEFAULT_PORTS, PlatformSettings
from shared.internal_auth import KEY_FILE as INTERNAL_KEY_FILE
from shared.keys import ensure_key_file
from shared.natscheck import UNKNOWN_FSYNC, Assessment, NatsServerUnsuitable, check_server
from shared.natsserver import EmbeddedNats, port_open
from shared.runtime import connect_nats
from shared.webhooks import KEY_FILE as WEBHOOK_KEY_FILE

console = Console(stderr=True)
STARTUP_ORDER = ("readiness", "waves", "training", "metrics", "gateway")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


class Shutdown(Exception):
    """SIGTERM or Ctrl-C: stop everything cleanly."""


def _raise_shutdown(signum: int, _frame: FrameType | None) -> None:
    raise Shutdown(signal.Signals(signum).name)


@dataclass
class NatsChoice:
    """The server the stack uses, whether we run it, and how to describe it in the banner."""

    url: str
    server: EmbeddedNats | None
    monitor_url: str | None
    description: str


def choose_nats(settings: PlatformSettings) -> NatsChoice:
    """An explicit NATS_URL is used as it is; otherwise our embedded server on a port of our own."""
    if settings.nats_url_is_explicit():
        url = urlparse(settings.nats_url)
        host, port = url.hostname or "127.0.0.1", url.port or 4222
        if port_open(host, port) or host not in LOCAL_HOSTS:
            return NatsChoice(settings.nats_url, None, settings.nats_monitor_url,
                              "external (NATS_URL), its data wherever that server keeps it")
        # Nothing listens at the configured local address: run ours there.
        server = EmbeddedNats(natslocal.nats_dir(settings.var_dir), port=port).start()
        return NatsChoice(server.url, server, None, embedded_description(server))
    local = natslocal.start_local_nats(settings.var_dir)
    for note in local.notes:
        console.print(f"[yellow]NATS: {note}[/yellow]")
    return NatsChoice(local.url, local.server, local.server.monitor_url, embedded_description(local.server))


def embedded_description(server: EmbeddedNats) -> str:
    return f"embedded (JetStream, fsync before ack), data in {server.jetstream_dir.resolve()}"


def check_nats(choice: NatsChoice) -> Assessment:
    """Refuse a server our event store cannot trust, before any service starts."""

    async def check() -> Assessment:
        nc = await connect_nats(choice.url, name="dso-rollout-up", attempts=20, check=False)
        try:
            return await check_server(nc, choice.url, monitor_url=choice.monitor_url)
        finally:
            await nc.close()

    try:
        assessment = asyncio.run(check())
    except Exception as error:  # not reachable at all: say where we looked
        raise NatsServerUnsuitable(f"NATS at {choice.url}: not reachable ({type(error).__name__})") from error
    if assessment.problem:
        raise NatsServerUnsuitable(assessment.problem)
    return assessment


def port_of(name: str) -> int:
    return int(os.environ.get(f"{name.upper()}_PORT", DEFAULT_PORTS[name]))


def service_spawner(name: str, host: str, env: dict[str, str]) -> tuple[str, Spawn]:
    command = [sys.executable, "-m", "uvicorn", f"services.{name}.app:create_app", "--factory",
               "--host", host, "--port", str(port_of(name)), "--no-access-log"]
    return f"http://{host}:{port_of(name)}", lambda: subprocess.Popen(command, env=env)


def wait_healthy(child: Supervised, *, timeout: float = 60.0) -> None:
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


def banner(choice: NatsChoice, services: list[Supervised]) -> Table:
    table = Table(title="DSO Rollout is up")
    table.add_column("component")
    table.add_column("listens on")
    table.add_row("nats", choice.url)
    for child in services:
        table.add_row(child.name, child.url)
    return table


def supervise_nats(supervisor: Supervisor, choice: NatsChoice, settings: PlatformSettings) -> None:
    """Our embedded server is restarted like a service if it dies (on the same port and data)."""
    server = choice.server
    if server is None or server.process is None:
        return

    def restart() -> subprocess.Popen[bytes]:
        started = server.start()
        if choice.monitor_url:
            natslocal.record(settings.var_dir, started)
        assert started.process is not None
        return started.process

    supervisor.add("nats", choice.url, restart, process=server.process, layer=0)


def run_stack(settings: PlatformSettings, *, host: str = "127.0.0.1") -> None:
    """Start everything, print where it listens, keep it running, and stop it all on Ctrl-C or SIGTERM."""
    signal.signal(signal.SIGTERM, _raise_shutdown)
    signal.signal(signal.SIGINT, _raise_shutdown)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(lambda line: console.print(f"[yellow]{line}[/yellow]", highlight=False))
    choice: NatsChoice | None = None
    try:
        if not settings.auth_jwks_url and not settings.auth_public_key_file:
            # One key for all: created here, before five processes could race to create their own.
            ensure_dev_keypair(settings.key_dir())
        if settings.internal_auth_key is None:  # the gateway's credential for the services, shared the same way
            ensure_key_file(settings.key_dir(), INTERNAL_KEY_FILE)
        if settings.webhook_signing_key is None:  # the gateway and metrics derive integration secrets from it
            ensure_key_file(settings.key_dir(), WEBHOOK_KEY_FILE)
        choice = choose_nats(settings)
        supervise_nats(supervisor, choice, settings)
        assessment = check_nats(choice)
        for warning in assessment.warnings:
            console.print(f"[yellow]{warning}[/yellow]", highlight=False, soft_wrap=True)
        if assessment.fsync_before_ack is None:
            console.print(f"NATS at {choice.url}: {UNKNOWN_FSYNC}", highlight=False, soft_wrap=True)
        env = os.environ | {"NATS_URL": choice.url, "VAR_DIR": str(settings.var_dir.resolve())}
        if choice.monitor_url:
            env["NATS_MONITOR_URL"] = choice.monitor_url
        env |= {f"{name.upper()}_URL": f"http://{host}:{port_of(name)}" for name in STARTUP_ORDER}
        services = [supervisor.add(name, *service_spawner(name, host, env)) for name in STARTUP_ORDER]
        for child in services:
            wait_healthy(child)
        console.print(banner(choice, services))
        console.print(f"NATS: nats-server {assessment.version} at {choice.url}, {choice.description}",
                      highlight=False, soft_wrap=True)
        console.print("Public API: gateway /api/v1/... (token: .venv/bin/rollout token --org demo --role super_admin)")
        console.print("A service that dies is restarted (with back-off). Ctrl-C stops everything.")
        while True:
            supervisor.tick()
            time.sleep(0.5)
    except Shutdown as reason:
        console.print(f"stopping ({reason}) ...")
    except NatsServerUnsuitable as unsuitable:
        console.print(str(unsuitable), style="red", highlight=False, soft_wrap=True)
        stop(supervisor, settings, choice)
        raise SystemExit(1) from None
    except RuntimeError as error:
        console.print(f"[red]{error}[/red]; stopping ...")
        stop(supervisor, settings, choice)
        raise SystemExit(1) from error
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop(supervisor, settings, choice)
    console.print("stopped.")


def stop(supervisor: Supervisor, settings: PlatformSettings, choice: NatsChoice | None) -> None:
    supervisor.stop_all()
    if choice and choice.server:
        choice.server.stop()
        if not settings.nats_url_is_explicit():
            natslocal.forget(settings.var_dir)

