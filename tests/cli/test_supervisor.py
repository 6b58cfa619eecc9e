"""Restarting a crashed process with back-off, as `rollout up` does for its services."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from cli.supervisor import Supervisor, backoff_delay


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


@pytest.fixture
def supervised() -> Iterator[tuple[Supervisor, Clock, list[str]]]:
    said: list[str] = []
    clock = Clock()
    supervisor = Supervisor(said.append, clock=clock)
    yield supervisor, clock, said
    supervisor.stop_all(timeout=5)


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff_delay(n) for n in (1, 2, 3, 4, 5, 6, 7, 50)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_killed_process_is_restarted_after_its_backoff_and_says_so(
    supervised: tuple[Supervisor, Clock, list[str]],
) -> None:
    supervisor, clock, said = supervised
    child = supervisor.add("readiness", "http://x", sleeper)
    other = supervisor.add("gateway", "http://y", sleeper)
    first = child.process
    first.kill()
    first.wait()
    supervisor.tick()
    assert said == ["readiness exited with code -9; restarting it in 1 s (the rest of the stack keeps serving)"]
    supervisor.tick()
    assert child.process is first  # not before the back-off
    clock.now += 1
    supervisor.tick()
    assert child.process is not first and child.process.poll() is None
    assert said[-1] == f"readiness restarted (restart 1, pid {child.process.pid})"
    assert other.process.poll() is None and other.restarts == 0


def test_a_process_that_keeps_dying_waits_longer_and_a_stable_one_starts_over(
    supervised: tuple[Supervisor, Clock, list[str]],
) -> None:
    supervisor, clock, _ = supervised
    child = supervisor.add("waves", "http://x", sleeper)
    delays = []
    for _ in range(3):
        child.process.kill()
        child.process.wait()
        supervisor.tick()
        assert child.restart_at is not None
        delays.append(child.restart_at - clock.now)
        clock.now = child.restart_at
        supervisor.tick()
    assert delays == [1, 2, 4]
    clock.now += 61  # ran a minute: healthy again
    child.process.kill()
    child.process.wait()
    supervisor.tick()
    assert child.restart_at is not None and child.restart_at - clock.now == 1


def test_stop_all_ends_every_process(supervised: tuple[Supervisor, Clock, list[str]]) -> None:
    supervisor, _, _ = supervised
    children = [supervisor.add("nats", "nats://x", sleeper, layer=0), supervisor.add("gateway", "http://y", sleeper)]
    supervisor.stop_all(timeout=5)
    assert all(child.process.poll() is not None for child in children)
