"""Finding the processes `rollout up` started, to kill them like a crash."""

from __future__ import annotations

from pathlib import Path


def child_pid(parent: int, service: str) -> int:
    """The pid of `service` (its app module on the command line) among `parent`'s children."""
    marker = f"services.{service}.app".encode()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and marker in cmdline:
            return int(stat.parent.name)
    raise AssertionError(f"no {service} process under pid {parent}")
