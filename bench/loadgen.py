"""wrk as the load generator of the request-path benchmark: one thread, 50 connections, percentiles from Lua.

wrk (Debian package `wrk`; `make bench` installs it) keeps 50 requests in flight
from one C thread, so the generator is never the bottleneck of a Python server.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk.lua")
MARKER = "BENCH_JSON "


@dataclass(frozen=True, slots=True)
class Load:
    """What one wrk run measured."""

    rate: float  # successful (2xx/3xx) requests per second
    p50_ms: float
    p99_ms: float
    requests: int
    failed: int  # non-2xx answers and socket errors (timeouts included)


def require_wrk() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk not found: `apt-get install -y wrk` (make bench does it)")
    return found


async def wrk(url: str, *, seconds: float, connections: int = 50, token: str | None = None,
              method: str = "GET", timeout_s: int = 30, internal: str | None = None,
              requests: Path | None = None) -> Load:
    """Run wrk against `url` and return its rate and latency percentiles (`internal`: X-Internal-Token)."""
    env = os.environ | {"BENCH_TOKEN": token or "", "BENCH_METHOD": method, "BENCH_PREFIX": secrets.token_hex(4),
                        "BENCH_INTERNAL": internal or "", "BENCH_REQUESTS": str(requests or "")}
    command = [require_wrk(), "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", f"--timeout={timeout_s}s",
               "-s", str(SCRIPT), url]
    process = await asyncio.create_subprocess_exec(*command, env=env, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    text = out.decode()
    lines = [line for line in text.splitlines() if line.startswith(MARKER)]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({process.returncode}): {text}{err.decode()}")
    found = json.loads(lines[-1].removeprefix(MARKER))
    failed = found["non2xx"] + found["socket_errors"]
    ok = max(found["requests"] - found["non2xx"], 0)
    return Load(rate=ok / (found["duration_us"] / 1e6), p50_ms=found["p50_us"] / 1000,
                p99_ms=found["p99_us"] / 1000, requests=found["requests"], failed=failed)
