"""The NATS server check: which servers every process refuses, in one line, and which it warns about."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.natscheck import NatsServerUnsuitable, assess, check_server
from shared.natsserver import EmbeddedNats, free_port
from shared.runtime import connect_nats

DEBIAN_NATS = Path("/usr/sbin/nats-server")  # nats-server 2.9.10 from Debian, on this machine and in CI
URL = "nats://127.0.0.1:4222"


def info(version: str, **extra: object) -> dict[str, object]:
    """An INFO payload as a server sends it on connect."""
    return {"server_id": "NABC", "server_name": "n1", "version": version, "proto": 1, "headers": True,
            "max_payload": 1048576, "jetstream": True} | extra


def varz(**config: object) -> dict[str, object]:
    return {"version": "2.15.1", "jetstream": {"config": {"store_dir": "/data", **config}}}


def test_a_server_older_than_atomic_batches_is_refused_naming_what_it_lacks() -> None:
    found = assess(URL, info("2.9.10"))
    assert found.problem == ("NATS at nats://127.0.0.1:4222: nats-server 2.9.10, need >= 2.12 "
                             "(atomic batch publish, subject-filtered expected last sequence)")


def test_a_server_with_subject_filtered_sequences_but_no_atomic_batches_is_refused() -> None:
    found = assess(URL, info("2.11.4"))
    assert found.problem == "NATS at nats://127.0.0.1:4222: nats-server 2.11.4, need >= 2.12 (atomic batch publish)"


@pytest.mark.parametrize("version", ["2.12.0", "2.12.1", "v2.14.0-RC.1", "2.15.1", "3.0.0"])
def test_current_servers_with_jetstream_are_accepted(version: str) -> None:
    found = assess(URL, info(version), account_jetstream=True)
    assert found.problem is None and found.version == version


def test_a_server_without_jetstream_is_refused() -> None:
    without = {k: v for k, v in info("2.12.1").items() if k != "jetstream"}
    assert assess(URL, without).problem == (
        "NATS at nats://127.0.0.1:4222: nats-server 2.12.1 without JetStream, need JetStream enabled")
    assert assess(URL, info("2.12.1"), account_jetstream=False).problem == (
        "NATS at nats://127.0.0.1:4222: JetStream is not enabled for this account, need JetStream enabled")


def test_an_unreadable_version_is_refused() -> None:
    assert assess(URL, info("nightly")).problem == (
        "NATS at nats://127.0.0.1:4222: unreadable server version 'nightly', need nats-server >= 2.12")


def test_fsync_before_ack_is_read_from_varz_and_unknown_without_it() -> None:
    assert assess(URL, info("2.12.1"), varz=varz(sync_always=True)).fsync_before_ack is True
    unknown = assess(URL, info("2.12.1"))
    assert (unknown.fsync_before_ack, unknown.warnings) == (None, [])
    lazy = assess(URL, info("2.12.1"), varz=varz(sync_interval=120_000_000_000))
    assert lazy.fsync_before_ack is False
    assert lazy.warnings == ["NATS at nats://127.0.0.1:4222: the server does not fsync before ack (it syncs every "
                             "120 s); acknowledged events can be lost on power failure: set "
                             "`jetstream { sync_interval: always }`"]


async def test_the_embedded_server_passes_and_its_varz_shows_fsync_before_ack(tmp_path: Path) -> None:
    with EmbeddedNats(tmp_path / "nats", monitor_port=free_port()) as server:
        nc = await connect_nats(server.url, name="test", check=False)
        found = await check_server(nc, server.url, monitor_url=server.monitor_url)
        await nc.close()
    assert (found.problem, found.fsync_before_ack) == (None, True)


async def test_a_lazily_flushing_server_is_used_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture
                                                               ) -> None:
    with EmbeddedNats(tmp_path / "nats", monitor_port=free_port(), sync_always=False) as server:
        nc = await connect_nats(server.url, name="test", monitor_url=server.monitor_url)
        await nc.close()
    assert any("does not fsync before ack" in record.message for record in caplog.records)


@pytest.fixture
def old_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """Debian's nats-server 2.9.10 on a free port with its own store (never the one on 4222)."""
    if not DEBIAN_NATS.exists():
        pytest.skip("Debian's nats-server 2.9 is not installed")
    with EmbeddedNats(tmp_path / "old-nats", binary=str(DEBIAN_NATS), sync_always=False) as server:
        yield server


async def test_connecting_to_a_too_old_server_refuses_with_one_line(old_nats: EmbeddedNats) -> None:
    with pytest.raises(NatsServerUnsuitable) as refused:
        await connect_nats(old_nats.url, name="test")
    assert str(refused.value) == (f"NATS at {old_nats.url}: nats-server 2.9.10, need >= 2.12 "
                                  "(atomic batch publish, subject-filtered expected last sequence)")


def test_a_service_refuses_to_start_on_a_too_old_server(old_nats: EmbeddedNats, tmp_path: Path) -> None:
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "NATS_URL": old_nats.url, "VAR_DIR": str(tmp_path / "var"),
           "READINESS_PORT": str(port), "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "uvicorn", "services.readiness.app:create_app", "--factory",
               "--port", str(port)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert done.stderr.strip().splitlines()[-1] == (
        f"NATS at {old_nats.url}: nats-server 2.9.10, need >= 2.12 "
        "(atomic batch publish, subject-filtered expected last sequence)")
    assert "Traceback" not in done.stderr


def test_rollout_up_refuses_a_too_old_server_before_starting_anything(old_nats: EmbeddedNats, tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "NATS_URL": old_nats.url, "VAR_DIR": str(tmp_path / "var"),
           "GATEWAY_PORT": str(free_port()), "READINESS_PORT": str(free_port()), "WAVES_PORT": str(free_port()),
           "TRAINING_PORT": str(free_port()), "METRICS_PORT": str(free_port()), "COLUMNS": "200"}
    rollout = str(Path(sys.executable).parent / "rollout")
    done = subprocess.run([rollout, "up"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"NATS at {old_nats.url}: nats-server 2.9.10, need >= 2.12" in done.stderr
    assert "Uvicorn running" not in done.stderr  # no service was started
