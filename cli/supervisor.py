"""Keep local processes running: restart one that died, with back-off, while the others keep serving.

`rollout up` runs NATS, four services and the gateway; one crashing (a kill -9, an
out-of-memory) must not take the rest down. A process that keeps dying is restarted
ever more slowly (1 s, 2 s, 4 s … 30 s); one that ran a minute is considered healthy
again and its back-off starts over.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
STABLE_S = 60.0  # ran this long: the next crash is a first crash again

Spawn = Callable[[], "subprocess.Popen[bytes]"]


def backoff_delay(consecutive_failures: int) -> float:
    """Wait before restart number `consecutive_failures` (1-based) of a process that keeps dying."""
    return BACKOFF_S[min(max(consecutive_failures, 1), len(BACKOFF_S)) - 1]


@dataclass
class Supervised:
    """One process, how to start it again, and its crash history."""

    name: str
    url: str
    spawn: Spawn
    process: subprocess.Popen[bytes]
    layer: int = 1  # stopped after every higher layer (NATS is layer 0: the services drain into it first)
    started_at: float = field(default_factory=time.monotonic)
    failures: int = 0  # consecutive crashes without a stable run between them
    restarts: int = 0
    restart_at: float | None = None


class Supervisor:
    """Watches processes in the order they were added; stops them in reverse order."""

    def __init__(self, say: Callable[[str], None], *, clock: Callable[[], float] = time.monotonic) -> None:
        self.say = say
        self.clock = clock
        self.children: list[Supervised] = []

    def add(self, name: str, url: str, spawn: Spawn, *, process: subprocess.Popen[bytes] | None = None,
            layer: int = 1) -> Supervised:
        child = Supervised(name, url, spawn, process or spawn(), layer=layer, started_at=self.clock())
        self.children.append(child)
        return child

    def tick(self) -> None:
        """Notice processes that died and restart those whose back-off has passed."""
        now = self.clock()
        for child in self.children:
            code = child.process.poll()
            if code is None:
                continue
            if child.restart_at is None:
                child.failures = 1 if now - child.started_at >= STABLE_S else child.failures + 1
                delay = backoff_delay(child.failures)
                child.restart_at = now + delay
                self.say(f"{child.name} exited with code {code}; restarting it in {delay:g} s "
                         f"(the rest of the stack keeps serving)")
            elif now >= child.restart_at:
                child.restart_at = None
                child.restarts += 1
                child.started_at = now
                child.process = child.spawn()
                self.say(f"{child.name} restarted (restart {child.restarts}, pid {child.process.pid})")

    def stop_all(self, *, timeout: float = 15) -> None:
        """Terminate everything, a layer at a time from the top (all services together, then NATS)."""
        for layer in sorted({child.layer for child in self.children}, reverse=True):
            group = [child for child in reversed(self.children) if child.layer == layer]
            for child in group:
                if child.process.poll() is None:
                    child.process.terminate()
            for child in group:
                try:
                    child.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    child.process.kill()
                    child.process.wait()
