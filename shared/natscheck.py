"""Is this NATS server one our event store can trust? Checked at connect time, before anything is written.

An old server does not fail loudly: nats-server 2.9 ignores
`Nats-Expected-Last-Subject-Sequence-Subject`, so every optimistic-concurrency
check fails as a 409 later, and it rejects atomic batches. So every process
refuses such a server at once, with one line naming what it found and what it needs.

What the server can tell us:
- version and JetStream: the INFO a server sends on connect (`version`, `jetstream`),
  and `$JS.API.INFO` (JetStream enabled for our account, not just on the server);
- fsync before ack: only `/varz` of the monitoring endpoint (`jetstream.config.sync_always`).
  Neither INFO nor `$JS.API.INFO` reveals `sync_interval`, so without `NATS_MONITOR_URL`
  (or a server without monitoring) the durability setting of an external server cannot be
  verified: we say so in a warning instead of guessing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
from nats.aio.client import Client

# What we rely on, and the first server version that has it (oldest first).
REQUIREMENTS: tuple[tuple[tuple[int, int], str], ...] = (
    ((2, 11), "subject-filtered expected last sequence"),  # Nats-Expected-Last-Subject-Sequence-Subject
    ((2, 12), "atomic batch publish"),  # allow_atomic streams, Nats-Batch-* headers
)


class NatsServerUnsuitable(RuntimeError):
    """The server lacks something the event store relies on; the message is the one line to show."""


@dataclass(frozen=True)
class Assessment:
    """What we found: a reason to refuse (None = usable), whether acks follow an fsync (None = cannot tell)."""

    problem: str | None = None
    fsync_before_ack: bool | None = None
    warnings: list[str] = field(default_factory=list)
    version: str | None = None


UNKNOWN_FSYNC = ("cannot tell whether it fsyncs before ack without its monitoring endpoint (NATS_MONITOR_URL); "
                 "acknowledged events need `jetstream { sync_interval: always }`")


def parse_version(text: str) -> tuple[int, int, int] | None:
    """`2.12.1`, `v2.11.0-beta.2` -> (major, minor, patch); None if unreadable."""
    found = re.match(r"v?(\d+)\.(\d+)(?:\.(\d+))?", text.strip())
    if not found:
        return None
    major, minor, patch = found.groups()
    return int(major), int(minor), int(patch or 0)


def assess(url: str, info: dict[str, Any], *, account_jetstream: bool | None = None,
           varz: dict[str, Any] | None = None) -> Assessment:
    """Decide from the server's INFO (and, when known, `$JS.API.INFO` success and `/varz`) whether we can use it."""
    where = f"NATS at {url}"
    raw_version = str(info.get("version", "?"))
    version = parse_version(raw_version)
    if version is None:
        return Assessment(problem=f"{where}: unreadable server version {raw_version!r}, need nats-server >= 2.12")
    missing = [(needed, feature) for needed, feature in REQUIREMENTS if version[:2] < needed]
    if missing:
        needed = max(n for n, _ in missing)
        features = ", ".join(feature for _, feature in sorted(missing, reverse=True))
        return Assessment(problem=f"{where}: nats-server {raw_version}, need >= {needed[0]}.{needed[1]} ({features})")
    if not info.get("jetstream"):
        return Assessment(problem=f"{where}: nats-server {raw_version} without JetStream, need JetStream enabled")
    if account_jetstream is False:
        return Assessment(problem=f"{where}: JetStream is not enabled for this account, need JetStream enabled")
    return replace(durability(where, varz), version=raw_version)


def durability(where: str, varz: dict[str, Any] | None) -> Assessment:
    """From `/varz`: does the server fsync before every ack (`sync_always`)? Without it we cannot tell."""
    if varz is None:
        return Assessment(fsync_before_ack=None)
    config = (varz.get("jetstream") or {}).get("config") or {}
    if config.get("sync_always"):
        return Assessment(fsync_before_ack=True)
    interval_s = (config.get("sync_interval") or 0) / 1e9
    every = f"every {interval_s:g} s" if interval_s else "on its default schedule"
    return Assessment(fsync_before_ack=False, warnings=[
        f"{where}: the server does not fsync before ack (it syncs {every}); acknowledged events can be "
        "lost on power failure: set `jetstream { sync_interval: always }`"])


async def account_has_jetstream(nc: Client) -> bool:
    """`$JS.API.INFO` answers for our account (no responders or an error: JetStream is off for us)."""
    try:
        reply = await nc.request("$JS.API.INFO", b"", timeout=3)
    except Exception:  # no responders, timeout: either way JetStream does not answer us
        return False
    return "error" not in json.loads(reply.data or b"{}")


async def fetch_varz(monitor_url: str) -> dict[str, Any] | None:
    """The server's /varz, or None if the monitoring endpoint does not answer."""
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            reply = await client.get(f"{monitor_url.rstrip('/')}/varz")
            reply.raise_for_status()
            return dict(reply.json())
    except (httpx.HTTPError, ValueError):
        return None


async def check_server(nc: Client, url: str, *, monitor_url: str | None = None) -> Assessment:
    """Assess the server `nc` is connected to."""
    info = dict(getattr(nc, "_server_info", None) or {})  # the INFO the server sent on connect
    varz = await fetch_varz(monitor_url) if monitor_url else None
    account = await account_has_jetstream(nc) if info.get("jetstream") else None
    return assess(url, info, account_jetstream=account, varz=varz)
