"""Two replicas of a service sharing one PostgreSQL read model: one writer, handed over on a crash."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from shared.natsserver import EmbeddedNats, free_port
from tests.conftest import PG_DSN
from tests.e2e.test_faults import Service, auth_header, listed_names, register_all, until

pytestmark = pytest.mark.e2e


@pytest.fixture
def env(tmp_path: Path, nats_server: EmbeddedNats, pg_url: str) -> Iterator[dict[str, str]]:
    yield os.environ | {
        "NATS_URL": nats_server.url, "VAR_DIR": str(tmp_path / "var"), "READINESS_DATABASE_URL": pg_url,
        "LOG_LEVEL": "WARNING",
    }


def replica(env: dict[str, str]) -> Service:
    return Service(env | {"READINESS_PORT": str(free_port())})


def role(service: Service) -> str:
    """The replica's part, from /readyz as a super admin sees it."""
    headers = auth_header(service.env, "acme")
    return str(httpx.get(f"{service.url}/readyz", headers=headers, timeout=5).json()["role"])


def lease_holders(search_path: str) -> int:
    """Sessions holding an advisory lock in the test database now (the lease connections)."""
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                           " WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'rollout-lease'"
                           " AND a.datname = current_database()").fetchone()
    assert row is not None
    return int(row[0])


async def test_one_replica_writes_the_other_follows_and_takes_over_when_it_is_killed(
    env: dict[str, str]
) -> None:
    first, second = replica(env).start(), replica(env).start()
    headers = auth_header(env, "acme")
    keys = [f"loc-{i:03d}" for i in range(240)]
    try:
        assert (role(first), role(second)) == ("leader", "follower")
        assert lease_holders(env["READINESS_DATABASE_URL"]) == 1, "exactly one lease holder"

        # The follower answers commands with read-your-writes: it sees the leader's checkpoint move.
        statuses = await register_all(second, headers, keys[:40])
        assert set(statuses.values()) == {201}
        async with second.client() as client:
            created = await client.post("/api/v1/locations", json={"name": "read-your-writes", "region": "r"},
                                        headers=headers)
            assert created.status_code == 201
            seen = await client.get(f"/api/v1/locations/{created.json()['id']}", headers=headers)
            assert seen.status_code == 200, "the follower reads what it just wrote"

        # The leader is killed while commands stream in through the follower, which takes the lease over.
        done: list[str] = []
        requests = asyncio.create_task(register_all(second, headers, keys[40:], done))
        await until(lambda: len(done) >= 40)
        first.kill()
        assert not requests.done(), "the leader died mid-stream"
        statuses = await requests
        deadline = time.monotonic() + 40
        while set(statuses.values()) != {201} and time.monotonic() < deadline:
            pending = [k for k, s in statuses.items() if s != 201]
            statuses |= await register_all(second, headers, pending)
            await asyncio.sleep(0.5)
        assert set(statuses.values()) == {201}, "every command lands once the follower leads"
        assert role(second) == "leader"

        # The killed replica comes back as a follower, and both read the same rows: each location once.
        first.start()
        assert role(first) == "follower"
        assert lease_holders(env["READINESS_DATABASE_URL"]) == 1
        expected = sorted([*keys, "read-your-writes"])
        names_second = await listed_names(second, headers)
        await until_same(first, headers, expected)
        names_first = await listed_names(first, headers)
    finally:
        first.stop()
        second.stop()
    assert names_second == expected, "every location exactly once: nothing lost or applied twice in the handover"
    assert names_first == expected


async def until_same(service: Service, headers: dict[str, str], expected: list[str]) -> None:
    deadline = time.monotonic() + 10
    while await listed_names(service, headers) != expected:
        assert time.monotonic() < deadline, "the follower's reads did not converge"
        await asyncio.sleep(0.1)
