"""The outcome store over a real NATS KV bucket: one run per key, a retry gets the first answer."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import Response
from nats.aio.client import Client

from shared.idempotency import InProgress, KeyReused, OutcomeStore, _slot


async def test_a_retry_waits_for_then_replays_the_first_outcome(nc: Client) -> None:
    outcomes = await OutcomeStore.open(nc, "readiness")
    started, release, runs = asyncio.Event(), asyncio.Event(), []

    async def slow() -> Response:
        runs.append("slow")
        started.set()
        await release.wait()
        headers = {"Location": "/x", "Content-Type": "application/json"}
        return Response(b'{"imported": 3}', status_code=201, headers=headers)

    first = asyncio.create_task(outcomes.run(org="acme", command="Import", key="k1", fingerprint="f", execute=slow))
    await started.wait()
    with pytest.raises(InProgress) as busy:
        await outcomes.run(org="acme", command="Import", key="k1", fingerprint="f", execute=slow)
    assert busy.value.status == 409 and busy.value.headers["Retry-After"]
    release.set()
    answered = await first
    replay = await outcomes.run(org="acme", command="Import", key="k1", fingerprint="f", execute=slow)
    assert runs == ["slow"]
    assert (replay.status_code, replay.body, replay.headers["location"]) == (201, answered.body, "/x")
    with pytest.raises(KeyReused):
        await outcomes.run(org="acme", command="Import", key="k1", fingerprint="other", execute=slow)
    # Keys are per org and per command.
    other_org = await outcomes.run(org="globex", command="Import", key="k1", fingerprint="f", execute=slow)
    assert other_org.status_code == 201 and runs == ["slow", "slow"]


async def test_a_server_error_or_crash_stores_nothing_so_the_retry_runs_again(nc: Client) -> None:
    outcomes = await OutcomeStore.open(nc, "readiness")
    answers = iter([Response(b"down", status_code=503), Response(b"ok", status_code=201),
                    Response(b"ok", status_code=202)])

    async def flaky() -> Response:
        return next(answers)

    async def crash() -> Response:
        raise RuntimeError("lost the store")

    assert (await outcomes.run(org="acme", command="C", key="k", fingerprint="f", execute=flaky)).status_code == 503
    assert (await outcomes.run(org="acme", command="C", key="k", fingerprint="f", execute=flaky)).status_code == 201
    with pytest.raises(RuntimeError):
        await outcomes.run(org="acme", command="D", key="k", fingerprint="f", execute=crash)
    assert (await outcomes.run(org="acme", command="D", key="k", fingerprint="f", execute=flaky)).status_code == 202
    # Stored answers stay stored: neither key runs again.
    assert (await outcomes.run(org="acme", command="C", key="k", fingerprint="f", execute=crash)).status_code == 201


async def test_a_slot_whose_runner_died_is_taken_over_after_the_lease(nc: Client) -> None:
    clock = [1000.0]
    outcomes = await OutcomeStore.open(nc, "readiness")
    outcomes.clock = lambda: clock[0]
    # A runner that claimed the slot and died (no finish, no release).
    await outcomes.kv.create(_slot("acme", "C", "k"), b'{"state":"running","since":1000,"fingerprint":"f"}')

    async def ok() -> Response:
        return Response(b"ok", status_code=200)

    with pytest.raises(InProgress):
        await outcomes.run(org="acme", command="C", key="k", fingerprint="f", execute=ok)
    clock[0] += outcomes.lease_s + 1
    assert (await outcomes.run(org="acme", command="C", key="k", fingerprint="f", execute=ok)).status_code == 200
